import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import type { ServerResponse } from 'node:http';
import { KafkaHealthIndicator } from './kafka.health-indicator';
import { ReadinessChecks, type ReadinessCheck } from './readiness-checks';
import { errorMessage, withTimeout } from './with-timeout';

const CHECK_TIMEOUT_MS = 2_000;

/**
 * `/health/live`: the process runs and answers (restart it if not).
 * `/health/ready` and `/health`: every dependency answers (send it traffic only if so); 503 with
 * each check's status and error otherwise.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    private readonly readiness: ReadinessChecks,
  ) {}

  @Get('live')
  async live(@Res() res: ServerResponse): Promise<void> {
    await this.report(res, [
      async () => this.indicator.check('process').up({ pid: process.pid, uptimeSeconds: Math.round(process.uptime()) }),
    ]);
  }

  @Get('ready')
  async ready(@Res() res: ServerResponse): Promise<void> {
    await this.report(res, this.readinessIndicators());
  }

  @Get()
  async overall(@Res() res: ServerResponse): Promise<void> {
    await this.report(res, this.readinessIndicators());
  }

  private readinessIndicators(): HealthIndicatorFunction[] {
    return [
      () => this.database.pingCheck('database', { timeout: CHECK_TIMEOUT_MS }),
      () => this.kafka.check('kafka', CHECK_TIMEOUT_MS),
      ...this.readiness.list().map((check) => () => this.run(check)),
    ];
  }

  private async run(check: ReadinessCheck) {
    const session = this.indicator.check(check.name);
    try {
      const details = await withTimeout(check.check(), CHECK_TIMEOUT_MS, `no answer within ${CHECK_TIMEOUT_MS} ms`);
      return session.up(details ?? {});
    } catch (error) {
      return session.down({ message: errorMessage(error) });
    }
  }

  // Terminus signals failure by throwing a 503 whose body is the report. The report is sent as is
  // (the format health tooling expects), not as a problem document, and the response is written
  // here because Nest would otherwise reset the status of a returned value to 200.
  private async report(res: ServerResponse, indicators: HealthIndicatorFunction[]): Promise<void> {
    let status = 200;
    let body: HealthCheckResult;
    try {
      body = await this.health.check(indicators);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      status = 503;
      body = error.getResponse() as HealthCheckResult;
    }
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify(body));
  }
}
