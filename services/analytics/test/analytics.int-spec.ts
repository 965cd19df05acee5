import { randomBytes } from 'node:crypto';
import { appliedMigrations, type ClickHouse } from '@cdp/clickhouse';
import { describeServiceConformance } from '@cdp/service-kit/testing';
import { testDataDir, testInfra } from '@cdp/testing';
import { analyticsService } from '../src/analytics.definition';
import { analyticsConfig } from '../src/config';
import { CLICKHOUSE } from '../src/persistence/clickhouse.provider';

describeServiceConformance({
  definition: analyticsService,
  config: analyticsConfig,
  extraChecks: ['clickhouse'],
  // Its own embedded data directory (or, against a ClickHouse server, its own database).
  env: (): Record<string, string> => {
    const clickhouseUrl = testInfra().clickhouseUrl;
    return clickhouseUrl
      ? { CLICKHOUSE_URL: clickhouseUrl, CLICKHOUSE_DATABASE: `cdp_test_${randomBytes(4).toString('hex')}` }
      : { CLICKHOUSE_DATA_DIR: testDataDir('analytics') };
  },
  verify: (service) => {
    it('has applied its ClickHouse migrations to its database', async () => {
      const clickhouse = service().app.get<ClickHouse>(CLICKHOUSE);
      expect([...(await appliedMigrations(clickhouse)).keys()]).toEqual([1, 2, 3, 4, 5]);
    });

    it('stops being ready, naming ClickHouse, when ClickHouse stops answering', async () => {
      await service().app.get<ClickHouse>(CLICKHOUSE).close();
      const res = await fetch(`${service().url}/health/ready`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: Record<string, { status: string; message: string }> };
      expect(Object.keys(body.error)).toEqual(['clickhouse']);
      expect(body.error.clickhouse!.message).toMatch(/did not answer/);
    });
  },
});
