import type { SchemaObject } from '@nestjs/swagger';

const nullableString: SchemaObject = { type: 'string', nullable: true };
const instant: SchemaObject = { type: 'string', format: 'date-time' };
const contactPoint: SchemaObject = {
  type: 'object',
  properties: { value: {}, profileId: { type: 'string' }, firstSeenAt: instant, lastSeenAt: instant },
};

/** JSON schemas of the profile API's bodies, for the OpenAPI document. */
export const SCHEMAS = {
  profile: {
    type: 'object',
    properties: {
      id: { type: 'string', description: 'The live profile' },
      requestedId: { type: 'string', description: 'Present when the id asked for was merged into this profile' },
      mergedProfileIds: { type: 'array', items: { type: 'string' } },
      version: { type: 'integer' },
      updatedAt: instant,
      basic: {
        type: 'object',
        properties: Object.fromEntries(
          ['name', 'firstName', 'lastName', 'gender', 'birthday', 'ageBand', 'occupation', 'incomeBand', 'city', 'region', 'country', 'preferredLanguage'].map((n) => [n, nullableString]),
        ),
      },
      contactPoints: {
        type: 'object',
        nullable: true,
        description: 'null without pii:read',
        properties: { emails: { type: 'array', items: contactPoint }, phones: { type: 'array', items: contactPoint }, addresses: { type: 'array', items: contactPoint } },
      },
      consents: {
        type: 'array',
        items: { type: 'object', properties: { purpose: { type: 'string' }, channel: { type: 'string', enum: ['email', 'sms', 'push', 'phone'] }, status: { type: 'string', enum: ['granted', 'revoked'] }, at: instant, source: { type: 'string' } } },
      },
      traits: { type: 'object', additionalProperties: true },
      computed: {
        type: 'object',
        properties: {
          firstSeenAt: instant,
          lastSeenAt: instant,
          ordersCount: { type: 'integer' },
          totalSpend: { type: 'object', additionalProperties: { type: 'number' }, description: 'per ISO 4217 currency' },
          averageOrderValue: { type: 'object', additionalProperties: { type: 'number' } },
          lastOrderAt: instant,
          daysSinceLastOrder: { type: 'integer', nullable: true },
          favouriteCategories: { type: 'array', items: { type: 'string' } },
          favouriteBrands: { type: 'array', items: { type: 'string' } },
          channels: { type: 'array', items: { type: 'string' } },
          stores: { type: 'array', items: { type: 'string' } },
          onlineOfflineMix: { type: 'object', properties: { onlineOrders: { type: 'integer' }, offlineOrders: { type: 'integer' }, onlineShare: { type: 'number', nullable: true } } },
          ageBand: nullableString,
        },
      },
      pii: { type: 'object', properties: { included: { type: 'boolean' }, withheld: { type: 'array', items: { type: 'string' } } } },
    },
  } satisfies SchemaObject,
  searchRequest: {
    type: 'object',
    properties: {
      filters: {
        type: 'array',
        items: {
          type: 'object',
          required: ['field', 'op'],
          properties: {
            field: { type: 'string', example: 'computed.ordersCount', description: 'traits.<name>, computed.<name> (totalSpend.USD, daysSinceLastOrder, ...) or consents.<purpose>.<channel>' },
            op: { type: 'string', enum: ['eq', 'neq', 'in', 'gt', 'gte', 'lt', 'lte', 'exists', 'contains'] },
            value: { example: 3 },
          },
        },
      },
      limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
      cursor: nullableString,
    },
  } satisfies SchemaObject,
  searchPage: {
    type: 'object',
    properties: {
      items: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, version: { type: 'integer' }, traits: { type: 'object' }, computed: { type: 'object' }, consents: { type: 'object' } } } },
      nextCursor: nullableString,
    },
  } satisfies SchemaObject,
  interaction: {
    type: 'object',
    required: ['type'],
    properties: {
      type: { type: 'string', enum: ['call', 'chat', 'email', 'store_visit', 'complaint', 'feedback'] },
      channel: { type: 'string', example: 'call_center' },
      occurredAt: instant,
      summary: { type: 'string', maxLength: 4000, description: 'personal data: stored encrypted' },
      agent: { type: 'string' },
      satisfaction: { type: 'number', minimum: 0, maximum: 10 },
    },
  } satisfies SchemaObject,
  accepted: { type: 'object', properties: { id: { type: 'string' }, profileId: { type: 'string' }, status: { type: 'string', enum: ['accepted'] } } } satisfies SchemaObject,
  eraseRequest: { type: 'object', properties: { reason: { type: 'string', maxLength: 500 } } } satisfies SchemaObject,
  receipt: {
    type: 'object',
    properties: {
      requestId: { type: 'string' },
      profileId: { type: 'string' },
      profileIds: { type: 'array', items: { type: 'string' } },
      requestedBy: { type: 'string' },
      reason: nullableString,
      requestedAt: instant,
      complete: { type: 'boolean' },
      services: {
        type: 'array',
        items: {
          type: 'object',
          properties: { service: { type: 'string' }, expected: { type: 'boolean' }, confirmedAt: { ...instant, nullable: true }, pendingProfileIds: { type: 'array', items: { type: 'string' } }, details: { type: 'object' } },
        },
      },
    },
  } satisfies SchemaObject,
};
