import { type CompiledQuery, Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createReadOnlyDialect } from './database-dialects.ts';
import { checkReadOnlySelect } from './read-only-check.ts';
import type { SqlTables } from './read-only-database.ts';
import { childQueries, getQuery, pageQuery } from './record-queries.ts';
import { type SqlConfig, SqlConfigSchema } from './sql-config.ts';
import { SQL_DIALECTS, type SqlDialect } from './sql-dialect.ts';

/** Kysely per dialect, for compiling only: building a dialect opens no connection. */
const builders = new Map<SqlDialect, Kysely<SqlTables>>();
async function builder(dialect: SqlDialect): Promise<Kysely<SqlTables>> {
  const existing = builders.get(dialect);
  if (existing !== undefined) return existing;
  const connection =
    dialect === 'sqlite'
      ? { file: '/nonexistent/never-opened.sqlite', host: '', port: null }
      : { file: undefined, host: '127.0.0.1', port: 1 };
  const { dialect: kyselyDialect } = await createReadOnlyDialect(
    { dialect, user: 'ro', password: 'x', database: 'erp', schema: undefined, ssl: false, ...connection },
    { timeoutMs: 1000, poolSize: 1 },
  );
  const db = new Kysely<SqlTables>({ dialect: kyselyDialect });
  builders.set(dialect, db);
  return db;
}

afterAll(async () => {
  for (const db of builders.values()) await db.destroy();
});

function entityOf(dialect: SqlDialect, entity: Record<string, unknown>): SqlConfig['entities'][string] {
  const config = SqlConfigSchema.parse({
    kind: 'sql',
    dialect,
    connection: dialect === 'sqlite' ? { file: 'x.sqlite' } : { url: urlFor(dialect) },
    entities: { purchase_orders: entity },
  });
  const parsed = config.entities.purchase_orders;
  if (parsed === undefined) throw new Error('entity missing');
  return parsed;
}

function urlFor(dialect: SqlDialect): string {
  const scheme = {
    postgres: 'postgres',
    mysql: 'mysql',
    mariadb: 'mariadb',
    mssql: 'mssql',
    oracle: 'oracle',
  };
  return dialect === 'sqlite' ? '' : `${scheme[dialect]}://ro@db:1/erp`;
}

const HEADERS = {
  table: 'POHEADER',
  key: ['VENDOR_ID', 'PO_#'],
  changedColumn: 'ChangedDate',
  filterColumns: { status: 'CLOSED_FLAG' },
};

