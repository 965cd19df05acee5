/**
 * Given/when/then for the loyalty domain's specs: an in-memory stand-in for the persistence layer
 * (accounts loaded through `accountsToLoad`, events applied with `evolve`), a settable clock,
 * sequential ids and codes, and lookups backed by plain sets. Not used by production code.
 */
import { type AccountState, emptyAccount, evolve } from './account';
import { DAY_MS } from './calendar';
import type { DecideContext, Lookups, LoyaltyCommand } from './commands';
import { accountsToLoad, decide, type Decision } from './decide';
import type { LoyaltyEvent } from './events';
import type { Programme } from './programme';
import { type AccountSummary, type RecordedEvent, summarize } from './summary';

export const T0 = Date.UTC(2024, 0, 10, 9, 0, 0);
export { DAY_MS };

/** A programme in USD on UTC: 1 point per dollar (floor), 14-day return window, points expire 365 days after they become spendable. */
export function exampleProgramme(overrides: Partial<Programme> = {}): Programme {
  return {
    id: 'prog-1',
    name: 'Example Rewards',
    pointsName: 'Stars',
    currency: 'USD',
    timeZone: 'UTC',
    pendingDays: 14,
    expiry: { kind: 'rolling', days: 365 },
    earningRules: [{ id: 'base', name: 'A star per dollar', kind: 'purchase', currency: 'USD', pointsPerUnit: 1, rounding: 'floor' }],
    tiers: null,
    rewards: [],
    referral: null,
    notifications: { expiringSoonDays: 30, tierChangeMaxAgeDays: 7 },
    ...overrides,
  };
}

export const TIERS: NonNullable<Programme['tiers']> = {
  metric: 'points',
  windowDays: 365,
  reviewPeriod: 'month',
  levels: [
    { id: 'normal', name: '普通', threshold: 0, earnMultiplier: 1 },
    { id: 'silver', name: '银卡', threshold: 500, earnMultiplier: 1.25 },
    { id: 'gold', name: '金卡', threshold: 2000, earnMultiplier: 1.5 },
    { id: 'diamond', name: '钻石', threshold: 10000, earnMultiplier: 2 },
  ],
};

export class Scenario {
  accounts = new Map<string, AccountState>();
  /** Every event appended, per account, with its stream position. */
  streams = new Map<string, RecordedEvent[]>();
  now = T0;
  segments = new Set<string>(); // `${profileId}|${segmentId}`
  tags = new Set<string>(); // `${profileId}|${tag}`
  codes = new Map<string, string>();
  private ids = 0;
  private codeCount = 0;

  constructor(public programme: Programme = exampleProgramme()) {}

  get lookups(): Lookups {
    return {
      isInSegment: (p, s) => this.segments.has(`${p}|${s}`),
      hasTag: (p, t) => this.tags.has(`${p}|${t}`),
      referralCodeOwner: (code) => this.codes.get(code) ?? null,
    };
  }

  context(): DecideContext {
    return { programme: this.programme, now: this.now, newId: () => `e${(this.ids += 1)}`, newCode: () => `C${(this.codeCount += 1)}`, lookups: this.lookups };
  }

  /** Loads what the command needs (new members as empty accounts), decides, and appends on success. */
  run(command: LoyaltyCommand): Decision {
    const ctx = this.context();
    for (let missing = accountsToLoad(command, this.accounts, ctx); missing.length > 0; missing = accountsToLoad(command, this.accounts, ctx)) {
      for (const id of missing) this.accounts.set(id, emptyAccount(this.programme.id, id));
    }
    const decision = decide(command, this.accounts, ctx);
    if (decision.ok) this.append(decision.events);
    return decision;
  }

