import { join } from 'node:path';
import { CompiledQuery } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createTable,
  insertRows,
  type TableDefinition,
  varchar,
} from '../sandbox/database-personalities/table-definition.ts';
import {
  dropTargetSchema,
  type MaterialiseTarget,
  openTarget,
} from '../sandbox/database-personalities/target-database.ts';
import type { Connection } from '../src/connectors/contract.ts';
import { prepareConnector } from '../src/connectors/registry.ts';
import type { StatementEvent } from '../src/connectors/sql/guarded-dialect.ts';
import { openReadOnlyDatabase } from '../src/connectors/sql/read-only-database.ts';
import { resolveConnection, type SqlConfig, SqlConfigSchema } from '../src/connectors/sql/sql-config.ts';
import { connectSql } from '../src/connectors/sql/sql-connection.ts';
import { quoteIdentifier } from '../src/connectors/sql/sql-dialect.ts';
import { toErpError } from '../src/connectors/sql/sql-errors.ts';
import { probeServer, skipWithout, uniqueSchema } from '../src/connectors/sql/test-databases.ts';
import { ConfigError } from '../src/errors/index.ts';
import { tempDir } from './support/harness.ts';

/**
 * Read-only, layer by layer, against the real databases: a hostile configured query is refused
 * when the configuration loads, and — should it get past that — refused again before it reaches
 * the server (no statement is handed to the driver); and with the parser check switched off
 * altogether, the database session itself refuses the write.
 */

const dir = tempDir('sql-read-only');
const schemas: MaterialiseTarget[] = [];

afterAll(async () => {
  for (const target of schemas) await dropTargetSchema(target);
});

const ORDERS: TableDefinition = {
  name: 'ORDERS',
  columns: [
    { name: 'ID', type: varchar(10) },
    { name: 'PRIORITY', type: varchar(1) },
  ],
  primaryKey: ['ID'],
};

/** What each database answers when the session refuses a write, and how it shows the session is read-only. */
const READ_ONLY = {
  sqlite: { refusal: /attempt to write a readonly database/, setting: 'PRAGMA query_only' },
  postgres: {
    refusal: /cannot execute UPDATE in a read-only transaction/,
    setting: "select current_setting('default_transaction_read_only') as ro",
  },
  mariadb: {
    refusal: /Cannot execute statement in a READ ONLY transaction/,
    // MariaDB's name for transaction_read_only (which MySQL and MariaDB 11.1+ also accept).
    setting: 'select @@session.tx_read_only as ro',
  },
} as const;

const HOSTILE = [
  "UPDATE ORDERS SET PRIORITY = '1'",
  "SELECT * FROM ORDERS; UPDATE ORDERS SET PRIORITY = '1'",
  "WITH x AS (UPDATE ORDERS SET PRIORITY = '1' RETURNING *) SELECT * FROM x",
  "SELECT * FROM ORDERS /*! ; UPDATE ORDERS SET PRIORITY = '1' */",
  'SELECT * FROM ORDERS FOR UPDATE',
];

