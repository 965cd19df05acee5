import { Inject, Injectable, Logger } from '@nestjs/common';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { Programme, Targeting } from '../domain';
import type { LoyaltyConfig } from '../config';

/** Segments and tags of some profiles, as segmentation answered at decision time. */
export interface Memberships {
  isInSegment(profileId: string, segmentId: string): boolean;
  hasTag(profileId: string, tag: string): boolean;
}

export const NO_MEMBERSHIPS: Memberships = { isInSegment: () => false, hasTag: () => false };

function targetings(programme: Programme): Array<Targeting | null | undefined> {
  return [...programme.earningRules.map((r) => r.targeting), ...programme.rewards.map((r) => r.targeting)];
}

/** Whether any rule or reward of the programme targets segments or tags (only then is segmentation asked). */
export function targetsSegmentsOrTags(programme: Programme): boolean {
  return targetings(programme).some((t) => (t?.segments?.length ?? 0) > 0 || (t?.tags?.length ?? 0) > 0);
}

/**
 * The domain's segment and tag lookups. With LOYALTY_SEGMENTATION_URL set, it asks segmentation
 * `GET /v1/profiles/:profileId/memberships` (`{ segments: string[], tags: string[] }`) for each
 * profile a decision reads, before deciding, and only for programmes that target segments or tags.
 * Without it, or when segmentation does not answer in time, membership is unknown, which counts as
 * not a member: a targeted rule does not credit, a targeted reward is not offered.
 */
@Injectable()
export class SegmentMembershipLookup {
  private readonly log = new Logger('SegmentMembershipLookup');

  constructor(@Inject(SERVICE_CONFIG) private readonly config: LoyaltyConfig) {}

  async prefetch(programme: Programme, profileIds: readonly string[]): Promise<Memberships> {
    const url = this.config.loyalty.segmentationUrl;
    if (!url || profileIds.length === 0 || !targetsSegmentsOrTags(programme)) return NO_MEMBERSHIPS;
    const segments = new Map<string, Set<string>>();
    const tags = new Map<string, Set<string>>();
    await Promise.all(
      [...new Set(profileIds)].map(async (profileId) => {
        const answer = await this.fetchOne(url, profileId);
        segments.set(profileId, new Set(answer.segments));
        tags.set(profileId, new Set(answer.tags));
      }),
    );
    return {
      isInSegment: (profileId, segmentId) => segments.get(profileId)?.has(segmentId) ?? false,
      hasTag: (profileId, tag) => tags.get(profileId)?.has(tag) ?? false,
    };
  }

  private async fetchOne(url: string, profileId: string): Promise<{ segments: string[]; tags: string[] }> {
    try {
      const res = await fetch(`${url}/v1/profiles/${encodeURIComponent(profileId)}/memberships`, { signal: AbortSignal.timeout(this.config.loyalty.segmentationTimeoutMs) });
      if (res.status === 404) return { segments: [], tags: [] };
      if (!res.ok) throw new Error(`segmentation answered ${res.status}`);
      const body = (await res.json()) as { segments?: unknown; tags?: unknown };
      const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
      return { segments: strings(body.segments), tags: strings(body.tags) };
    } catch (err) {
      this.log.warn(`segment memberships of ${profileId} unknown (${err instanceof Error ? err.message : String(err)}): counted as not a member`);
      return { segments: [], tags: [] };
    }
  }
}
