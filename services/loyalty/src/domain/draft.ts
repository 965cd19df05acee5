import type { AccountState, Accounts } from './account';
import { evolve } from './account';
import type { DecideContext } from './commands';
import { LoyaltyDomainError } from './errors';
import type { LoyaltyEvent, LoyaltyEventType } from './events';

type EventOf<T extends LoyaltyEventType> = Extract<LoyaltyEvent, { type: T }>;
export type DataOf<T extends LoyaltyEventType> = Omit<EventOf<T>['data'], 'programmeId' | 'profileId'>;

/**
 * A decision in progress: the accounts as they would be after the events emitted so far, so later
 * steps of one decision see the effect of earlier ones (a refund's second reversal sees the first).
 */
export class Draft {
  /** Accounts this decision changed; the loaded ones are read through, never copied or mutated. */
  private readonly changed = new Map<string, AccountState>();
  readonly events: LoyaltyEvent[] = [];

  constructor(
    private readonly loaded: Accounts,
    readonly ctx: DecideContext,
  ) {}

  get programme() {
    return this.ctx.programme;
  }

  /** The account as loaded (and changed by this decision); throws when the caller did not load it. */
  account(profileId: string): AccountState {
    const account = this.changed.get(profileId) ?? this.loaded.get(profileId);
    if (!account) throw new LoyaltyDomainError('ACCOUNT_NOT_LOADED', `account ${profileId} is needed and was not loaded`, profileId);
    return account;
  }

  /** The open account a profile's points live in: itself, or the survivor it was merged into. */
  resolve(profileId: string): AccountState {
    let account = this.account(profileId);
    const visited = new Set<string>();
    while (account.status.kind === 'merged') {
      if (visited.has(account.profileId)) throw new RangeError(`merge cycle through ${account.profileId}`);
      visited.add(account.profileId);
      account = this.account(account.status.into);
    }
    return account;
  }

  emit<T extends LoyaltyEventType>(type: T, profileId: string, occurredAt: number, data: DataOf<T>, id: string = this.ctx.newId()): EventOf<T> {
    const event = { id, type, occurredAt, data: { ...data, programmeId: this.programme.id, profileId } } as unknown as EventOf<T>;
    this.changed.set(profileId, evolve(this.account(profileId), event));
    this.events.push(event);
    return event;
  }
}
