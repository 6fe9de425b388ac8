import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import type { Connection, RecordPage } from '../contract.ts';
import type { StatementEvent } from './guarded-dialect.ts';
import { type SqlConfig, SqlConfigSchema } from './sql-config.ts';
import { connectSql } from './sql-connection.ts';

let dir: string;
let file: string;

/** Ten orders with lines; orders 3 and 8 changed last. */
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'erpbridge-sql-connection-'));
  file = join(dir, 'erp.sqlite');
  const db = new Database(file);
  db.exec(`
    CREATE TABLE ORDERS (ID TEXT PRIMARY KEY, STATUS TEXT NOT NULL, CHANGED TEXT NOT NULL, AMOUNT DECIMAL(10,2));
    CREATE TABLE LINES (ORDER_ID TEXT NOT NULL, LINE INTEGER NOT NULL, ITEM TEXT NOT NULL, PRIMARY KEY (ORDER_ID, LINE));
  `);
  const insertOrder = db.prepare('INSERT INTO ORDERS VALUES (?, ?, ?, ?)');
  const insertLine = db.prepare('INSERT INTO LINES VALUES (?, ?, ?)');
  for (let index = 1; index <= 10; index++) {
    const id = `PO-${String(index).padStart(2, '0')}`;
    const changed =
      index === 3 || index === 8 ? `2026-11-0${index === 3 ? 5 : 4} 10:00:00` : '2026-11-01 09:00:00';
    insertOrder.run(id, index % 2 === 0 ? 'CLOSED' : 'OPEN', changed, index * 10.5);
    for (let line = 1; line <= (index % 3) + 1; line++)
      insertLine.run(id, line * 10, `ITEM-${index}-${line}`);
  }
  db.close();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function config(entities: Record<string, unknown> = {}): SqlConfig {
  return SqlConfigSchema.parse({
    kind: 'sql',
    dialect: 'sqlite',
    connection: { file },
    entities: {
      orders: {
        table: 'ORDERS',
        key: 'ID',
        version: 'CHANGED',
        changedColumn: 'CHANGED',
        filterColumns: { status: 'STATUS' },
        children: { lines: { table: 'LINES', match: { ORDER_ID: 'ID' }, orderBy: ['LINE'] } },
      },
      ...entities,
    },
  });
}

async function open(entities?: Record<string, unknown>) {
  const statements: StatementEvent[] = [];
  const connection = await connectSql(
    config(entities),
    { name: 'erp', env: {} },
    {
      onStatement: (event) => statements.push(event),
    },
  );
  return { connection, statements };
}

