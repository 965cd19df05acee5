import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { version } from '../../package.json';

export const DOCS_PATH = 'docs';
export const DOCS_JSON_PATH = 'docs-json';

/**
 * The OpenAPI document (built by @nestjs/swagger from the controllers' decorators) at /docs-json and
 * Swagger UI at /docs, mounted on the application the service kit created (ServiceDefinition.configureApp).
 */
export function mountOpenApi(app: INestApplication): void {
  const info = new DocumentBuilder()
    .setTitle('CDP profile API')
    .setDescription(
      'Unified customer profiles: reads (merged ids follow to the live profile), lookups by identifier, search, orders, interactions, privacy (export, erasure with receipts). Bearer tokens with roles and scopes; personal data needs pii:read and every read of it is audited.',
    )
    .setVersion(version)
    .addBearerAuth()
    .build();
  SwaggerModule.setup(DOCS_PATH, app, () => SwaggerModule.createDocument(app, info), { jsonDocumentUrl: DOCS_JSON_PATH, yamlDocumentUrl: 'docs-yaml' });
}
