import { ErpError, type ErrorContext, type ErrorKind } from '../../errors/index.ts';
import { StatementRefused } from './read-only-database.ts';

/**
 * Database driver errors → ErpError, so the engine decides retry or not by kind the same way for
 * every database: a refused login is `auth`, a timeout or dropped connection `transient`, a missing
 * table or a read-only refusal `permanent`. The drivers' own codes decide, never message text alone.
 */

/** What a person needs to place the error: connector, target (`url`), entity, key. */
export interface SqlErrorContext extends ErrorContext {
  /** `connectors.<name>`, for hints. */
  where: string;
}

interface Classified {
  kind: ErrorKind;
  /** Replaces the driver's message where it says too little. */
  message?: string;
  hint?: string;
}

const READ_ONLY_REFUSAL: Classified = {
  kind: 'permanent',
  message: 'the database refused a write: the session is read-only',
  hint: 'erpbridge never writes to a database; see docs/erp/database-access.md',
};

/** PostgreSQL SQLSTATE codes (and classes, by their first two characters). */
function classifyPostgres(code: string): Classified | undefined {
  if (code === '28P01' || code === '28000') return { kind: 'auth' };
  if (code === '42501') return { kind: 'auth', hint: 'ask the DBA to grant SELECT on it to this user' };
  if (code === '25006') return READ_ONLY_REFUSAL;
  if (code === '57014') return { kind: 'transient', hint: 'the statement ran past timeoutMs' };
  if (['40001', '40P01', '55P03', '53300', '57P01', '57P02', '57P03'].includes(code))
    return { kind: 'transient' };
  if (code.startsWith('08')) return { kind: 'transient' };
  if (['42P01', '42703', '42883', '3F000', '3D000'].includes(code)) return { kind: 'permanent' };
  return undefined;
}

/** MySQL and MariaDB error numbers. */
function classifyMysql(errno: number): Classified | undefined {
  if (errno === 1045 || errno === 1044) return { kind: 'auth' };
  if (errno === 1142 || errno === 1143) {
    return { kind: 'auth', hint: 'ask the DBA to grant SELECT on it to this user' };
  }
  if (errno === 1792) return READ_ONLY_REFUSAL;
  if (errno === 3024 || errno === 1969)
    return { kind: 'transient', hint: 'the statement ran past timeoutMs' };
  if ([1205, 1213, 1040, 1203, 2006, 2013].includes(errno)) return { kind: 'transient' };
  if ([1146, 1054, 1049, 1064].includes(errno)) return { kind: 'permanent' };
  return undefined;
}

/** better-sqlite3's SQLITE_* codes. */
function classifySqlite(code: string): Classified | undefined {
  if (code.startsWith('SQLITE_READONLY')) return READ_ONLY_REFUSAL;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return { kind: 'transient' };
  if (code.startsWith('SQLITE_CANTOPEN')) return { kind: 'permanent', hint: 'check connection.file' };
  if (code === 'SQLITE_AUTH') return { kind: 'auth' };
  return undefined;
}

/** Oracle errors of the listener and the network. */
const ORACLE_NETWORK = new Set([12170, 12514, 12537, 12541, 12560, 3113, 3114, 3135]);

/** tedious codes and SQL Server error numbers; Oracle ORA- numbers. */
function classifyOther(error: Record<string, unknown>): Classified | undefined {
  const code = error.code;
  const number = error.number;
  const errorNum = error.errorNum;
  if (code === 'ELOGIN' || number === 18456 || errorNum === 1017) return { kind: 'auth' };
  if (number === 229 || errorNum === 1031) {
    return { kind: 'auth', hint: 'ask the DBA to grant SELECT on it to this user' };
  }
  if (number === 3906 || errorNum === 1456) return READ_ONLY_REFUSAL;
  if (code === 'ETIMEOUT' || code === 'ESOCKET' || code === 'ECONNCLOSED' || errorNum === 1013) {
    return { kind: 'transient' };
  }
  // node-oracledb's NJS-5xx and ORA-12xxx/3113-3135: the listener or the network failed.
  if ((typeof code === 'string' && /^NJS-5\d\d$/.test(code)) || ORACLE_NETWORK.has(Number(errorNum))) {
    return { kind: 'transient' };
  }
  if (number === 208 || errorNum === 942 || errorNum === 904) return { kind: 'permanent' };
  return undefined;
}

/** Socket-level errors any driver may pass on. */
function classifyNetwork(code: string, target: string): Classified | undefined {
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) {
    return { kind: 'transient', hint: `is the database running and reachable at ${target}?` };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return {
      kind: 'permanent',
      hint: 'the host name does not resolve; check connection.host or connection.url',
    };
  }
  return undefined;
}

/**
 * The ErpError for anything a database call threw. ErpErrors pass unchanged; a statement the gate
 * refused is `permanent` and says it never left.
 */
export function toErpError(error: unknown, context: SqlErrorContext): ErpError {
  if (error instanceof ErpError) return error;
  const { where, ...errorContext } = context;
  const target = errorContext.url ?? 'the database';
  if (error instanceof StatementRefused) {
    return new ErpError('permanent', `${error.message}; nothing was sent to ${target}`, {
      ...errorContext,
      cause: error,
      hint: `erpbridge only reads: check the queries under ${where}.entities (docs/erp/database-access.md)`,
    });
  }
  const fields: Record<string, unknown> = typeof error === 'object' && error !== null ? { ...error } : {};
  const code = typeof fields.code === 'string' ? fields.code : '';
  const errno = typeof fields.errno === 'number' ? fields.errno : undefined;
  const classified =
    classifyNetwork(code, target) ??
    (fields.sqlState !== undefined && errno !== undefined ? classifyMysql(errno) : undefined) ??
    (/^[0-9A-Z]{5}$/.test(code) ? classifyPostgres(code) : undefined) ??
    (code.startsWith('SQLITE_') ? classifySqlite(code) : undefined) ??
    classifyOther(fields);
  const driverMessage = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  const kind = classified?.kind ?? 'permanent';
  const message = classified?.message ? `${classified.message} (${driverMessage})` : driverMessage;
  const hint =
    classified?.hint ??
    (kind === 'permanent'
      ? `check the tables, columns and queries under ${where}.entities${errorContext.entity === undefined ? '' : `.${errorContext.entity}`}`
      : undefined) ??
    (kind === 'auth' ? `check the user and password under ${where}.connection` : undefined) ??
    (kind === 'transient' ? `is the database running and reachable at ${target}?` : undefined);
  return new ErpError(kind, `${target}: ${message}`, {
    ...errorContext,
    cause: error,
    ...(hint === undefined ? {} : { hint }),
  });
}
