import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ColumnTypes } from '../batch-tables.ts';
import { MultiRowInsert, SQLITE_MAX_PARAMETERS } from './multi-row-insert.ts';

interface Reading {
  id: number;
  plant: string;
  value: number | null;
}

const READING_COLUMNS: ColumnTypes<Reading> = { id: 'int4', plant: 'text', value: 'float8' };

describe('MultiRowInsert', () => {
  let db: Database.Database;

  beforeEach(() => {
    db = new Database(':memory:');
    db.exec('create table readings (id integer primary key, plant text not null, "value" real)');
  });

  afterEach(() => {
    db.close();
  });

  function readings(count: number, from = 0): Reading[] {
    return Array.from({ length: count }, (_, index) => ({
      id: from + index,
      plant: `P${(from + index) % 7}`,
      value: index % 5 === 0 ? null : index / 10,
    }));
  }

  it('inserts any number of rows in chunks, in order', () => {
    const insert = new MultiRowInsert(db, { table: 'readings', columns: READING_COLUMNS });
    expect(insert.rowsPerStatement).toBe(500);
    for (const count of [0, 1, 7, 500, 501, 1234]) {
      db.exec('delete from readings');
      const rows = readings(count);
      expect(insert.run(rows)).toBe(count);
      expect(db.prepare('select id, plant, "value" from readings order by id').all()).toEqual(rows);
    }
  });

  it('applies the conflict clause and counts only rows it changed', () => {
    const insert = new MultiRowInsert(db, {
      table: 'readings',
      columns: READING_COLUMNS,
      onConflict: 'on conflict ("id") do nothing',
    });
    insert.run(readings(10));
    expect(insert.run(readings(10, 5))).toBe(5);
    expect(db.prepare('select count(*) from readings').pluck().get()).toBe(15);
  });

  it('keeps wide rows under SQLite’s parameter limit', () => {
    const columns = Array.from({ length: 120 }, (_, index) => `c${index}`);
    db.exec(`create table wide (${columns.map((column) => `${column} integer`).join(', ')})`);
    const columnTypes: ColumnTypes<Record<string, number>> = Object.fromEntries(
      columns.map((column) => [column, 'int4' as const]),
    );
    const insert = new MultiRowInsert<Record<string, number>>(db, { table: 'wide', columns: columnTypes });
    expect(insert.rowsPerStatement).toBe(Math.floor(SQLITE_MAX_PARAMETERS / 120));
    const rows = Array.from({ length: 1000 }, (_, row) =>
      Object.fromEntries(columns.map((column, index) => [column, row + index])),
    );
    expect(insert.run(rows)).toBe(1000);
    expect(db.prepare('select sum(c0) from wide').pluck().get()).toBe((999 * 1000) / 2);
  });

  it('assumes SQLite’s limit of 32,766 parameters per statement', () => {
    const placeholders = (count: number) =>
      `select 1 where 1 in (${Array.from({ length: count }, () => '?').join(',')})`;
    expect(() => db.prepare(placeholders(SQLITE_MAX_PARAMETERS))).not.toThrow();
    expect(() => db.prepare(placeholders(SQLITE_MAX_PARAMETERS + 1))).toThrow('too many SQL variables');
  });
});
