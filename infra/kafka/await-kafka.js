#!/usr/bin/env node
// Readiness of a Kafka cluster through the Kafka API itself (an open port is not enough: a broker
// accepts connections well before it can serve metadata).
// Usage: node await-kafka.js <brokers> <timeoutSeconds> [pidThatMustStayAlive]
// Exit 0 when ready, 1 on timeout, 2 when the watched process died.
const { Kafka, logLevel } = require('kafkajs');

const [brokers, timeoutArg, pidArg] = process.argv.slice(2);
if (!brokers) {
  console.error('usage: await-kafka.js <brokers> <timeoutSeconds> [pid]');
  process.exit(64);
}
const deadline = Date.now() + Number(timeoutArg ?? 60) * 1000;
const pid = pidArg ? Number(pidArg) : undefined;

function alive(p) {
  try {
    process.kill(p, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

async function probe() {
  const kafka = new Kafka({
    clientId: 'cdp-infra-probe',
    brokers: brokers.split(',').map((b) => b.trim()).filter(Boolean),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('no live brokers in metadata');
    await admin.listTopics();
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

(async () => {
  let last;
  for (;;) {
    try {
      await probe();
      process.exit(0);
    } catch (error) {
      last = error;
    }
    if (pid !== undefined && !alive(pid)) {
      console.error(`kafka process ${pid} exited before it became ready`);
      process.exit(2);
    }
    if (Date.now() >= deadline) {
      console.error(`kafka at ${brokers} not ready: ${last && last.message}`);
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
})();