for (const dialect of ['sqlite', 'postgres', 'mariadb'] as const) {
  const probe = dialect === 'sqlite' ? undefined : await probeServer(dialect);
  describe.skipIf(probe !== undefined && skipWithout(probe))(`read-only on ${dialect}`, () => {
    const target: MaterialiseTarget =
      dialect === 'sqlite'
        ? { dialect, connection: { file: join(dir, 'orders.sqlite') } }
        : { dialect, connection: { url: probe?.url ?? '' }, schema: uniqueSchema('readonly') };
    let connection: Record<string, unknown>;
    const q = (name: string) => quoteIdentifier(dialect, name);
    const select = `SELECT ${q('ID')}, ${q('PRIORITY')} FROM ${q('ORDERS')}`;
    const update = `UPDATE ${q('ORDERS')} SET ${q('PRIORITY')} = '1'`;

    const configFor = (query: string): SqlConfig =>
      SqlConfigSchema.parse({ kind: 'sql', dialect, connection, entities: { orders: { query, key: 'ID' } } });

    const priorities = async (): Promise<string[]> => {
      const erp = await connectSql(configFor(select), { name: 'erp', env: {} });
      try {
        const read: string[] = [];
        for await (const page of erp.read({ entity: 'orders' })) {
          for (const record of page.records) read.push(String(record.data.PRIORITY));
        }
        return read;
      } finally {
        await erp.close();
      }
    };

    it('starts from three orders of priority 3', async () => {
      if (target.schema !== undefined) schemas.push(target);
      const opened = await openTarget(target);
      try {
        await createTable(opened.db, ORDERS, opened.dialect);
        await insertRows(
          opened.db,
          ORDERS,
          ['A', 'B', 'C'].map((ID) => ({ ID, PRIORITY: '3' })),
        );
      } finally {
        await opened.close();
      }
      connection = opened.readConnection;
      expect(await priorities()).toEqual(['3', '3', '3']);
    });

    it.each(HOSTILE)('refuses %j when the configuration loads', (query) => {
      const prepare = () =>
        prepareConnector(
          'erp',
          { kind: 'sql', dialect, connection, entities: { orders: { query, key: 'ID' } } },
          {},
        );
      expect(prepare).toThrow(ConfigError);
      expect(prepare).toThrow(/^refused: /);
      try {
        prepare();
      } catch (error) {
        expect(error).toMatchObject({ key: 'connectors.erp.entities.orders.query' });
      }
    });

    it.each(HOSTILE)('refuses %j at run time before any statement reaches the server', async (query) => {
      const config = configFor(select);
      const orders = config.entities.orders;
      if (orders === undefined) throw new Error('entity orders missing');
      // As if the configuration had been changed after it was checked.
      config.entities.orders = { ...orders, query };
      const sent: StatementEvent[] = [];
      const erp: Connection = await connectSql(
        config,
        { name: 'erp', env: {} },
        {
          onStatement: (event) => sent.push(event),
        },
      );
      try {
        const reading = (async () => {
          for await (const _page of erp.read({ entity: 'orders' })) {
            // A page would mean the statement ran.
          }
        })();
        await expect(reading).rejects.toMatchObject({
          kind: 'permanent',
          message: expect.stringMatching(/^refused to send a statement .* nothing was sent to /),
        });
        expect(sent).toEqual([]);
      } finally {
        await erp.close();
      }
      expect(await priorities()).toEqual(['3', '3', '3']);
    });

    it('refuses a write in the database itself when the parser check is bypassed', async () => {
      const sent: StatementEvent[] = [];
      const database = await openReadOnlyDatabase(
        resolveConnection(dialect, SqlConfigSchema.shape.connection.parse(connection)),
        { timeoutMs: 10_000, poolSize: 1 },
        { gate: () => undefined, onStatement: (event) => sent.push(event) },
      );
      try {
        const [setting] = await database.execute(CompiledQuery.raw(READ_ONLY[dialect].setting));
        expect(Object.values(setting ?? {}).map(String)).toEqual([dialect === 'postgres' ? 'on' : '1']);
        const error = await database.execute(CompiledQuery.raw(update)).then(
          () => undefined,
          (failure: unknown) => failure,
        );
        expect(String(error)).toMatch(READ_ONLY[dialect].refusal);
        // The statement did reach the server this time: the database, not erpbridge, refused it.
        expect(sent.map((event) => event.sql)).toContain(update);
        expect(toErpError(error, { where: 'connectors.erp', url: database.target })).toMatchObject({
          kind: 'permanent',
          message: expect.stringContaining('the database refused a write: the session is read-only'),
        });
      } finally {
        await database.close();
      }
      expect(await priorities()).toEqual(['3', '3', '3']);
    });
  });
}