describe('the statements a sql connection sends', () => {
  it('pages by key with bound values, never OFFSET, in PostgreSQL', async () => {
    const db = await builder('postgres');
    const compiled = pageQuery(db, 'postgres', entityOf('postgres', HEADERS), {
      filter: [{ column: 'CLOSED_FLAG', value: ' ' }],
      after: { key: ['100042', 45000123] },
      limit: 501,
    });
    expect(compiled.sql).toBe(
      'select * from "POHEADER" as "q" where "CLOSED_FLAG" = $1 and ("VENDOR_ID" > $2 or ("VENDOR_ID" = $3 and "PO_#" > $4)) order by "VENDOR_ID", "PO_#" limit $5',
    );
    expect(compiled.parameters).toEqual([' ', '100042', '100042', 45000123, 501]);
    expect(compiled.sql).not.toMatch(/offset/i);
  });

  it('reads incrementally in (changed, key) order from the watermark', async () => {
    const db = await builder('mariadb');
    const compiled = pageQuery(db, 'mariadb', entityOf('mariadb', { ...HEADERS, key: 'PO_#' }), {
      filter: [],
      changedSince: '2026-11-01 10:00:00',
      after: { key: [45000123], changed: '2026-11-02 08:00:00' },
      limit: 11,
    });
    expect(compiled.sql).toBe(
      'select * from `POHEADER` as `q` where `ChangedDate` > ? and (`ChangedDate` > ? or (`ChangedDate` = ? and `PO_#` > ?)) order by `ChangedDate`, `PO_#` limit ?',
    );
    expect(compiled.parameters).toEqual([
      '2026-11-01 10:00:00',
      '2026-11-02 08:00:00',
      '2026-11-02 08:00:00',
      45000123,
      11,
    ]);
  });

  it('limits with TOP on SQL Server and FETCH FIRST on Oracle, around a configured query', async () => {
    const query = { query: 'SELECT h.SEGMENT1, h.LAST_UPDATE_DATE FROM PO_HEADERS_ALL h', key: 'SEGMENT1' };
    const mssql = pageQuery(await builder('mssql'), 'mssql', entityOf('mssql', query), {
      filter: [],
      limit: 3,
    });
    expect(mssql.sql).toBe(
      'select top(3) * from (SELECT h.SEGMENT1, h.LAST_UPDATE_DATE FROM PO_HEADERS_ALL h) as "q" order by "SEGMENT1"',
    );
    const oracle = pageQuery(await builder('oracle'), 'oracle', entityOf('oracle', query), {
      filter: [],
      after: { key: ['45000123'] },
      limit: 3,
    });
    expect(oracle.sql).toBe(
      'select * from (SELECT h.SEGMENT1, h.LAST_UPDATE_DATE FROM PO_HEADERS_ALL h) "q" where "SEGMENT1" > :1 order by "SEGMENT1" fetch first :2 rows only',
    );
    expect(oracle.parameters).toEqual(['45000123', 3]);
  });

  it('binds hostile values; only Kysely-quoted names and the checked query are SQL text', async () => {
    const db = await builder('postgres');
    const hostile = 'x\' OR 1=1; DROP TABLE "POHEADER"; --';
    const compiled = getQuery(db, 'postgres', entityOf('postgres', { table: 'POHEADER', key: 'PO_#' }), [
      hostile,
    ]);
    expect(compiled.sql).toBe('select * from "POHEADER" as "q" where "PO_#" = $1 limit $2');
    expect(compiled.parameters).toEqual([hostile, 2]);
  });

  it('splits child lookups under Oracle’s 1000-item IN lists and SQL Server’s parameter limit', async () => {
    const parents = Array.from({ length: 2500 }, (_, index) => ({ PO_HEADER_ID: 100_000 + index }));
    const child = { table: 'PO_LINES_ALL', match: { PO_HEADER_ID: 'PO_HEADER_ID' }, orderBy: ['LINE_NUM'] };
    const oracle = childQueries(await builder('oracle'), 'oracle', child, parents);
    expect(oracle.map((compiled) => compiled.parameters.length)).toEqual([1000, 1000, 500]);
    expect(oracle[0]?.sql).toMatch(
      /^select \* from "PO_LINES_ALL" "q" where "PO_HEADER_ID" in \(:1, :2, .* order by "PO_HEADER_ID", "LINE_NUM"$/,
    );
    const composite = childQueries(
      await builder('mssql'),
      'mssql',
      { table: 'PODETAIL', match: { VENDOR_ID: 'VENDOR_ID', 'PO_#': 'PO_#' } },
      Array.from({ length: 1500 }, (_, index) => ({ VENDOR_ID: 'V1', 'PO_#': index })),
    );
    expect(composite.every((compiled) => compiled.parameters.length <= 2000)).toBe(true);
    expect(composite[0]?.sql).toMatch(/where \(\("VENDOR_ID" = @1 and "PO_#" = @2\) or/);
  });

  it.each(SQL_DIALECTS)('builds only statements its own gate lets through (%s)', async (dialect) => {
    const db = await builder(dialect);
    const entity = entityOf(dialect, {
      query: 'SELECT a.ID, a.CHANGED, a.STATUS FROM ORDERS a WHERE a.KIND = 1',
      key: ['ID'],
      changedColumn: 'CHANGED',
      filterColumns: { status: 'STATUS' },
    });
    const statements: CompiledQuery[] = [
      pageQuery(db, dialect, entity, { filter: [{ column: 'STATUS', value: 'OPEN' }], limit: 10 }),
      pageQuery(db, dialect, entity, {
        filter: [],
        changedSince: '2026-01-01 00:00:00',
        after: { key: [7], changed: '2026-01-02 00:00:00' },
        limit: 10,
      }),
      getQuery(db, dialect, entity, ['7']),
      ...childQueries(db, dialect, { table: 'LINES', match: { ORDER_ID: 'ID' }, orderBy: ['LINE'] }, [
        { ID: 1 },
      ]),
    ];
    for (const statement of statements) {
      expect(checkReadOnlySelect(statement.sql, dialect), statement.sql).toEqual({ ok: true });
    }
  });
});