  append(events: readonly LoyaltyEvent[]): void {
    for (const event of events) {
      const id = event.data.profileId;
      this.accounts.set(id, evolve(this.accounts.get(id) ?? emptyAccount(event.data.programmeId, id), event));
      const stream = this.streams.get(event.data.profileId) ?? [];
      stream.push({ seq: stream.length + 1, event });
      this.streams.set(event.data.profileId, stream);
    }
    for (const code of events.flatMap((e) => (e.type === 'ReferralCodeIssued' ? [[e.data.code, e.data.profileId] as const] : []))) this.codes.set(code[0], code[1]);
  }

  /** Commands that must succeed: the "given" of a spec. */
  given(...commands: LoyaltyCommand[]): this {
    for (const command of commands) {
      const decision = this.run(command);
      if (!decision.ok) throw new Error(`given ${command.type} was refused: ${decision.rejection.code} ${decision.rejection.message}`);
    }
    return this;
  }

  /** The command under test: its events (empty when refused, see `when`'s decision). */
  when(command: LoyaltyCommand): Decision {
    return this.run(command);
  }

  at(instant: number): this {
    this.now = instant;
    return this;
  }

  advanceDays(days: number): this {
    this.now += days * DAY_MS;
    return this;
  }

  account(profileId: string): AccountState {
    return this.accounts.get(profileId) ?? emptyAccount(this.programme.id, profileId);
  }

  summary(profileId: string, withinDays?: number): AccountSummary {
    return summarize(this.account(profileId), this.programme, this.now, withinDays);
  }

  /** ProcessDueWork for every account, as a scheduler would. */
  tick(): LoyaltyEvent[] {
    const events: LoyaltyEvent[] = [];
    for (const profileId of [...this.accounts.keys()]) {
      const d = this.run({ type: 'ProcessDueWork', profileId });
      if (d.ok) events.push(...d.events);
    }
    return events;
  }
}

let orderSeq = 0;

/** An `Order Completed` for `profileId` with one product line per [price, quantity, category?, brand?, sku?]. */
export function order(
  profileId: string,
  revenue: number | null,
  options: { orderId?: string; eventId?: string; at?: number; currency?: string | null; lines?: [number, number, string?, string?, string?][] } = {},
): LoyaltyCommand {
  orderSeq += 1;
  const orderId = options.orderId ?? `o-${orderSeq}`;
  return {
    type: 'RecordOrder',
    profileId,
    eventId: options.eventId ?? `evt-${orderId}`,
    occurredAt: options.at ?? T0,
    order: {
      orderId,
      revenue,
      currency: options.currency === undefined ? 'USD' : options.currency,
      products: (options.lines ?? []).map(([price, quantity, category, brand, sku]) => ({ price, quantity, category: category ?? null, brand: brand ?? null, sku: sku ?? null })),
    },
  };
}

export function refund(profileId: string, orderId: string, amount: number | null, options: { eventId?: string; at?: number; reason?: 'refund' | 'cancellation' } = {}): LoyaltyCommand {
  return {
    type: 'RecordRefund',
    profileId,
    orderId,
    eventId: options.eventId ?? `refund-${orderId}-${amount ?? 'all'}-${options.at ?? T0}`,
    occurredAt: options.at ?? T0,
    amount,
    currency: 'USD',
    reason: options.reason ?? 'refund',
  };
}

/** Event types in order, for then-assertions that read like the ledger. */
export function types(decision: Decision): string[] {
  if (!decision.ok) throw new Error(`refused: ${decision.rejection.code} ${decision.rejection.message}`);
  return decision.events.map((e) => e.type);
}

export function eventsOf(decision: Decision): LoyaltyEvent[] {
  if (!decision.ok) throw new Error(`refused: ${decision.rejection.code} ${decision.rejection.message}`);
  return decision.events;
}

export function only<T extends LoyaltyEvent['type']>(decision: Decision, type: T): Extract<LoyaltyEvent, { type: T }>[] {
  return eventsOf(decision).filter((e): e is Extract<LoyaltyEvent, { type: T }> => e.type === type);
}
