import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { SqlExecutor } from '@cdp/kafka';
import { BUILT_IN_TYPES, type IdentityRulesDocument } from '../domain';
import { type RuleChange, RulesRepository, type RulesVersion } from '../persistence/rules.repository';
import { IdentityError } from './identity.error';

export interface RulesChange {
  expectedVersion?: number;
  changedBy: string | null;
  reason: string | null;
}

/**
 * Changes to the identity rules, each a new version recorded with who made it and why. Resolution
 * picks a new version up with its next batch on every instance. Changes apply to what happens next:
 * links and merges made under earlier rules stay (undo a wrong merge with a split).
 */
@Injectable()
export class RulesAdmin {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: RulesRepository,
  ) {}

  current(): Promise<RulesVersion> {
    return this.rules.read(this.db());
  }

  replace(document: unknown, change: RulesChange): Promise<RulesVersion> {
    return this.transaction((tx) => this.rules.replace(tx, document, change));
  }

  /** Adds or replaces the rule of one identifier type. */
  putType(type: string, rule: unknown, change: RulesChange): Promise<RulesVersion> {
    return this.transaction(async (tx) => {
      const { document } = await this.rules.read(tx);
      return this.rules.replace(tx, { ...document, types: { ...document.types, [type]: rule } }, change);
    });
  }

  /** Removes a custom type's rule (its identifiers then follow the custom-type defaults, or are ignored). */
  deleteType(type: string, change: RulesChange): Promise<RulesVersion> {
    if ((BUILT_IN_TYPES as readonly string[]).includes(type)) {
      throw new IdentityError('INVALID_RULES', `${type} is a built-in type: change its rule instead of deleting it`, 422, { field: 'type' });
    }
    return this.transaction(async (tx) => {
      const { document } = await this.rules.read(tx);
      if (!(type in document.types)) throw new IdentityError('INVALID_RULES', `there is no rule for ${type}`, 404, { field: 'type' });
      const types: Record<string, IdentityRulesDocument['types'][string]> = { ...document.types };
      delete types[type];
      return this.rules.replace(tx, { ...document, types }, change);
    });
  }

  history(limit: number, beforeVersion?: number): Promise<RuleChange[]> {
    return this.rules.history(this.db(), limit, beforeVersion);
  }

  private transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work({ query: async <R>(sql: string, params?: unknown[]) => (await manager.query(sql, params)) as R[] }));
  }

  private db(): SqlExecutor {
    return { query: async <R>(sql: string, params?: unknown[]) => (await this.dataSource.query(sql, params)) as R[] };
  }
}
