import { Module } from '@nestjs/common';
import { SecurityModule } from '@cdp/security';
import { AccountsController } from './api/accounts.controller';
import { DueWorkController, ProgrammesController } from './api/programmes.controller';
import { AccountsService } from './application/accounts.service';
import { LoyaltyClock } from './application/clock';
import { DueWorkService } from './application/due-work.service';
import { InputProcessor } from './application/input-processor';
import { LoyaltyOutbox } from './application/loyalty-outbox';
import { ProgrammeAdmin } from './application/programme-admin';
import { SegmentMembershipLookup } from './application/segment-memberships';
import { Transactions } from './application/transactions';
import { LoyaltyInputsConsumer } from './consumers/loyalty-inputs.consumer';
import { AccountRepository } from './persistence/account.repository';
import { CouponPoolRepository } from './persistence/coupon-pool.repository';
import { ProgrammeRepository } from './persistence/programme.repository';

/** Loyalty's own controllers, consumers and providers; health, metrics and `GET /` come from the service kit. */
@Module({
  imports: [SecurityModule.forRoot()],
  controllers: [LoyaltyInputsConsumer, ProgrammesController, DueWorkController, AccountsController],
  providers: [
    LoyaltyClock,
    Transactions,
    AccountRepository,
    ProgrammeRepository,
    CouponPoolRepository,
    SegmentMembershipLookup,
    LoyaltyOutbox,
    InputProcessor,
    AccountsService,
    ProgrammeAdmin,
    DueWorkService,
  ],
})
export class LoyaltyModule {}