async function pages(
  connection: Connection,
  query: Parameters<Connection['read']>[0],
): Promise<RecordPage[]> {
  const read: RecordPage[] = [];
  for await (const page of connection.read(query)) read.push(page);
  return read;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('a sql connection', () => {
  it('reads page by page by key, with a cursor on every page but the last, never with OFFSET', async () => {
    const { connection, statements } = await open();
    const read = await pages(connection, { entity: 'orders', pageSize: 4 });
    expect(read.map((page) => page.records.map((record) => record.key))).toEqual([
      ['PO-01', 'PO-02', 'PO-03', 'PO-04'],
      ['PO-05', 'PO-06', 'PO-07', 'PO-08'],
      ['PO-09', 'PO-10'],
    ]);
    expect(read.map((page) => page.cursor === null)).toEqual([false, false, true]);
    expect(read.map((page) => page.watermark)).toEqual([
      '2026-11-05 10:00:00',
      '2026-11-05 10:00:00',
      '2026-11-05 10:00:00',
    ]);
    expect(statements.some((statement) => /offset/i.test(statement.sql))).toBe(false);
    // Each page is one query for the orders and one for all their lines.
    expect(statements).toHaveLength(6);
    await connection.close();
  });

  it('attaches child rows in order, keeps decimals exact, and carries the version', async () => {
    const { connection } = await open();
    const [page] = await pages(connection, { entity: 'orders', pageSize: 3 });
    const third = page?.records[2];
    expect(third).toEqual({
      key: 'PO-03',
      version: '2026-11-05 10:00:00',
      data: {
        ID: 'PO-03',
        STATUS: 'OPEN',
        CHANGED: '2026-11-05 10:00:00',
        AMOUNT: 31.5,
        lines: [{ ORDER_ID: 'PO-03', LINE: 10, ITEM: 'ITEM-3-1' }],
      },
    });
    await connection.close();
  });

  it('resumes from a cursor with the page after it', async () => {
    const { connection } = await open();
    const [first] = await pages(connection, { entity: 'orders', pageSize: 4, filter: { status: 'OPEN' } });
    const rest = await pages(connection, {
      entity: 'orders',
      pageSize: 4,
      filter: { status: 'OPEN' },
      resumeFrom: first?.cursor ?? '',
    });
    expect(rest.flatMap((page) => page.records.map((record) => record.key))).toEqual(['PO-09']);
    const wrong = await failure(pages(connection, { entity: 'orders', resumeFrom: '{"v":1}' }));
    expect(wrong).toMatchObject({ kind: 'validation', context: { field: 'resumeFrom' } });
    await connection.close();
  });

  it('reads only what changed after the watermark, in change order, and reports the highest', async () => {
    const { connection, statements } = await open();
    const read = await pages(connection, {
      entity: 'orders',
      pageSize: 1,
      changedSince: '2026-11-01 09:00:00',
    });
    expect(read.flatMap((page) => page.records.map((record) => record.key))).toEqual(['PO-08', 'PO-03']);
    expect(read.map((page) => page.watermark)).toEqual(['2026-11-04 10:00:00', '2026-11-05 10:00:00']);
    expect(statements[0]?.sql).toBe(
      'select * from "ORDERS" as "q" where "CHANGED" > ? order by "CHANGED", "ID" limit ?',
    );
    const none = await pages(connection, { entity: 'orders', changedSince: '2026-11-05 10:00:00' });
    expect(none).toEqual([{ records: [], total: null, rejects: [], cursor: null, watermark: null }]);
    await connection.close();
  });

  it('gets one record with its children, or null', async () => {
    const { connection } = await open();
    expect(await connection.get('orders', 'PO-05')).toMatchObject({
      key: 'PO-05',
      data: { lines: [{ LINE: 10 }, { LINE: 20 }, { LINE: 30 }] },
    });
    expect(await connection.get('orders', 'PO-99')).toBeNull();
    await connection.close();
  });

  it('refuses what the configuration does not declare, naming where to declare it', async () => {
    const { connection } = await open({ plain: { table: 'ORDERS', key: 'ID' } });
    expect(await failure(pages(connection, { entity: 'orders', filter: { buyer: 'X' } }))).toMatchObject({
      kind: 'validation',
      context: { field: 'buyer', hint: 'declare it under connectors.erp.entities.orders.filterColumns' },
    });
    expect(await failure(pages(connection, { entity: 'plain', changedSince: '2026-01-01' }))).toMatchObject({
      kind: 'permanent',
      message: 'plain has no changedColumn, so it cannot be read incrementally',
    });
    expect(await failure(pages(connection, { entity: 'nothing' }))).toMatchObject({ kind: 'permanent' });
    await connection.close();
  });

  it('names a column the query does not select', async () => {
    const { connection } = await open({
      partial: { query: 'SELECT ID, STATUS FROM ORDERS', key: 'ID', version: 'CHANGED' },
      keyless: { query: 'SELECT STATUS FROM ORDERS', key: 'ID' },
    });
    expect(await failure(pages(connection, { entity: 'partial' }))).toMatchObject({
      kind: 'permanent',
      message: 'the rows of partial have no column CHANGED (they have ID, STATUS)',
      context: { field: 'CHANGED' },
    });
    expect(await failure(pages(connection, { entity: 'keyless' }))).toMatchObject({
      kind: 'permanent',
      message: expect.stringMatching(/no such column: "?ID"?/),
      context: {
        entity: 'keyless',
        hint: 'check the tables, columns and queries under connectors.erp.entities.keyless',
      },
    });
    await connection.close();
  });

  it('never writes, and says where writes belong', async () => {
    const { connection, statements } = await open();
    const error = await failure(
      connection.write({ entity: 'orders', key: 'PO-01', fields: { STATUS: 'X' } }),
    );
    expect(error).toBeInstanceOf(ErpError);
    expect(error).toMatchObject({
      kind: 'permanent',
      message: expect.stringContaining('never writes to it: a direct write would bypass the ERP'),
      context: { hint: expect.stringContaining('API, SOAP services or an import file') },
    });
    expect(statements).toHaveLength(0);
    await connection.close();
  });

  it('refuses a hostile query that skipped the load-time check before it reaches the database', async () => {
    // As if the configuration had been altered after it was checked: the gate still stands.
    const hostile = config();
    const orders = hostile.entities.orders;
    if (orders === undefined) throw new Error('entity orders missing');
    hostile.entities.orders = {
      ...orders,
      table: undefined,
      query: 'SELECT * FROM ORDERS; DELETE FROM ORDERS',
    };
    const statements: StatementEvent[] = [];
    const connection = await connectSql(
      hostile,
      { name: 'erp', env: {} },
      {
        onStatement: (event) => statements.push(event),
      },
    );
    expect(await failure(pages(connection, { entity: 'orders' }))).toMatchObject({
      kind: 'permanent',
      message: expect.stringMatching(/refused to send .*";".*nothing was sent to sqlite:/),
    });
    expect(statements).toEqual([]);
    await connection.close();
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM ORDERS').get()).toEqual({ n: 10 });
    db.close();
  });

  it('opens a relative SQLite file next to the config file', async () => {
    const relative = SqlConfigSchema.parse({
      kind: 'sql',
      dialect: 'sqlite',
      connection: { file: 'erp.sqlite' },
      entities: { orders: { table: 'ORDERS', key: 'ID' } },
    });
    const connection = await connectSql(relative, { name: 'erp', env: {}, baseDir: dir });
    expect(await connection.get('orders', 'PO-01')).toMatchObject({ key: 'PO-01' });
    await connection.close();
  });

  it('tests its connection by reading one row', async () => {
    const { connection } = await open();
    expect(await connection.test()).toEqual({
      ok: true,
      message: `sqlite:${file}: orders answered (1 row read)`,
    });
    await connection.close();
    await connection.close();
  });
});
