import { ErpError } from '../../errors/index.ts';

/**
 * SQLSTATE classes and codes the store acts on
 * (https://www.postgresql.org/docs/current/errcodes-appendix.html).
 */
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
/** Serialization failure, deadlock, lock or statement timeout, query cancelled: try again. */
const RETRYABLE = new Set(['40001', '40P01', '55P03', '57014']);
/** Class 08 (connection exception), 53 (insufficient resources), 57P01–57P03 (shutdown, cannot connect now). */
const UNAVAILABLE_CLASSES = ['08', '53'];
const UNAVAILABLE = new Set(['57P01', '57P02', '57P03']);
/** Node socket errors a pool reports when the server is down or unreachable. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EPIPE',
]);

/**
 * Turns a `pg` error into the ErpError the rest of erpbridge acts on, like `normalizeSqliteError`:
 * a unique key clash is `conflict`, a broken foreign key `validation` (a run that does not exist), a
 * deadlock, lock timeout or an unreachable server `transient`. Anything else is returned as it was.
 * `target` names the server and schema without the password.
 */
export function normalizePostgresError(error: unknown, operation: string, target: string): unknown {
  if (error instanceof ErpError || !(error instanceof Error)) return error;
  const code = codeOf(error);
  if (code === undefined) {
    if (/timeout exceeded when trying to connect|Connection terminated/i.test(error.message)) {
      return unreachable(error, operation, target);
    }
    return error;
  }
  const where = { cause: error, url: target };
  if (code === UNIQUE_VIOLATION) {
    return new ErpError('conflict', `${operation}: ${error.message}${detailOf(error)}`, where);
  }
  if (code === FOREIGN_KEY_VIOLATION) {
    return new ErpError('validation', `${operation}: refers to a run that does not exist`, {
      ...where,
      hint: 'Create the run (createRun) before saving its items and changes.',
    });
  }
  if (code.startsWith('28')) {
    return new ErpError('auth', `${operation}: PostgreSQL at ${target} refused the login: ${error.message}`, {
      ...where,
      hint: 'Check the user and password in the store url (or the secret it references).',
    });
  }
  if (RETRYABLE.has(code)) {
    return new ErpError('transient', `${operation}: ${error.message} (PostgreSQL ${code})`, {
      ...where,
      hint: 'Another writer held a lock or the statement timed out; try again.',
    });
  }
  if (NETWORK_CODES.has(code) || UNAVAILABLE.has(code) || UNAVAILABLE_CLASSES.includes(code.slice(0, 2))) {
    return unreachable(error, operation, target);
  }
  return error;
}

function unreachable(error: Error, operation: string, target: string): ErpError {
  return new ErpError('transient', `${operation}: PostgreSQL at ${target} is unreachable: ${error.message}`, {
    cause: error,
    url: target,
    hint: 'Check that the server runs and the store url (host, port, database, user) is right.',
  });
}

function codeOf(error: Error): string | undefined {
  const code: unknown = Reflect.get(error, 'code');
  return typeof code === 'string' ? code : undefined;
}

function detailOf(error: Error): string {
  const detail: unknown = Reflect.get(error, 'detail');
  return typeof detail === 'string' && detail !== '' ? ` (${detail})` : '';
}
