import Database from 'better-sqlite3';
import { ErpError } from '../../errors/index.ts';

/**
 * Turns a better-sqlite3 error into the ErpError the rest of erpbridge acts on: a busy or locked
 * file is `transient` (another process held the write lock past the busy timeout; try again), a
 * broken foreign key is `validation` (the caller referenced a run that does not exist), a unique
 * key clash is `conflict`. Anything else is returned as it was.
 */
export function normalizeSqliteError(error: unknown, operation: string, path: string): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  const where = { cause: error, file: path };
  if (error.code.startsWith('SQLITE_BUSY') || error.code.startsWith('SQLITE_LOCKED')) {
    return new ErpError('transient', `${operation}: the SQLite store is locked by another writer`, {
      ...where,
      hint: 'Another process kept its write transaction open longer than the busy timeout; try again.',
    });
  }
  if (error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new ErpError('validation', `${operation}: refers to a run that does not exist`, {
      ...where,
      hint: 'Create the run (createRun) before saving its items and changes.',
    });
  }
  if (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new ErpError('conflict', `${operation}: ${error.message}`, where);
  }
  return error;
}
