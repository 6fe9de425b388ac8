import { MssqlDialect, MysqlDialect, PostgresDialect, SqliteDialect } from 'kysely';
import { OracleDialect } from 'kysely-oracledb';
import { describe, expect, it } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import {
  createReadOnlyDialect,
  mysqlSessionStatements,
  oracleSessionStatement,
  READ_ONLY_BEGIN,
} from './database-dialects.ts';
import { resolveConnection, SqlConfigSchema } from './sql-config.ts';
import { connectSql } from './sql-connection.ts';
import type { SqlDialect } from './sql-dialect.ts';

const CONFIGS: [SqlDialect, Record<string, unknown>, unknown][] = [
  ['sqlite', { file: '/tmp/never-opened.sqlite' }, SqliteDialect],
  ['postgres', { url: 'postgres://ro@127.0.0.1:1/erp' }, PostgresDialect],
  ['mysql', { url: 'mysql://ro@127.0.0.1:1/erp' }, MysqlDialect],
  ['mariadb', { url: 'mariadb://ro@127.0.0.1:1/erp' }, MysqlDialect],
  ['mssql', { host: '127.0.0.1', port: 1, user: 'ro', database: 'erp' }, MssqlDialect],
  ['oracle', { url: 'oracle://ro@127.0.0.1:1/ORCLPDB1' }, OracleDialect],
];

describe('dialect selection', () => {
  it.each(CONFIGS)(
    '%s selects its Kysely dialect and opens nothing',
    async (dialect, connection, expected) => {
      const config = SqlConfigSchema.parse({
        kind: 'sql',
        dialect,
        connection,
        entities: { po: { table: 'PO', key: 'ID' } },
      });
      const selected = await createReadOnlyDialect(resolveConnection(dialect, config.connection), {
        timeoutMs: 1000,
        poolSize: 1,
      });
      expect(selected.dialect).toBeInstanceOf(expected);
    },
  );

  it('begins every read the read-only way each database has', () => {
    expect(READ_ONLY_BEGIN).toEqual({
      sqlite: ['begin'],
      postgres: ['start transaction isolation level repeatable read, read only'],
      mysql: ['start transaction with consistent snapshot, read only'],
      mariadb: ['start transaction with consistent snapshot, read only'],
      mssql: [],
      oracle: ['set transaction read only'],
    });
    expect(mysqlSessionStatements('mysql', 30_000)).toEqual([
      'SET SESSION TRANSACTION READ ONLY',
      'SET SESSION max_execution_time = 30000',
    ]);
    expect(mysqlSessionStatements('mariadb', 2_500)).toEqual([
      'SET SESSION TRANSACTION READ ONLY',
      'SET SESSION max_statement_time = 2.500',
    ]);
    expect(oracleSessionStatement('APPS')).toBe(
      "ALTER SESSION SET NLS_DATE_FORMAT = 'YYYY-MM-DD HH24:MI:SS' NLS_TIMESTAMP_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF3' NLS_NUMERIC_CHARACTERS = '.,' TIME_ZONE = '+00:00' CURRENT_SCHEMA = \"APPS\"",
    );
  });

  it.each([
    ['mssql', { host: '127.0.0.1', port: 1, user: 'ro', password: 's3cret-pw', database: 'erp' }],
    ['oracle', { url: 'oracle://ro@127.0.0.1:1/ORCLPDB1', password: 's3cret-pw' }],
  ] as const)(
    '%s goes through the same code path: an unreachable server is a transient ErpError',
    async (dialect, connection) => {
      const config = SqlConfigSchema.parse({
        kind: 'sql',
        dialect,
        connection,
        timeoutMs: 2000,
        entities: { po: { table: 'PO', key: 'ID' } },
      });
      const erp = await connectSql(config, { name: 'erp', env: {} });
      const reading = (async () => {
        for await (const _page of erp.read({ entity: 'po' })) {
          // Never reached: nothing listens on port 1.
        }
      })();
      const error = await reading.then(
        () => undefined,
        (failure: unknown) => failure,
      );
      await erp.close();
      expect(error).toBeInstanceOf(ErpError);
      expect(error).toMatchObject({
        kind: 'transient',
        context: {
          connector: 'erp',
          url: `${dialect}://ro@127.0.0.1:1/${dialect === 'mssql' ? 'erp' : 'ORCLPDB1'}`,
        },
      });
      expect(error).toMatchObject({ message: expect.not.stringContaining('s3cret-pw') });
    },
  );
});
