import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Audited, Principal, RequireScopes, Roles } from '@cdp/security';
import type { EarningRule, Programme, Reward, TierPolicy } from '../domain';
import { DueWorkService } from '../application/due-work.service';
import { ProgrammeAdmin } from '../application/programme-admin';
import { LoyaltyError } from '../application/loyalty.error';
import type { ProgrammeVersion } from '../persistence/programme.repository';
import { actorOf, changeOf, object, optionalBoolean, optionalInt, pageSize } from './request-parsing';

const programmeParam = (req: { params?: Record<string, string> }) => req.params?.programmeId;
const ruleParam = (req: { params?: Record<string, string> }) => (req.params ? `${req.params.programmeId}/${req.params.ruleId}` : undefined);
const rewardParam = (req: { params?: Record<string, string> }) => (req.params ? `${req.params.programmeId}/${req.params.rewardId}` : undefined);
const poolParam = (req: { params?: Record<string, string> }) => (req.params ? `${req.params.programmeId}/${req.params.poolId}` : undefined);

function view(v: ProgrammeVersion) {
  return { id: v.id, version: v.version, active: v.active, programme: v.programme, updatedAt: v.updatedAt, updatedBy: v.updatedBy };
}

/**
 * Programmes and their earning rules, tiers, rewards and coupon pools. Reads need `loyalty:read`;
 * changes need `loyalty:write` and the admin or marketer role, are validated by the domain (422
 * `INVALID_PROGRAMME` with every problem's JSON path), versioned and audited.
 */
@Controller('v1/loyalty/programmes')
export class ProgrammesController {
  constructor(private readonly admin: ProgrammeAdmin) {}

  @Get()
  @RequireScopes('loyalty:read')
  async list() {
    return { items: (await this.admin.list()).map(view) };
  }

  /** `{ programme, active?, reason? }` */
  @Post()
  @RequireScopes('loyalty:write')
  @Roles('admin', 'marketer')
  @Audited('loyalty.programme.create', { resourceType: 'loyalty_programme' })
  async create(@Body() body: unknown, @Principal() principal: Principal) {
    const fields = object(body);
    const programme = object(fields.programme, 'programme') as unknown as Programme;
    return view(await this.admin.create(programme, optionalBoolean(fields.active, 'active') ?? true, changeOf(fields, principal)));
  }

  @Get(':programmeId')
  @RequireScopes('loyalty:read')
  async get(@Param('programmeId') id: string) {
    return view(await this.admin.get(id));
  }

  /** `{ programme, active?, expectedVersion?, reason? }`: replaces the whole document. */
  @Put(':programmeId')
  @RequireScopes('loyalty:write')
  @Roles('admin', 'marketer')
  @Audited('loyalty.programme.replace', { resourceType: 'loyalty_programme', resourceId: programmeParam })
  async replace(@Param('programmeId') id: string, @Body() body: unknown, @Principal() principal: Principal) {
    const fields = object(body);
    if (fields.programme === undefined && typeof fields.active === 'boolean') return view(await this.admin.setActive(id, fields.active, changeOf(fields, principal)));
    const programme = object(fields.programme, 'programme') as unknown as Programme;
    return view(await this.admin.replace(id, programme, optionalBoolean(fields.active, 'active'), changeOf(fields, principal)));
  }

  @Get(':programmeId/versions')
  @RequireScopes('loyalty:read')
  async versions(@Param('programmeId') id: string, @Query('limit') limit?: string, @Query('beforeVersion') beforeVersion?: string) {
    return { items: await this.admin.history(id, pageSize(limit), optionalInt(beforeVersion, 'beforeVersion', 1)) };
  }

  /** `{ rule, expectedVersion?, reason? }`: adds or replaces one earning rule. */
  @Put(':programmeId/earning-rules/:ruleId')
  @RequireScopes('loyalty:write')
  @Roles('admin', 'marketer')
  @Audited('loyalty.rule.put', { resourceType: 'loyalty_earning_rule', resourceId: ruleParam })
  async putRule(@Param('programmeId') id: string, @Param('ruleId') ruleId: string, @Body() body: unknown, @Principal() principal: Principal) {
    const fields = object(body);
    return view(await this.admin.putRule(id, ruleId, object(fields.rule, 'rule') as unknown as EarningRule, changeOf(fields, principal)));
  }

