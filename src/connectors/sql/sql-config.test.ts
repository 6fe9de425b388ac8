// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${ENV} references are what some of these tests are about
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors/index.ts';
import { prepareConnector } from '../registry.ts';
import { describeConnection, resolveConnection, SqlConfigSchema } from './sql-config.ts';

const base = {
  kind: 'sql',
  dialect: 'postgres',
  connection: { url: 'postgres://erp_ro@db.example:5433/erp', password: 'pw' },
  entities: { purchase_orders: { table: 'EKKO', key: 'EBELN' } },
};

function problems(config: unknown): { path: string; message: string }[] {
  const parsed = SqlConfigSchema.safeParse(config);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

describe('the sql connector configuration', () => {
  it('fills in defaults and keeps keys as lists', () => {
    const config = SqlConfigSchema.parse({
      ...base,
      entities: { purchase_orders: { table: 'sapsr3.EKKO', key: ['MANDT', 'EBELN'] } },
    });
    expect(config).toMatchObject({ pageSize: 500, timeoutMs: 30_000, poolSize: 4 });
    expect(config.entities.purchase_orders).toEqual({
      table: 'sapsr3.EKKO',
      key: ['MANDT', 'EBELN'],
      filterColumns: {},
      children: {},
    });
  });

  it('refuses a query that could write, naming the entity and the reason', () => {
    expect(
      problems({ ...base, entities: { purchase_orders: { query: 'DELETE FROM EKKO', key: 'EBELN' } } }),
    ).toEqual([
      {
        path: 'entities.purchase_orders.query',
        message:
          'refused: only SELECT (or WITH … SELECT) is allowed; this starts with offset 0 (near "DELETE FROM EKKO")',
      },
    ]);
    expect(
      problems({
        ...base,
        entities: {
          purchase_orders: {
            table: 'EKKO',
            key: 'EBELN',
            children: { lines: { query: 'SELECT * FROM EKPO FOR UPDATE', match: { EBELN: 'EBELN' } } },
          },
        },
      }),
    ).toEqual([
      {
        path: 'entities.purchase_orders.children.lines.query',
        message: 'refused: UPDATE has no place in a read, at offset 23 (near "UPDATE")',
      },
    ]);
  });

  it('wants exactly one of table and query, and names that are only names', () => {
    expect(problems({ ...base, entities: { po: { key: 'ID' } } })).toEqual([
      { path: 'entities.po', message: 'give either table or query (exactly one)' },
    ]);
    expect(
      problems({ ...base, entities: { po: { table: 'T', query: 'SELECT 1', key: 'ID' } } }),
    ).toHaveLength(1);
    expect(problems({ ...base, entities: { po: { table: 'T; DROP TABLE T', key: 'ID' } } })[0]?.path).toBe(
      'entities.po.table',
    );
    expect(problems({ ...base, entities: { po: { table: 'T', key: 'ID"--' } } })[0]?.path).toBe(
      'entities.po.key',
    );
  });

  it('checks the connection for the dialect', () => {
    expect(problems({ ...base, dialect: 'sqlite' }).map((problem) => problem.path)).toEqual([
      'connection.file',
      'connection.url',
      'connection.password',
    ]);
    expect(problems({ ...base, connection: { url: 'mysql://x@h/db' } })).toEqual([
      { path: 'connection.url', message: 'expected a postgres: or postgresql: URL' },
    ]);
    expect(problems({ ...base, connection: { host: 'db' } }).map((problem) => problem.path)).toEqual([
      'connection.user',
      'connection.database',
    ]);
    expect(
      problems({ ...base, dialect: 'mssql', connection: { url: 'mssql://u@h/db', schema: 'dbo' } }),
    ).toEqual([
      {
        path: 'connection.schema',
        message: 'schema does not apply to SQL Server; qualify the tables (dbo.POHEADER)',
      },
    ]);
  });

  it('takes the URL apart and describes the target without the password', () => {
    const config = SqlConfigSchema.parse({
      ...base,
      connection: { url: 'postgres://erp%20ro:p%40ss@db.example:5433/erp' },
    });
    const resolved = resolveConnection('postgres', config.connection);
    expect(resolved).toMatchObject({
      host: 'db.example',
      port: 5433,
      user: 'erp ro',
      password: 'p@ss',
      database: 'erp',
    });
    expect(describeConnection(resolved)).toBe('postgres://erp%20ro@db.example:5433/erp');
    expect(
      describeConnection(
        resolveConnection('mssql', { host: 'sql1', user: 'ro', database: 'ERP', ssl: false }),
      ),
    ).toBe('mssql://ro@sql1:1433/ERP');
  });

  it('is checked by the registry when erpbridge.yaml loads, secrets kept out of the message', () => {
    const prepare = () =>
      prepareConnector(
        'erp',
        {
          ...base,
          connection: { url: 'postgres://erp_ro@db/erp', password: '${ERP_DB_PASSWORD}' },
          entities: {
            purchase_orders: {
              query: "SELECT * FROM EKKO WHERE X = 'hunter22'; DROP TABLE EKKO",
              key: 'EBELN',
            },
          },
        },
        { ERP_DB_PASSWORD: 'hunter22' },
      );
    expect(prepare).toThrow(ConfigError);
    try {
      prepare();
    } catch (error) {
      expect(error).toMatchObject({ key: 'connectors.erp.entities.purchase_orders.query' });
      expect(error).toMatchObject({ message: expect.not.stringContaining('hunter22') });
    }
  });
});
