import { Injectable } from '@nestjs/common';
import type { ActivityRule, EarningRule, Programme, PurchaseRule, Reward, TierPolicy } from '../domain';
import { CouponPoolRepository } from '../persistence/coupon-pool.repository';
import { type ProgrammeChange, ProgrammeRepository, type ProgrammeVersion } from '../persistence/programme.repository';
import { LoyaltyError } from './loyalty.error';
import { Transactions } from './transactions';

export interface ChangeInfo {
  expectedVersion?: number;
  changedBy: string | null;
  reason: string | null;
}

/**
 * Programmes and their parts (earning rules, tiers, rewards, coupon pools), each change a new
 * version of the whole document, validated by the domain's validateProgramme (422 with every
 * problem and its JSON path) and recorded with who made it and why. Consumers and the API pick a
 * new version up with their next transaction. Changes apply to decisions from then on: credited
 * points keep their expiry and rounding.
 */
@Injectable()
export class ProgrammeAdmin {
  constructor(
    private readonly tx: Transactions,
    private readonly programmes: ProgrammeRepository,
    private readonly coupons: CouponPoolRepository,
  ) {}

  list(): Promise<ProgrammeVersion[]> {
    return this.programmes.list(this.tx.db);
  }

  get(id: string): Promise<ProgrammeVersion> {
    return this.programmes.get(this.tx.db, id);
  }

  history(id: string, limit: number, beforeVersion?: number): Promise<ProgrammeChange[]> {
    return this.tx.run(async (tx) => {
      await this.programmes.get(tx, id);
      return this.programmes.history(tx, id, limit, beforeVersion);
    });
  }

  create(document: Programme, active: boolean, change: ChangeInfo): Promise<ProgrammeVersion> {
    return this.tx.run((tx) => this.programmes.write(tx, document, active, null, change));
  }

  replace(id: string, document: Programme, active: boolean | undefined, change: ChangeInfo): Promise<ProgrammeVersion> {
    if (document.id !== undefined && document.id !== id) throw new LoyaltyError('INVALID_REQUEST', `the document's id ${String(document.id)} is not the programme ${id}`, 422, { field: 'programme.id' });
    return this.edit(id, change, (current) => ({ document: { ...document, id }, active: active ?? current.active }));
  }

  setActive(id: string, active: boolean, change: ChangeInfo): Promise<ProgrammeVersion> {
    return this.edit(id, change, (current) => ({ document: current.programme, active }));
  }

  putRule(id: string, ruleId: string, rule: EarningRule, change: ChangeInfo): Promise<ProgrammeVersion> {
    return this.edit(id, change, (current) => {
      const rules = current.programme.earningRules;
      const next = { ...rule, id: ruleId } as PurchaseRule | ActivityRule;
      const at = rules.findIndex((r) => r.id === ruleId);
      return { document: { ...current.programme, earningRules: at >= 0 ? rules.map((r, i) => (i === at ? next : r)) : [...rules, next] } };
    });
  }

  deleteRule(id: string, ruleId: string, change: ChangeInfo): Promise<ProgrammeVersion> {
    return this.edit(id, change, (current) => {
      if (!current.programme.earningRules.some((r) => r.id === ruleId)) throw new LoyaltyError('RULE_NOT_FOUND', `programme ${id} has no earning rule ${ruleId}`, 404);
      return { document: { ...current.programme, earningRules: current.programme.earningRules.filter((r) => r.id !== ruleId) } };
    });
  }

  putTiers(id: string, tiers: TierPolicy | null, change: ChangeInfo): Promise<ProgrammeVersion> {
    return this.edit(id, change, (current) => ({ document: { ...current.programme, tiers } }));
  }

  putReward(id: string, rewardId: string, reward: Reward, change: ChangeInfo): Promise<ProgrammeVersion> {
    return this.edit(id, change, (current) => {
      const rewards = current.programme.rewards;
      const next = { ...reward, id: rewardId };
      const at = rewards.findIndex((r) => r.id === rewardId);
      return { document: { ...current.programme, rewards: at >= 0 ? rewards.map((r, i) => (i === at ? next : r)) : [...rewards, next] } };
    });
  }

  deleteReward(id: string, rewardId: string, change: ChangeInfo): Promise<ProgrammeVersion> {
    return this.edit(id, change, (current) => {
      if (!current.programme.rewards.some((r) => r.id === rewardId)) throw new LoyaltyError('REWARD_NOT_FOUND', `programme ${id} has no reward ${rewardId}`, 404);
      return { document: { ...current.programme, rewards: current.programme.rewards.filter((r) => r.id !== rewardId) } };
    });
  }

  addCouponCodes(id: string, poolId: string, codes: readonly string[], addedBy: string | null): Promise<{ poolId: string; added: number; available: number; claimed: number }> {
    return this.tx.run(async (tx) => {
      await this.programmes.get(tx, id);
      const added = await this.coupons.add(tx, id, poolId, codes, addedBy);
      return { poolId, added, ...(await this.coupons.counts(tx, id, poolId)) };
    });
  }

  async couponPool(id: string, poolId: string): Promise<{ poolId: string; available: number; claimed: number }> {
    await this.programmes.get(this.tx.db, id);
    return { poolId, ...(await this.coupons.counts(this.tx.db, id, poolId)) };
  }

  private edit(id: string, change: ChangeInfo, apply: (current: ProgrammeVersion) => { document: Programme; active?: boolean }): Promise<ProgrammeVersion> {
    return this.tx.run(async (tx) => {
      const current = await this.programmes.get(tx, id, { forUpdate: true });
      if (change.expectedVersion !== undefined && change.expectedVersion !== current.version) {
        throw new LoyaltyError('PROGRAMME_VERSION_CONFLICT', `programme ${id} is at version ${current.version}, not ${change.expectedVersion}: read it again and reapply your change`, 409, {
          currentVersion: current.version,
        });
      }
      const next = apply(current);
      return this.programmes.write(tx, next.document, next.active ?? current.active, current, change);
    });
  }
}