  @Delete(':programmeId/earning-rules/:ruleId')
  @RequireScopes('loyalty:write')
  @Roles('admin', 'marketer')
  @Audited('loyalty.rule.delete', { resourceType: 'loyalty_earning_rule', resourceId: ruleParam })
  async deleteRule(@Param('programmeId') id: string, @Param('ruleId') ruleId: string, @Principal() principal: Principal, @Query('reason') reason?: string, @Query('expectedVersion') expectedVersion?: string) {
    return view(await this.admin.deleteRule(id, ruleId, changeOf({ reason, expectedVersion }, principal)));
  }

  /** `{ tiers, expectedVersion?, reason? }`: the tier policy (null: no tiers). */
  @Put(':programmeId/tiers')
  @RequireScopes('loyalty:write')
  @Roles('admin', 'marketer')
  @Audited('loyalty.tiers.put', { resourceType: 'loyalty_programme', resourceId: programmeParam })
  async putTiers(@Param('programmeId') id: string, @Body() body: unknown, @Principal() principal: Principal) {
    const fields = object(body);
    if (!('tiers' in fields)) throw new LoyaltyError('INVALID_REQUEST', 'tiers is required (null removes the tiers)', 400, { field: 'tiers' });
    const tiers = fields.tiers === null ? null : (object(fields.tiers, 'tiers') as unknown as TierPolicy);
    return view(await this.admin.putTiers(id, tiers, changeOf(fields, principal)));
  }

  /** `{ reward, expectedVersion?, reason? }`: adds or replaces one reward of the catalogue. */
  @Put(':programmeId/rewards/:rewardId')
  @RequireScopes('loyalty:write')
  @Roles('admin', 'marketer')
  @Audited('loyalty.reward.put', { resourceType: 'loyalty_reward', resourceId: rewardParam })
  async putReward(@Param('programmeId') id: string, @Param('rewardId') rewardId: string, @Body() body: unknown, @Principal() principal: Principal) {
    const fields = object(body);
    return view(await this.admin.putReward(id, rewardId, object(fields.reward, 'reward') as unknown as Reward, changeOf(fields, principal)));
  }

  @Delete(':programmeId/rewards/:rewardId')
  @RequireScopes('loyalty:write')
  @Roles('admin', 'marketer')
  @Audited('loyalty.reward.delete', { resourceType: 'loyalty_reward', resourceId: rewardParam })
  async deleteReward(@Param('programmeId') id: string, @Param('rewardId') rewardId: string, @Principal() principal: Principal, @Query('reason') reason?: string, @Query('expectedVersion') expectedVersion?: string) {
    return view(await this.admin.deleteReward(id, rewardId, changeOf({ reason, expectedVersion }, principal)));
  }

  /** `{ codes: string[] }` (at most 10,000 per call): codes already in the pool are ignored. */
  @Post(':programmeId/coupon-pools/:poolId/codes')
  @RequireScopes('loyalty:write')
  @Roles('admin', 'marketer')
  @Audited('loyalty.coupon_pool.add_codes', { resourceType: 'loyalty_coupon_pool', resourceId: poolParam })
  async addCodes(@Param('programmeId') id: string, @Param('poolId') poolId: string, @Body() body: unknown, @Principal() principal: Principal) {
    const { codes } = object(body);
    if (!Array.isArray(codes) || codes.length === 0 || codes.length > 10_000 || !codes.every((c) => typeof c === 'string' && c.trim() !== '' && c.length <= 100)) {
      throw new LoyaltyError('INVALID_REQUEST', 'codes must be a list of 1 to 10,000 non-empty strings of at most 100 characters', 400, { field: 'codes' });
    }
    return this.admin.addCouponCodes(id, poolId, (codes as string[]).map((c) => c.trim()), actorOf(principal));
  }

  @Get(':programmeId/coupon-pools/:poolId')
  @RequireScopes('loyalty:read')
  couponPool(@Param('programmeId') id: string, @Param('poolId') poolId: string) {
    return this.admin.couponPool(id, poolId);
  }
}

/** The due-work scheduler on demand. */
@Controller('v1/loyalty/due-work')
export class DueWorkController {
  constructor(private readonly dueWork: DueWorkService) {}

  @Post()
  @HttpCode(200)
  @RequireScopes('loyalty:write')
  @Roles('admin')
  @Audited('loyalty.due_work.run', { resourceType: 'loyalty_due_work' })
  run() {
    return this.dueWork.run();
  }
}

