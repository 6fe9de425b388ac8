import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ErpError } from '../../errors/index.ts';

/** How long a writer waits for another process's transaction before giving up (SQLITE_BUSY). */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating if needed, with its directory) a SQLite database file set up for erpbridge:
 * write-ahead log so readers never block the writer and a second process can open the same file,
 * `synchronous=NORMAL` (durable at checkpoints, never corrupt), a 5 s busy timeout, foreign keys on.
 * `:memory:` opens a private in-memory database (no WAL).
 */
export function openSqliteDatabase(path: string): Database.Database {
  const inMemory = path === ':memory:';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new ErpError('permanent', `cannot open the SQLite store at ${path}`, {
      cause: error,
      file: path,
      hint: 'Check that the path is a writable file location.',
    });
  }
  // busy_timeout first: switching to WAL needs a lock another process may hold.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const journalMode: unknown = db.pragma('journal_mode = WAL', { simple: true });
  if (!inMemory && journalMode !== 'wal') {
    db.close();
    throw new ErpError(
      'permanent',
      `SQLite store at ${path} refused WAL mode (journal_mode=${String(journalMode)})`,
      {
        file: path,
        hint: 'WAL needs a local file system that supports shared memory; network shares often do not.',
      },
    );
  }
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  return db;
}
