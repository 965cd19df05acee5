import { Controller, Get, Param, Query, UseFilters, UseGuards } from '@nestjs/common';
import { AnalyticsError } from '../analytics.error';
import { ReportsService, SALES_DIMENSIONS, type ReportScope, type SalesDimension } from '../reports/reports.service';
import { AnalyticsProblemFilter } from './analytics-problem.filter';
import { AnalyticsTokenGuard } from './analytics-token.guard';
import { integer, list, single, time, type QueryValue } from './query-params';

export const REPORTS = ['customers', 'purchase-frequency', 'sales', 'average-order-value', 'repurchase-rate', 'cohort-retention', 'funnel'] as const;
type ReportName = (typeof REPORTS)[number];

/**
 * `GET /v1/reports/<name>?from=&to=&profileId=...`: descriptive reports over a period (from
 * inclusive, to exclusive), optionally for a list of profile ids standing for a segment.
 */
@Controller('v1/reports')
@UseGuards(AnalyticsTokenGuard)
@UseFilters(AnalyticsProblemFilter)
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get(':name')
  report(@Param('name') name: string, @Query() query: Record<string, QueryValue>): Promise<unknown> {
    if (!(REPORTS as readonly string[]).includes(name)) {
      throw new AnalyticsError('REPORT_NOT_FOUND', `there is no report "${name}"; reports: ${REPORTS.join(', ')}`, 404);
    }
    const scope = parseScope(query);
    const report = name as ReportName;
    switch (report) {
      case 'customers':
        return this.reports.customers(scope);
      case 'purchase-frequency':
        return this.reports.purchaseFrequency(scope);
      case 'sales': {
        const by = single('by', query.by) ?? 'day';
        if (!(SALES_DIMENSIONS as readonly string[]).includes(by)) throw invalid(`by: one of ${SALES_DIMENSIONS.join(', ')}`);
        return this.reports.sales(scope, by as SalesDimension);
      }
      case 'average-order-value':
        return this.reports.averageOrderValue(scope);
      case 'repurchase-rate':
        return this.reports.repurchaseRate(scope);
      case 'cohort-retention':
        return this.reports.cohortRetention(scope);
      case 'funnel': {
        const steps = list('step', query.step, { commas: false });
        if (steps.length < 2 || steps.length > 20) throw invalid('step: give 2 to 20 event names, in order (repeat the parameter)');
        const windowSeconds = integer('window', query.window, { min: 1, max: 366 * 86_400, fallback: 86_400 });
        return this.reports.funnel(scope, steps, windowSeconds);
      }
      default: {
        const unknown: never = report;
        throw new AnalyticsError('REPORT_NOT_FOUND', `there is no report "${String(unknown)}"`, 404);
      }
    }
  }
}

function parseScope(query: Record<string, QueryValue>): ReportScope {
  const from = time('from', query.from);
  const to = time('to', query.to);
  if (from !== undefined && to !== undefined && from >= to) throw invalid('from must be before to');
  const profileIds = list('profileId', query.profileId, { commas: true });
  return { from, to, profileIds: profileIds.length > 0 ? profileIds : undefined };
}

function invalid(message: string): AnalyticsError {
  return new AnalyticsError('INVALID_REQUEST', message, 400);
}
