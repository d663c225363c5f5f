import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { MIGRATIONS_TABLE } from '../database/database-roles.js';
import { rows } from '../database/rows.js';
import { RETENTION_RULES_KEY, type RetentionRule } from './retention-rule.js';

/**
 * Every retention rule of the running app, read from the modules' @RetainedTables, like the
 * processing declarations are read from @Processing. At start it compares them with the tables in
 * the database: a table no rule covers would be kept for ever without anyone having decided so, and a
 * rule for a table that does not exist promises something nothing carries out. Either stops the start.
 */
@Injectable()
export class RetentionRegistry implements OnApplicationBootstrap {
  constructor(
    private readonly modules: ModulesContainer,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const problems = await this.problems();
    if (problems.length) {
      throw new Error(`tables without a retention rule (refusing to start):\n${problems.map((p) => `  ${p}`).join('\n')}`);
    }
  }

  /** In a stable order: by table, then as the module declared them. */
  rules(): RetentionRule[] {
    const seen = new Set<RetentionRule[]>();
    const rules: RetentionRule[] = [];
    for (const module of this.modules.values()) {
      const declared = Reflect.getMetadata(RETENTION_RULES_KEY, module.metatype) as RetentionRule[] | undefined;
      // A dynamic module imported twice is one class: its rules count once.
      if (!declared || seen.has(declared)) continue;
      seen.add(declared);
      rules.push(...declared);
    }
    return rules
      .map((r, i) => ({ r, i }))
      .sort((a, b) => a.r.table.localeCompare(b.r.table) || a.i - b.i)
      .map(({ r }) => r);
  }

  async problems(): Promise<string[]> {
    const tables = await this.tables();
    const covered = new Set(this.rules().map((r) => r.table));
    return [
      ...tables.filter((t) => !covered.has(t)).map((t) => `${t}: no retention rule (declare one with @RetainedTables in the module that owns it)`),
      ...[...covered]
        .filter((t) => !tables.includes(t))
        .sort()
        .map((t) => `${t}: a retention rule names this table, but the database has no such table`),
    ];
  }

  /** Ordinary and partitioned tables of the public schema; partitions are covered by their parent's rule. */
  private async tables(): Promise<string[]> {
    const tables = await rows<{ name: string }>(
      this.db,
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> $1
        ORDER BY c.relname`,
      [MIGRATIONS_TABLE],
    );
    return tables.map((r) => r.name);
  }
}
