import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, describe, expect, test } from 'vitest';
import { DATABASE_FILE, openSandboxDatabase } from './database.ts';
import type { SeedParameters } from './seed-parameters.ts';
import { removeDirectory, temporaryDirectory } from './test-support.ts';

const parameters: SeedParameters = {
  seed: 42,
  orders: 400,
  history: 600,
  suppliers: 30,
  today: '2025-06-15',
};
const directories: string[] = [];
const newDirectory = () => {
  const directory = temporaryDirectory();
  directories.push(directory);
  return directory;
};
afterAll(() => directories.forEach(removeDirectory));

const BUSINESS_TABLES = ['suppliers', 'purchase_orders', 'purchase_order_lines', 'truth_labels'] as const;

function dump(db: Database.Database): Record<string, unknown[]> {
  return Object.fromEntries(
    BUSINESS_TABLES.map((table) => [
      table,
      db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).raw(true).all(),
    ]),
  );
}

function priorityOf(db: Database.Database, poNumber: string): unknown {
  return db.prepare('SELECT priority FROM purchase_orders WHERE po_number = ?').pluck().get(poNumber);
}

describe('openSandboxDatabase', () => {
  test('the same parameters give byte-identical business data in two files', () => {
    const first = openSandboxDatabase(newDirectory(), parameters, false);
    const second = openSandboxDatabase(newDirectory(), parameters, false);
    const other = openSandboxDatabase(newDirectory(), { ...parameters, seed: 7 }, false);
    try {
      expect(first.seedCounts).toEqual({
        suppliers: 30,
        openOrders: 400,
        historyOrders: 600,
        lines: expect.any(Number),
      });
      expect(dump(second.db)).toEqual(dump(first.db));
      expect(dump(other.db).purchase_orders).not.toEqual(dump(first.db).purchase_orders);
    } finally {
      for (const opened of [first, second, other]) opened.db.close();
    }
  });

  test('reuses a file seeded with the same parameters, reseeds otherwise', () => {
    const directory = newDirectory();
    const seeded = openSandboxDatabase(directory, parameters, false);
    expect(seeded.path).toBe(join(directory, DATABASE_FILE));
    expect(seeded.seedReason).toContain('no usable database');
    seeded.db.prepare("UPDATE purchase_orders SET priority = '1' WHERE po_number = '0045000700'").run();
    seeded.db.close();

    const reused = openSandboxDatabase(directory, parameters, false);
    expect(reused.seedReason).toBeNull();
    expect(priorityOf(reused.db, '0045000700')).toBe('1');
    reused.db.close();

    const reset = openSandboxDatabase(directory, parameters, true);
    expect(reset.seedReason).toBe('reset requested');
    expect(priorityOf(reset.db, '0045000700')).toBe('3');
    reset.db.close();

    const otherDay = openSandboxDatabase(directory, { ...parameters, today: '2025-06-16' }, false);
    expect(otherDay.seedReason).toContain('"today":"2025-06-15"');
    expect(otherDay.db.prepare('SELECT count(*) FROM purchase_orders').pluck().get()).toBe(1000);
    otherDay.db.close();
  });

  test('reseeds over a file that is not a sandbox database', () => {
    const directory = newDirectory();
    writeFileSync(join(directory, DATABASE_FILE), 'not a database at all, just some text'.repeat(200));
    const opened = openSandboxDatabase(directory, parameters, false);
    try {
      expect(opened.seedReason).toMatch(/cannot read the seed parameters|no usable database/);
      expect(opened.db.prepare('SELECT count(*) FROM truth_labels').pluck().get()).toBe(400);
    } finally {
      opened.db.close();
    }
  });

  test('serves in WAL mode', () => {
    const opened = openSandboxDatabase(newDirectory(), parameters, false);
    try {
      expect(opened.db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      opened.db.close();
    }
  });
});
