import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ProfileSplit, ProfilesMerged, ResolvedEvent } from '@cdp/contracts';
import { batchResult, type BatchResult, type ConsumedBatch, dlq, drop, type MessageResult } from '@cdp/kafka';
import type { Rejection } from '../domain';
import { AccountRepository } from '../persistence/account.repository';
import { ProgrammeRepository } from '../persistence/programme.repository';
import { AccountSession } from './account-session';
import { LoyaltyClock } from './clock';
import { commandsOfMerge, commandsOfResolved, commandsOfSplit, type InputCommands } from './input-commands';
import { SegmentMembershipLookup } from './segment-memberships';

/** Refusals that mean the input itself is wrong (an operator must look at it), not a business outcome. */
const BAD_INPUT = new Set<string>(['INVALID_AMOUNT', 'CURRENCY_MISMATCH', 'INVALID_COMMAND']);

type Input = { kind: 'resolved'; value: ResolvedEvent } | { kind: 'merged'; value: ProfilesMerged } | { kind: 'split'; value: ProfileSplit };

/**
 * Applies one Kafka batch of inputs to every active programme, in the batch's transaction: the
 * accounts the batch names are locked and loaded in one statement per programme (profile id order),
 * each message's commands are decided in offset order on the in-memory accounts, and the events are
 * appended with multi-row inserts; ledger entries and notification requests go to the outbox. A
 * refused command is a verdict on its message: `drop` with the refusal code for business outcomes
 * (a refund of an order the programme never credited, an unknown referral code), `dlq` for inputs
 * that are wrong (negative amounts, a refund in another currency).
 */
@Injectable()
export class InputProcessor {
  private readonly log = new Logger('InputProcessor');

  constructor(
    private readonly programmes: ProgrammeRepository,
    private readonly accounts: AccountRepository,
    private readonly memberships: SegmentMembershipLookup,
    @Inject(LoyaltyClock) private readonly clock: LoyaltyClock,
  ) {}

  async resolved(batch: ConsumedBatch<ResolvedEvent>): Promise<BatchResult> {
    return this.process(batch, batch.messages.map((m) => ({ eventId: m.eventId, input: { kind: 'resolved', value: m.value } as Input })));
  }

  async identityChanges(batch: ConsumedBatch<ProfilesMerged | ProfileSplit>): Promise<BatchResult> {
    return this.process(
      batch,
      batch.messages.map((m) => ({
        eventId: m.eventId,
        input: (m.value.type === 'ProfilesMerged' ? { kind: 'merged', value: m.value } : { kind: 'split', value: m.value as ProfileSplit }) as Input,
      })),
    );
  }

  private async process(batch: ConsumedBatch<unknown>, inputs: Array<{ eventId: string; input: Input }>): Promise<BatchResult> {
    const { tx } = batch;
    const verdicts = new Map<string, MessageResult>();
    const now = this.clock.now();
    for (const { programme } of await this.programmes.active(tx)) {
      const planned = inputs.map(({ eventId, input }) => ({ eventId, plan: plan(input, programme) }));
      const relevant = planned.filter((p) => p.plan.commands.length > 0);
      if (relevant.length === 0) continue;
      const session = new AccountSession(tx, programme, this.accounts, now);
      const profileIds = relevant.flatMap((p) => p.plan.profileIds);
      await session.load(profileIds);
      await session.loadReferralCodes(relevant.flatMap((p) => p.plan.referralCodes));
      session.memberships = await this.memberships.prefetch(programme, profileIds);
      for (const { eventId, plan: p } of relevant) {
        for (const command of p.commands) {
          const decision = await session.run(command, eventId);
          if (decision.ok) continue;
          // A sign-up with a code that links nobody is still a sign-up: the activity is recorded.
          if (command.type === 'ApplyReferralCode') this.log.warn(`input ${eventId}: referral code not applied in ${programme.id}: ${decision.rejection.code}`);
          else worst(verdicts, eventId, verdictOf(decision.rejection, programme.id, command.type));
        }
      }
      batch.emit(...(await session.flush()));
    }
    for (const [eventId, verdict] of verdicts) {
      if (verdict.kind !== 'ok') this.log.warn(`input ${eventId}: ${verdict.kind} ${verdict.reason}`);
    }
    return batchResult(verdicts);
  }
}

function plan(input: Input, programme: Parameters<typeof commandsOfResolved>[1]): InputCommands {
  switch (input.kind) {
    case 'resolved':
      return commandsOfResolved(input.value, programme);
    case 'merged':
      return commandsOfMerge(input.value);
    case 'split':
      return commandsOfSplit(input.value);
    default: {
      const never: never = input;
      throw new RangeError(`unknown input ${(never as Input).kind}`);
    }
  }
}

function verdictOf(rejection: Rejection, programmeId: string, commandType: string): MessageResult {
  const reason = `${rejection.code}`;
  const message = `programme ${programmeId}, ${commandType}: ${rejection.message}`;
  return BAD_INPUT.has(rejection.code) ? dlq(reason, message) : drop(`${reason}: ${message}`);
}

const RANK: Record<MessageResult['kind'], number> = { ok: 0, drop: 1, retry: 2, dlq: 3 };

/** One verdict per message: the most serious of its programmes'. */
function worst(verdicts: Map<string, MessageResult>, eventId: string, verdict: MessageResult): void {
  const current = verdicts.get(eventId);
  if (!current || RANK[verdict.kind] > RANK[current.kind]) verdicts.set(eventId, verdict);
}
