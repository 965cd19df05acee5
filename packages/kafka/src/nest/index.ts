export * from './batch-handler.decorator';
export * from './kafka-batch.context';
export * from './kafka-batch.transport';
