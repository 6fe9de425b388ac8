import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import { BUSY_TIMEOUT_MS, openSqliteDatabase } from './open-database.ts';

describe('openSqliteDatabase', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'erpbridge-open-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates missing directories and sets WAL, synchronous NORMAL, the busy timeout and foreign keys', () => {
    const db = openSqliteDatabase(join(dir, 'a', 'b', 'erpbridge.sqlite'));
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    } finally {
      db.close();
    }
  });

  it('opens a private in-memory database for :memory:', () => {
    const db = openSqliteDatabase(':memory:');
    try {
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    } finally {
      db.close();
    }
  });

  it('names the path when the file cannot be opened', () => {
    const path = join(dir, 'is-a-directory');
    openSqliteDatabase(join(path, 'x.sqlite')).close();
    let error: unknown;
    try {
      openSqliteDatabase(path);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ErpError);
    expect(error).toMatchObject({ kind: 'permanent', message: `cannot open the SQLite store at ${path}` });
  });
});
