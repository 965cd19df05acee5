import { Controller, Get, Param, Query, UseFilters, UseGuards } from '@nestjs/common';
import { AnalyticsError } from '../analytics.error';
import { TimelineService, type TimelinePage } from '../timeline/timeline.service';
import { AnalyticsProblemFilter } from './analytics-problem.filter';
import { AnalyticsTokenGuard } from './analytics-token.guard';
import { integer, list, single, time, type QueryValue } from './query-params';

const EVENT_TYPES = new Set(['track', 'identify', 'page', 'screen', 'group', 'alias']);

/** `GET /v1/profiles/:id/events`: one customer's events, newest first, following merges. */
@Controller('v1/profiles')
@UseGuards(AnalyticsTokenGuard)
@UseFilters(AnalyticsProblemFilter)
export class TimelineController {
  constructor(private readonly timeline: TimelineService) {}

  @Get(':id/events')
  events(@Param('id') profileId: string, @Query() query: Record<string, QueryValue>): Promise<TimelinePage> {
    if (profileId.length > 200) throw new AnalyticsError('INVALID_REQUEST', 'id: at most 200 characters', 400);
    const types = list('type', query.type, { commas: true });
    const unknown = types.find((t) => !EVENT_TYPES.has(t));
    if (unknown !== undefined) throw new AnalyticsError('INVALID_REQUEST', `type: ${JSON.stringify(unknown)} is not one of ${[...EVENT_TYPES].join(', ')}`, 400);
    return this.timeline.page({
      profileId,
      limit: integer('limit', query.limit, { min: 1, max: 200, fallback: 50 }),
      cursor: single('cursor', query.cursor),
      types,
      // Event names may contain commas: repeat the parameter for several.
      events: list('event', query.event, { commas: false }),
      from: time('from', query.from),
      to: time('to', query.to),
    });
  }
}
