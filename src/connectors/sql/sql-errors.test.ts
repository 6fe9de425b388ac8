import { describe, expect, it } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import { StatementRefused } from './read-only-database.ts';
import { toErpError } from './sql-errors.ts';

const context = {
  where: 'connectors.erp',
  connector: 'erp',
  url: 'postgres://ro@db:5432/erp',
  entity: 'purchase_orders',
};

/** A driver error as the drivers build them: an Error with their own fields. */
function driverError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

describe('database errors as ErpErrors', () => {
  it.each([
    ['PostgreSQL wrong password', driverError('password authentication failed', { code: '28P01' }), 'auth'],
    ['PostgreSQL missing grant', driverError('permission denied for table ekko', { code: '42501' }), 'auth'],
    [
      'PostgreSQL read-only refusal',
      driverError('cannot execute UPDATE in a read-only transaction', { code: '25006' }),
      'permanent',
    ],
    [
      'PostgreSQL statement timeout',
      driverError('canceling statement due to statement timeout', { code: '57014' }),
      'transient',
    ],
    [
      'PostgreSQL missing table',
      driverError('relation "ekko" does not exist', { code: '42P01' }),
      'permanent',
    ],
    ['PostgreSQL admin shutdown', driverError('terminating connection', { code: '57P01' }), 'transient'],
    [
      'MariaDB access denied',
      driverError('Access denied for user', {
        errno: 1045,
        sqlState: '28000',
        code: 'ER_ACCESS_DENIED_ERROR',
      }),
      'auth',
    ],
    [
      'MariaDB read-only refusal',
      driverError('Cannot execute statement in a READ ONLY transaction', {
        errno: 1792,
        sqlState: '25006',
        code: 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION',
      }),
      'permanent',
    ],
    [
      'MariaDB statement timeout',
      driverError('Query execution was interrupted', {
        errno: 1969,
        sqlState: '70100',
        code: 'ER_STATEMENT_TIMEOUT',
      }),
      'transient',
    ],
    [
      'SQLite read-only refusal',
      driverError('attempt to write a readonly database', { code: 'SQLITE_READONLY' }),
      'permanent',
    ],
    ['SQLite busy', driverError('database is locked', { code: 'SQLITE_BUSY' }), 'transient'],
    ['SQL Server login', driverError("Login failed for user 'ro'", { code: 'ELOGIN' }), 'auth'],
    ['SQL Server socket', driverError('Failed to connect', { code: 'ESOCKET' }), 'transient'],
    [
      'Oracle wrong password',
      driverError('ORA-01017: invalid username/password', { errorNum: 1017 }),
      'auth',
    ],
    [
      'Oracle read-only refusal',
      driverError(
        'ORA-01456: may not perform insert/delete/update operation inside a READ ONLY transaction',
        { errorNum: 1456 },
      ),
      'permanent',
    ],
    [
      'Oracle listener down',
      driverError('NJS-503: connection could not be established', { code: 'NJS-503' }),
      'transient',
    ],
    [
      'connection refused',
      driverError('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' }),
      'transient',
    ],
    ['unknown host', driverError('getaddrinfo ENOTFOUND db', { code: 'ENOTFOUND' }), 'permanent'],
    ['anything else', new Error('something odd'), 'permanent'],
  ])('%s', (_name, error, kind) => {
    const mapped = toErpError(error, context);
    expect(mapped).toBeInstanceOf(ErpError);
    expect(mapped.kind).toBe(kind);
    expect(mapped.message.startsWith('postgres://ro@db:5432/erp: ')).toBe(true);
    expect(mapped.context).toMatchObject({
      connector: 'erp',
      entity: 'purchase_orders',
      hint: expect.any(String),
    });
    expect(mapped.cause).toBe(error);
  });

  it('says a refused statement never left, and where to look', () => {
    const mapped = toErpError(new StatementRefused('a ";"', 'SELECT 1; DROP TABLE x'), context);
    expect(mapped).toMatchObject({
      kind: 'permanent',
      message:
        'refused to send a statement that is not one read-only SELECT: a ";"; nothing was sent to postgres://ro@db:5432/erp',
      context: {
        hint: 'erpbridge only reads: check the queries under connectors.erp.entities (docs/erp/database-access.md)',
      },
    });
  });

  it('passes ErpErrors through unchanged', () => {
    const error = new ErpError('validation', 'bad');
    expect(toErpError(error, context)).toBe(error);
  });
});
