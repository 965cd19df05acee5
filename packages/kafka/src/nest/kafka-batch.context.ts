import { BaseRpcContext } from '@nestjs/microservices';

type KafkaBatchContextArgs = [topic: string, partition: number, groupId: string];

/** Second handler argument (`@Ctx()`): where the batch came from. */
export class KafkaBatchContext extends BaseRpcContext<KafkaBatchContextArgs> {
  getTopic(): string {
    return this.args[0];
  }

  getPartition(): number {
    return this.args[1];
  }

  getGroupId(): string {
    return this.args[2];
  }
}
