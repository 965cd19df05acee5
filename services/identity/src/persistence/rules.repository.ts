import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { ServiceConfig } from '@cdp/config';
import { quoteIdent, type SqlExecutor } from '@cdp/kafka';
import { compileRules, type CompiledRules, type IdentityRulesDocument, validateRules } from '../domain';
import { IdentityError } from '../application/identity.error';

export interface RulesVersion {
  version: number;
  document: IdentityRulesDocument;
  updatedAt: Date;
  updatedBy: string | null;
}

export interface RuleChange {
  version: number;
  document: IdentityRulesDocument;
  changedBy: string | null;
  reason: string | null;
  changedAt: Date;
}

/** How long an instance keeps using the rules version it read last. */
export const RULES_RECHECK_MS = 1000;

/**
 * The identity rules document (one row, versioned) and the append-only history of its changes. Every
 * batch reads the version in its own transaction, so a change applies from the next batch on, on every
 * instance, and a batch never mixes two versions.
 */
@Injectable()
export class RulesRepository {
  private readonly s: string;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig) {
    this.s = quoteIdent(config.database.schema);
  }

  private compiled?: CompiledRules;
  private checkedAt = -Infinity;

  /**
   * The rules in force, compiled once per version. The version is read again at most every
   * RULES_RECHECK_MS, so a change reaches every instance within that time, and a batch always uses
   * one version throughout.
   */
  async current(tx: SqlExecutor, now = Date.now()): Promise<CompiledRules> {
    if (this.compiled && now - this.checkedAt < RULES_RECHECK_MS) return this.compiled;
    const [row] = await tx.query<{ version: number }>(`SELECT version FROM ${this.s}.rules WHERE id = 1`);
    this.checkedAt = now;
    if (!row) throw new IdentityError('GRAPH_CORRUPT', 'the identity rules row is missing (run the migrations)', 500);
    if (this.compiled?.version === row.version) return this.compiled;
    const { document, version } = await this.read(tx);
    this.compiled = compileRules(document, version);
    return this.compiled;
  }

  async read(tx: SqlExecutor): Promise<RulesVersion> {
    const [row] = await tx.query<{ version: number; document: unknown; updated_at: Date; updated_by: string | null }>(
      `SELECT version, document, updated_at, updated_by FROM ${this.s}.rules WHERE id = 1`,
    );
    if (!row) throw new IdentityError('GRAPH_CORRUPT', 'the identity rules row is missing (run the migrations)', 500);
    const checked = validateRules(row.document);
    // Only validated documents are ever written, so a failing one was edited behind the API's back.
    if (!checked.ok) throw new IdentityError('GRAPH_CORRUPT', `the stored identity rules are invalid: ${checked.violations.map((v) => `${v.path} ${v.message}`).join('; ')}`, 500);
    return { version: row.version, document: checked.rules, updatedAt: row.updated_at, updatedBy: row.updated_by };
  }

  /**
   * Replaces the document (validated) when the stored version is still `expectedVersion`, and records
   * the change. Returns the new version.
   */
  async replace(tx: SqlExecutor, input: unknown, change: { expectedVersion?: number; changedBy: string | null; reason: string | null }): Promise<RulesVersion> {
    const checked = validateRules(input);
    if (!checked.ok) {
      throw new IdentityError('INVALID_RULES', `the rules document has ${checked.violations.length} problem(s): ${checked.violations.map((v) => `${v.path} ${v.message}`).join('; ')}`, 422, {
        violations: checked.violations,
      });
    }
    const [current] = await tx.query<{ version: number }>(`SELECT version FROM ${this.s}.rules WHERE id = 1 FOR UPDATE`);
    if (change.expectedVersion !== undefined && current.version !== change.expectedVersion) {
      throw new IdentityError('RULES_VERSION_CONFLICT', `the rules are at version ${current.version}, not ${change.expectedVersion}: read them again and reapply your change`, 409, {
        currentVersion: current.version,
      });
    }
    const version = current.version + 1;
    const document = JSON.stringify(checked.rules);
    await tx.query(`UPDATE ${this.s}.rules SET version = $1, document = $2::jsonb, updated_at = now(), updated_by = $3 WHERE id = 1`, [version, document, change.changedBy]);
    await tx.query(`INSERT INTO ${this.s}.rule_changes (version, document, changed_by, reason) VALUES ($1, $2::jsonb, $3, $4)`, [version, document, change.changedBy, change.reason]);
    // This instance's next batch reads the version again (others within RULES_RECHECK_MS).
    this.checkedAt = -Infinity;
    return this.read(tx);
  }

  async history(tx: SqlExecutor, limit: number, beforeVersion?: number): Promise<RuleChange[]> {
    const rows = await tx.query<{ version: number; document: IdentityRulesDocument; changed_by: string | null; reason: string | null; changed_at: Date }>(
      `SELECT version, document, changed_by, reason, changed_at FROM ${this.s}.rule_changes
       WHERE ($1::int IS NULL OR version < $1) ORDER BY version DESC LIMIT $2`,
      [beforeVersion ?? null, limit],
    );
    return rows.map((r) => ({ version: r.version, document: r.document, changedBy: r.changed_by, reason: r.reason, changedAt: r.changed_at }));
  }
}
