import { Injectable, type INestApplication, type OnModuleInit } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { version } from '../../package.json';

export const DOCS_PATH = 'docs';
export const DOCS_JSON_PATH = 'docs-json';

/**
 * The OpenAPI document (built by @nestjs/swagger from the controllers' decorators) at /docs-json and
 * Swagger UI at /docs. The service kit creates the application, so the module mounts them itself when
 * it is initialised: after the controllers' routes, before the not-found handler. Swagger's scanner
 * reads the application through the same container, config and HTTP adapter the app object exposes.
 */
@Injectable()
export class OpenApiDocs implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly modules: ModulesContainer,
    private readonly appConfig: ApplicationConfig,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    const modules = this.modules;
    const app = {
      container: { getModules: () => modules, isGlobalModule: () => false },
      config: this.appConfig,
      getHttpAdapter: () => adapter,
      useStaticAssets: (path: string, options: unknown) => (adapter as unknown as { useStaticAssets(p: string, o: unknown): void }).useStaticAssets(path, options),
    } as unknown as INestApplication;
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
}
