import type { Kysely } from 'kysely';
import type { SqlTables } from '../../src/connectors/sql/read-only-database.ts';
import type { SandboxData } from './sandbox-data.ts';
import type { TableDefinition } from './table-definition.ts';

/**
 * A table personality: how one kind of ERP lays the sandbox's purchase orders and suppliers out in
 * its database. Data plus functions, one file per personality.
 */

/** The personalities, by the name `erpbridge sandbox --tables <personality>` takes. */
export const PERSONALITY_NAMES = ['sap-ecc', 'oracle-ebs', 'legacy-sqlserver'] as const;
export type PersonalityName = (typeof PERSONALITY_NAMES)[number];

export interface TablePersonality {
  name: PersonalityName;
  /** The erpbridge profile that maps these tables to canonical entities. */
  profile: 'sap-ecc-tables' | 'oracle-ebs-tables' | 'legacy-sqlserver';
  /** One sentence for people: what is modelled, and where urgency lives. */
  description: string;
  tables: readonly TableDefinition[];
  /** Every table's rows for the sandbox's data, by table name. */
  rows(data: SandboxData): Record<string, Record<string, unknown>[]>;
  /**
   * Marks orders (sandbox PO numbers, `0045000123`) as changed at `at`, the way the ERP records a
   * change: the last-changed column the profile reads incrementally moves to `at`.
   */
  touch(db: Kysely<SqlTables>, poNumbers: readonly string[], at: Date): Promise<void>;
  /** The latest change recorded in the tables (UTC), or null when there is none. */
  latestChange(db: Kysely<SqlTables>): Promise<Date | null>;
}
