import {
  legacySqlServerEntities,
  legacySqlServerFilters,
} from '../../src/profiles/legacy-sqlserver/index.ts';
import {
  oracleEbsTablesEntities,
  oracleEbsTablesFilters,
} from '../../src/profiles/oracle-ebs-tables/index.ts';
import { sapEccTablesEntities, sapEccTablesFilters } from '../../src/profiles/sap-ecc-tables/index.ts';
import { legacySqlServerPersonality } from './legacy-sqlserver.ts';
import { oracleEbsPersonality } from './oracle-ebs.ts';
import type { PersonalityName, TablePersonality } from './personality.ts';
import { readSandboxData, type SandboxData } from './sandbox-data.ts';
import { sapEccPersonality } from './sap-ecc.ts';
import { createTable, insertRows, type TargetDialect } from './table-definition.ts';
import { type MaterialiseTarget, openTarget } from './target-database.ts';

/**
 * Materialising the sandbox's ERP data as another ERP's tables, and changing it the way that ERP
 * records a change — what the `sql` connector and the table profiles are tested and demonstrated
 * against.
 */

/** Every personality by name. */
export const personalities = {
  'sap-ecc': sapEccPersonality,
  'oracle-ebs': oracleEbsPersonality,
  'legacy-sqlserver': legacySqlServerPersonality,
} as const satisfies Record<PersonalityName, TablePersonality>;

/** How erpbridge reads a personality: its profile's connector entities and workflow filters. */
const READERS = {
  'sap-ecc': { entities: sapEccTablesEntities, filters: sapEccTablesFilters },
  'oracle-ebs': {
    entities: (dialect: TargetDialect) => oracleEbsTablesEntities(dialect),
    filters: oracleEbsTablesFilters,
  },
  'legacy-sqlserver': { entities: legacySqlServerEntities, filters: legacySqlServerFilters },
} as const satisfies Record<
  PersonalityName,
  { entities: (dialect: TargetDialect) => Record<string, unknown>; filters: { open: object; closed: object } }
>;

/** Where the data comes from: the sandbox's SQLite file, or records already in hand. */
export type MaterialiseSource = { sandboxDbPath: string } | { records: SandboxData };

export interface MaterialiseOptions {
  source: MaterialiseSource;
  personality: PersonalityName;
  target: MaterialiseTarget;
}

export interface MaterialiseResult {
  personality: PersonalityName;
  /** The erpbridge profile that reads the tables (`profile:` of a workflow). */
  profile: TablePersonality['profile'];
  tables: { name: string; rows: number }[];
  /**
   * A `sql` connector configuration (for `connectors.<name>` in erpbridge.yaml) that reads these
   * tables, read-only. Its connection is the target's, credentials included: print it with care.
   */
  connector: Record<string, unknown>;
  /** `source.filter` and `history.filter` for po-urgency on these tables. */
  filters: { open: Record<string, string>; closed: Record<string, string> };
}

/**
 * Creates `personality`'s tables in `target` (replacing any of the same name) and fills them with
 * the sandbox's suppliers and purchase orders.
 *
 * @example
 *   const result = await materialise({
 *     source: { sandboxDbPath: sandbox.dbPath },
 *     personality: 'sap-ecc',
 *     target: { dialect: 'postgres', connection: { url: 'postgres://postgres@127.0.0.1/test' }, schema: 'erp_sap' },
 *   });
 *   // result.connector → connectors.erp in erpbridge.yaml; result.profile → 'sap-ecc-tables'
 */
export async function materialise(options: MaterialiseOptions): Promise<MaterialiseResult> {
  const personality = personalities[options.personality];
  const data =
    'records' in options.source ? options.source.records : readSandboxData(options.source.sandboxDbPath);
  const rows = personality.rows(data);
  const target = await openTarget(options.target);
  const tables: MaterialiseResult['tables'] = [];
  try {
    for (const table of personality.tables) {
      await createTable(target.db, table, target.dialect);
      const tableRows = rows[table.name] ?? [];
      await target.db.transaction().execute((trx) => insertRows(trx, table, tableRows));
      tables.push({ name: table.name, rows: tableRows.length });
    }
  } finally {
    await target.close();
  }
  const reader = READERS[options.personality];
  return {
    personality: options.personality,
    profile: personality.profile,
    tables,
    connector: {
      kind: 'sql',
      dialect: options.target.dialect,
      connection: target.readConnection,
      entities: reader.entities(options.target.dialect),
    },
    filters: { open: { ...reader.filters.open }, closed: { ...reader.filters.closed } },
  };
}

export interface TouchOptions {
  personality: PersonalityName;
  target: MaterialiseTarget;
  /** The orders to change: canonical ids (`45000123`) or sandbox PO numbers (`0045000123`). */
  orders: readonly string[];
  /** When they changed; default now, or a second after the latest change in the tables if that is later. */
  at?: Date;
}

/**
 * "Someone changed these orders": moves their last-changed column (CDHDR, LAST_UPDATE_DATE,
 * ChangedDate) to `at`, so the next incremental read sees exactly them. Returns the time used.
 */
export async function touchOrders(options: TouchOptions): Promise<{ at: Date; orders: string[] }> {
  const personality = personalities[options.personality];
  const poNumbers = options.orders.map((order) => order.trim().padStart(10, '0'));
  const target = await openTarget(options.target);
  try {
    let at = options.at;
    if (at === undefined) {
      const latest = await personality.latestChange(target.db);
      const now = new Date();
      at =
        latest !== null && latest.getTime() + 1000 > now.getTime() ? new Date(latest.getTime() + 1000) : now;
    }
    const when = at;
    await target.db.transaction().execute((trx) => personality.touch(trx, poNumbers, when));
    return { at: when, orders: poNumbers };
  } finally {
    await target.close();
  }
}

/**
 * A target from a URL, for the CLI (`erpbridge sandbox --tables sap-ecc --into <url>`):
 * `postgres://…`, `mysql://…`, `mariadb://…`, or `sqlite:<file>` / a path ending in `.sqlite` or `.db`.
 */
export function targetFromUrl(url: string, schema?: string): MaterialiseTarget {
  const withSchema = (target: MaterialiseTarget): MaterialiseTarget =>
    schema === undefined ? target : { ...target, schema };
  if (url.startsWith('sqlite:'))
    return { dialect: 'sqlite', connection: { file: url.slice('sqlite:'.length) } };
  if (/\.(sqlite|sqlite3|db)$/i.test(url) && !url.includes('://'))
    return { dialect: 'sqlite', connection: { file: url } };
  const protocol = URL.canParse(url) ? new URL(url).protocol : '';
  if (protocol === 'postgres:' || protocol === 'postgresql:')
    return withSchema({ dialect: 'postgres', connection: { url } });
  if (protocol === 'mysql:') return withSchema({ dialect: 'mysql', connection: { url } });
  if (protocol === 'mariadb:') return withSchema({ dialect: 'mariadb', connection: { url } });
  throw new Error(`"${url}" is no database URL: use postgres://…, mysql://…, mariadb://… or sqlite:<file>`);
}
