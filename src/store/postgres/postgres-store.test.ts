import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeServer, skipWithout } from '../../connectors/sql/test-databases.ts';
import { ErpError } from '../../errors/index.ts';
import type { Store } from '../contract.ts';
import { STORE_MIGRATIONS } from '../migrations/index.ts';
import { createSqliteStore } from '../sqlite/sqlite-store.ts';
import { describeStoreConformance } from '../store-conformance.ts';
import { entriesAfter, testChange, testRun } from '../test-records.ts';
import { createPostgresStore } from './postgres-store.ts';
import { TestSchema } from './test-schema.ts';

const probe = await probeServer('postgres');
const skip = skipWithout(probe);

describe.skipIf(skip)('PostgreSQL store', () => {
  // The conformance suite in one schema for this file, emptied between tests, dropped at the end.
  const conformance = new TestSchema(probe.url, 'conformance');
  afterAll(() => conformance.drop());
  describeStoreConformance('postgres', () => conformance.conformanceStore());

  describe('schema', () => {
    let schema: TestSchema;

    beforeEach(() => {
      schema = new TestSchema(probe.url, 'schema');
    });

    afterEach(async () => {
      await schema.drop();
    });

    it('creates its schema with the same tables and columns as SQLite, text compared byte-wise', async () => {
      await schema.store().migrate();
      const columns = await schema.sql<{
        table_name: string;
        column_name: string;
        data_type: string;
        collation_name: string | null;
      }>(
        `select table_name, column_name, data_type, collation_name from information_schema.columns
          where table_schema = $1 and table_name not like 'kysely_%'`,
        [schema.schema],
      );
      expect(
        columns.filter((column) => column.data_type === 'text' && column.collation_name !== 'C'),
      ).toEqual([]);
      const postgres = columns.map(
        (column) => `${column.table_name}.${column.column_name} ${column.data_type}`,
      );
      expect(postgres.sort()).toEqual(await sqliteColumns());
    });

    it('migrates once when several stores migrate the same schema at the same time', async () => {
      await Promise.all([schema.store(), schema.store(), schema.store()].map((store) => store.migrate()));
      await schema.store().migrate();
      const names = await schema.sql<{ name: string }>('select name from kysely_migration order by name');
      expect(names.map((row) => row.name)).toEqual(Object.keys(STORE_MIGRATIONS));
    });

    it('refuses a schema migrated by a newer erpbridge', async () => {
      await schema.store().migrate();
      await schema.sql(
        "insert into kysely_migration (name, timestamp) values ('9999-from-the-future', '2030-01-01')",
      );
      const error = await rejection(schema.store().migrate());
      expect(error).toBeInstanceOf(ErpError);
      expect(error).toMatchObject({
        kind: 'permanent',
        message: expect.stringContaining('9999-from-the-future'),
      });
    });

    it('refuses to read a row written in a newer format', async () => {
      const store = schema.store();
      await store.migrate();
      await store.createRun(testRun('run-1'));
      await schema.sql("update runs set format_version = 2 where id = 'run-1'");
      const error = await rejection(store.getRun('run-1'));
      expect(error).toMatchObject({
        kind: 'permanent',
        message: 'runs row run-1 has format 2; this erpbridge reads format 1',
      });
    });
  });

  describe('several processes (one pool each)', () => {
    let schema: TestSchema;
    let stores: Store[];

    beforeEach(async () => {
      schema = new TestSchema(probe.url, 'concurrent');
      stores = [1, 2, 3, 4].map(() => schema.store({ poolSize: 4 }));
      for (const store of stores) await store.migrate();
    });

    afterEach(async () => {
      await schema.drop();
    });

    it('appenders on four pools at once never fork the audit chain', async () => {
      // Each store appends 40 times, 1, 2 or 3 entries in turn, all 160 appends in flight at once.
      const sizes = Array.from({ length: 40 }, (_, index) => 1 + (index % 3));
      await Promise.all(
        stores.flatMap((store, writer) =>
          sizes.map((size) => store.appendAudit((tail) => entriesAfter(tail, `writer-${writer}`, size))),
        ),
      );
      const entries = await stores[0]?.readAudit();
      const expected = stores.length * sizes.reduce((sum, size) => sum + size, 0);
      expect(entries).toHaveLength(expected);
      expect(entries?.map((entry) => entry.seq)).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
      for (const [index, entry] of (entries ?? []).entries()) {
        expect(entry.prevHash).toBe(index === 0 ? '0'.repeat(64) : entries?.[index - 1]?.hash);
      }
      expect(new Set(entries?.map((entry) => entry.actor)).size).toBe(stores.length);
    });

    it('two workers claiming the same key: exactly one sees it as new', async () => {
      const [first, second] = stores;
      if (first === undefined || second === undefined) throw new Error('two stores expected');
      for (let round = 0; round < 100; round++) {
        const key = `key-${round}`;
        const claims = await Promise.all([
          first.claimIdempotencyKeys([{ key, changeId: 'chg-first' }]),
          second.claimIdempotencyKeys([{ key, changeId: 'chg-second' }]),
        ]);
        const fresh = claims.filter((previous) => !previous.has(key));
        expect(fresh).toHaveLength(1);
        const winner = claims[0]?.has(key) ? 'chg-second' : 'chg-first';
        const seen = claims.find((previous) => previous.has(key))?.get(key);
        expect(seen).toMatchObject({ key, changeId: winner, state: 'in_flight' });
      }
    });

    it('four workers claiming overlapping key sets at once: each key is new to exactly one, no deadlock', async () => {
      const keys = Array.from({ length: 400 }, (_, index) => `key-${String(index).padStart(4, '0')}`);
      // Each worker claims a different, shuffled three quarters of the keys.
      const claims = await Promise.all(
        stores.map((store, worker) => {
          const mine = keys.filter((_, index) => index % 4 !== worker).reverse();
          return store
            .claimIdempotencyKeys(mine.map((key) => ({ key, changeId: `chg-${worker}` })))
            .then((previous) => ({ mine, previous }));
        }),
      );
      const newTo = new Map<string, number>();
      for (const { mine, previous } of claims) {
        for (const key of mine) if (!previous.has(key)) newTo.set(key, (newTo.get(key) ?? 0) + 1);
      }
      expect(newTo.size).toBe(keys.length);
      expect([...newTo.values()].every((count) => count === 1)).toBe(true);
      const ledger = await stores[0]?.getLedgerEntries(keys);
      expect(ledger?.size).toBe(keys.length);
    });

    it('a change is saved by two workers at once: one copy, and a clash of keys is a conflict', async () => {
      const [first, second] = stores;
      if (first === undefined || second === undefined) throw new Error('two stores expected');
      await first.createRun(testRun('run-1'));
      const change = testChange('chg-1', 'key-1');
      await Promise.all([first.saveBatch([], [change]), second.saveBatch([], [change])]);
      expect(await second.countChanges('run-1')).toEqual({ pending: 1 });
      const error = await rejection(first.insertChanges([testChange('chg-2', 'key-1')]));
      expect(error).toMatchObject({ kind: 'conflict' });
    });
  });

  describe('connection problems', () => {
    it('names the server without its password when it cannot be reached', async () => {
      const store = createPostgresStore({
        url: 'postgres://erp:s3cret-pw@127.0.0.1:1/erpbridge',
        schema: 'erpbridge',
        connectTimeoutMs: 2000,
      });
      try {
        const error = await rejection(store.migrate());
        expect(error).toBeInstanceOf(ErpError);
        expect(error).toMatchObject({
          kind: 'transient',
          message: expect.stringContaining(
            'postgres://erp@127.0.0.1:1/erpbridge (schema erpbridge) is unreachable',
          ),
        });
        expect(String(error instanceof Error ? error.message : error)).not.toContain('s3cret');
      } finally {
        await store.close();
      }
    });

    it('refuses options it cannot use before connecting', () => {
      expect(() => createPostgresStore({ url: probe.url, schema: 'Erp Bridge' })).toThrow(
        'PostgreSQL store schema "Erp Bridge" is not a lowercase identifier',
      );
      expect(() => createPostgresStore({ url: 'mysql://root@localhost/erp' })).toThrow(
        'the PostgreSQL store url starts with mysql://',
      );
      expect(() => createPostgresStore({ url: probe.url, poolSize: 0 })).toThrow(
        'poolSize must be a positive integer',
      );
    });
  });
});

/** `table.column type` of every column a freshly migrated SQLite store has, sorted. */
async function sqliteColumns(): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'erpbridge-schema-'));
  try {
    const path = join(dir, 'store.sqlite');
    const store = createSqliteStore({ path });
    await store.migrate();
    await store.close();
    const file = new Database(path, { readonly: true });
    try {
      const tables = file
        .prepare("select name from sqlite_master where type = 'table' and name not like 'kysely_%'")
        .pluck()
        .all()
        .filter((name) => typeof name === 'string');
      return tables
        .flatMap((table) =>
          file
            .prepare('select name, type from pragma_table_info(?)')
            .all(table)
            .map(
              (column) =>
                `${table}.${Reflect.get(Object(column), 'name')} ${String(Reflect.get(Object(column), 'type')).toLowerCase()}`,
            ),
        )
        .sort();
    } finally {
      file.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}
