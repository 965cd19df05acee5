import { Logger, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { DataSource } from 'typeorm';
import type { ServiceConfig } from '@cdp/config';
import type { Logger as KafkaLogger } from '@cdp/kafka';
import { SERVICE_CONFIG, SERVICE_INFO, type ServiceInfo } from '@cdp/service-kit';
import { AuditLog } from '../audit/audit-log';
import { Authenticator } from '../auth/authenticator';
import { TokenRegistry } from '../auth/token-registry';
import { TokenTopic } from '../auth/token-topic';
import { BlindIndex } from '../crypto/blind-index';
import { DataKeyStore } from '../crypto/data-key-store';
import { KeyRing } from '../crypto/key-ring';
import type { SecuritySettings } from '../security-config';
import { AccessTokens } from './access-tokens.service';
import { AuditController } from './audit.controller';
import { AuditInterceptor } from './audit.interceptor';
import { SECURITY_CLOCK, SECURITY_OPTIONS, SECURITY_SETTINGS } from './security.constants';
import { SecurityGuard } from './security.guard';
import type { SecurityModuleOptions } from './security-module.options';
import { TokenFollower } from './token-follower';
import { TokensController } from './tokens.controller';

/**
 * Management auth, audit and field encryption for a service on the service kit:
 * - a global guard enforcing @RequireScopes / @Roles / @Authenticated with bearer tokens checked
 *   against cdp.auth.tokens held in memory (readiness check `auth-tokens`);
 * - the token admin API (`/v1/tokens`, scope tokens:manage) and `GET /v1/audit` (scope audit:read);
 * - @Audited handlers recorded by an interceptor, `@AuditTrail()` and AuditLog for explicit entries;
 * - KeyRing, BlindIndex and DataKeyStore built from the service's SecuritySettings.
 * Global: a service's modules inject these without importing anything.
 */
@Module({})
export class SecurityModule {
  static forRoot(options: SecurityModuleOptions = {}): DynamicModule {
    const providers: Provider[] = [
      { provide: SECURITY_OPTIONS, useValue: options },
      { provide: SECURITY_CLOCK, useValue: options.clock ?? (() => Date.now()) },
      { provide: SECURITY_SETTINGS, useFactory: (config: ServiceConfig) => settingsOf(config, options), inject: [SERVICE_CONFIG] },
      { provide: KeyRing, useFactory: (settings: SecuritySettings) => KeyRing.fromConfig(settings.masterKeys), inject: [SECURITY_SETTINGS] },
      { provide: BlindIndex, useFactory: (settings: SecuritySettings) => new BlindIndex(settings.blindIndexKey), inject: [SECURITY_SETTINGS] },
      {
        provide: DataKeyStore,
        useFactory: (keyRing: KeyRing, config: ServiceConfig) => new DataKeyStore({ schema: config.database.schema, keyRing, cache: options.dataKeyCache }),
        inject: [KeyRing, SERVICE_CONFIG],
      },
      { provide: AuditLog, useFactory: (dataSource: DataSource, config: ServiceConfig) => new AuditLog(dataSource, config.database.schema), inject: [DataSource, SERVICE_CONFIG] },
      { provide: TokenRegistry, useFactory: () => new TokenRegistry() },
      {
        provide: TokenTopic,
        useFactory: (config: ServiceConfig, info: ServiceInfo, registry: TokenRegistry) =>
          new TokenTopic(
            {
              brokers: config.kafka.brokers,
              clientId: config.kafka.clientId,
              topicPrefix: config.kafka.topicPrefix,
              schemaRegistryUrl: config.kafka.schemaRegistryUrl,
              producer: info.name,
              logger: nestLogger('SecurityTokens'),
            },
            registry,
          ),
        inject: [SERVICE_CONFIG, SERVICE_INFO, TokenRegistry],
      },
      {
        provide: Authenticator,
        useFactory: (registry: TokenRegistry, settings: SecuritySettings, clock: () => number) => new Authenticator(registry, settings.bootstrapAdminToken, clock),
        inject: [TokenRegistry, SECURITY_SETTINGS, SECURITY_CLOCK],
      },
      TokenFollower,
      AccessTokens,
      { provide: APP_GUARD, useClass: SecurityGuard },
      { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
    ];
    return {
      module: SecurityModule,
      global: true,
      controllers: [...(options.tokenApi === false ? [] : [TokensController]), ...(options.auditApi === false ? [] : [AuditController])],
      providers,
      exports: [SECURITY_SETTINGS, SECURITY_CLOCK, KeyRing, BlindIndex, DataKeyStore, AuditLog, TokenRegistry, Authenticator, AccessTokens],
    };
  }
}

function settingsOf(config: ServiceConfig, options: SecurityModuleOptions): SecuritySettings {
  const settings = options.settings ? options.settings(config) : (config as ServiceConfig & { security?: SecuritySettings }).security;
  if (!settings) {
    throw new Error('SecurityModule: the service config has no `security` settings; add securityEnv and securitySettingsFrom to its serviceConfig (see @cdp/security)');
  }
  return settings;
}

function nestLogger(context: string): KafkaLogger {
  const logger = new Logger(context);
  return {
    debug: (obj, msg) => logger.debug(obj, msg),
    info: (obj, msg) => logger.log(obj, msg),
    warn: (obj, msg) => logger.warn(obj, msg),
    error: (obj, msg) => logger.error(obj, msg),
  };
}
