import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { Audited, Principal, RequireScopes, Roles } from '@cdp/security';
import { AccountsService } from '../application/accounts.service';
import { newEventId } from '../application/ids';
import { LoyaltyError } from '../application/loyalty.error';
import { actorOf, object, optionalInt, optionalString, pageSize, requiredString } from './request-parsing';

/** The slice of express's response the handlers use: the status of a repeated command is 200. */
interface Response {
  status(code: number): unknown;
}

/** Whether the command did something or repeated an earlier one (the audit log's status is the handler's default, 201). */
const created = (_req: unknown, result: unknown) => ({ created: (result as { created?: boolean } | undefined)?.created ?? null });

const accountParam = (req: { params?: Record<string, string> }) => (req.params ? `${req.params.programmeId}/${req.params.profileId}` : undefined);

/**
 * A member's account: summary and history (`loyalty:read`), redemptions and referral codes
 * (`loyalty:write`), manual adjustments (`loyalty:write`, admin or marketer). Every change is
 * audited. Commands that repeat an idempotency key answer 200 with the first outcome; new ones 201.
 */
@Controller('v1/loyalty/programmes/:programmeId/accounts/:profileId')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  /** `?withinDays=`: the window of `expiringSoon` (default: the programme's notification window). */
  @Get()
  @RequireScopes('loyalty:read')
  summary(@Param('programmeId') programmeId: string, @Param('profileId') profileId: string, @Query('withinDays') withinDays?: string) {
    return this.accounts.summary(programmeId, profileId, optionalInt(withinDays, 'withinDays', 0, 3650));
  }

  /** Ledger entries, newest first: `?limit=1..500&cursor=<nextCursor>`. */
  @Get('history')
  @RequireScopes('loyalty:read')
  history(@Param('programmeId') programmeId: string, @Param('profileId') profileId: string, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    return this.accounts.history(programmeId, profileId, pageSize(limit), cursor ?? null);
  }

  /** `{ rewardId, idempotencyKey? }` or the `Idempotency-Key` header. */
  @Post('redemptions')
  @RequireScopes('loyalty:write')
  @Audited('loyalty.redeem', { resourceType: 'loyalty_account', resourceId: accountParam, details: created })
  async redeem(
    @Param('programmeId') programmeId: string,
    @Param('profileId') profileId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') header: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const fields = object(body);
    const key = optionalString(fields.idempotencyKey, 'idempotencyKey') ?? optionalString(header, 'Idempotency-Key');
    if (!key) throw new LoyaltyError('IDEMPOTENCY_KEY_REQUIRED', 'a redemption needs an idempotency key (idempotencyKey or the Idempotency-Key header), so that a retry never spends twice', 400, { field: 'idempotencyKey' });
    const result = await this.accounts.redeem(programmeId, profileId, requiredString(fields.rewardId, 'rewardId'), key);
    res.status(result.created ? 201 : 200);
    return result;
  }

  /** `{ points, reason, adjustmentId? }`: a signed, non-zero integer; the operator is the token's holder. */
  @Post('adjustments')
  @RequireScopes('loyalty:write')
  @Roles('admin', 'marketer')
  @Audited('loyalty.adjust', { resourceType: 'loyalty_account', resourceId: accountParam, details: created })
  async adjust(
    @Param('programmeId') programmeId: string,
    @Param('profileId') profileId: string,
    @Body() body: unknown,
    @Principal() principal: Principal,
    @Headers('idempotency-key') header: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const fields = object(body);
    const points = fields.points;
    if (typeof points !== 'number' || !Number.isSafeInteger(points) || points === 0) throw new LoyaltyError('INVALID_COMMAND', 'points must be a non-zero integer', 422, { field: 'points' });
    if (typeof fields.reason !== 'string' || fields.reason.trim() === '') throw new LoyaltyError('REASON_REQUIRED', 'an adjustment needs a reason', 422, { field: 'reason' });
    const adjustmentId = optionalString(fields.adjustmentId, 'adjustmentId') ?? optionalString(header, 'Idempotency-Key') ?? newEventId();
    const result = await this.accounts.adjust(programmeId, profileId, { adjustmentId, points, reason: requiredString(fields.reason, 'reason', 500), actor: actorOf(principal) });
    res.status(result.created ? 201 : 200);
    return result;
  }

  /** The member's referral code (issued on the first call). */
  @Post('referral-code')
  @RequireScopes('loyalty:write')
  @Audited('loyalty.referral_code', { resourceType: 'loyalty_account', resourceId: accountParam, details: created })
  async referralCode(@Param('programmeId') programmeId: string, @Param('profileId') profileId: string, @Res({ passthrough: true }) res: Response) {
    const result = await this.accounts.referralCode(programmeId, profileId);
    res.status(result.created ? 201 : 200);
    return result;
  }

  /** `{ code }`: the referrer's code the member signed up with (before their first order). */
  @Post('referrer')
  @RequireScopes('loyalty:write')
  @Audited('loyalty.referral_apply', { resourceType: 'loyalty_account', resourceId: accountParam, details: created })
  async referrer(@Param('programmeId') programmeId: string, @Param('profileId') profileId: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const result = await this.accounts.applyReferral(programmeId, profileId, requiredString(object(body).code, 'code', 100));
    res.status(result.created ? 201 : 200);
    return result;
  }
}
