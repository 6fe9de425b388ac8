import { type CompiledQuery, Kysely } from 'kysely';
import { createReadOnlyDialect, type SessionSettings } from './database-dialects.ts';
import { guardedDialect, type StatementEvent, type StatementGate } from './guarded-dialect.ts';
import { checkReadOnlySelect, type ReadOnlyVerdict } from './read-only-check.ts';
import { normaliseRow, type SqlRow } from './row-values.ts';
import { describeConnection, type ResolvedConnection } from './sql-config.ts';
import type { SqlDialect } from './sql-dialect.ts';

/**
 * The `sql` connector's executor: a Kysely instance whose every statement passes the parser check
 * before it leaves the process (the gate), inside a transaction the database itself keeps
 * read-only (see `database-dialects.ts`). Two independent locks on the same door — a statement the
 * gate let through by mistake still meets the database's own refusal.
 */

/** Tables and columns are only known at run time: every name is a string, every value unknown. */
export type SqlTables = Record<string, Record<string, unknown>>;

/** A statement the gate refused to send; the connection turns it into an ErpError with its context. */
export class StatementRefused extends Error {
  override readonly name = 'StatementRefused';

  constructor(
    readonly reason: string,
    readonly statement: string,
  ) {
    super(`refused to send a statement that is not one read-only SELECT: ${reason}`);
  }
}

export interface ReadOnlyDatabase {
  readonly dialect: SqlDialect;
  /** Where it reads, for messages: `postgres://erp_ro@db:5432/erp`, never the password. */
  readonly target: string;
  /** Runs `work` in one read-only transaction (one snapshot where the database offers it). */
  read<T>(work: (db: Kysely<SqlTables>) => Promise<T>): Promise<T>;
  /** Runs one compiled statement in a read-only transaction; its rows, normalised. */
  execute(compiled: CompiledQuery): Promise<SqlRow[]>;
  /** Closes the pool; safe to call twice. */
  close(): Promise<void>;
}

export interface ReadOnlyDatabaseOptions {
  /**
   * Checks each statement before it is sent. Default: {@link parserGate}. Only tests replace it,
   * to show that the read-only session alone still refuses a write.
   */
  gate?: StatementGate;
  /** Told of each statement handed to the driver (after the gate). */
  onStatement?: (event: StatementEvent) => void;
}

/** The default gate: the parser check on the statement's text, verdicts cached by text. */
export function parserGate(dialect: SqlDialect): StatementGate {
  const verdicts = new Map<string, ReadOnlyVerdict>();
  return (compiled) => {
    let verdict = verdicts.get(compiled.sql);
    if (verdict === undefined) {
      verdict = checkReadOnlySelect(compiled.sql, dialect);
      // A connection sends a handful of statement shapes; the bound only guards against a leak.
      if (verdicts.size >= 1000) verdicts.clear();
      verdicts.set(compiled.sql, verdict);
    }
    if (!verdict.ok) throw new StatementRefused(verdict.reason, compiled.sql);
  };
}

/** Builds the executor. Opens no connection: the first read does. */
export async function openReadOnlyDatabase(
  connection: ResolvedConnection,
  settings: SessionSettings,
  options: ReadOnlyDatabaseOptions = {},
): Promise<ReadOnlyDatabase> {
  const inner = await createReadOnlyDialect(connection, settings);
  const db = new Kysely<SqlTables>({
    dialect: guardedDialect(inner.dialect, {
      gate: options.gate ?? parserGate(connection.dialect),
      begin: inner.begin,
      onStatement: options.onStatement,
    }),
  });
  let closing: Promise<void> | undefined;
  const read = <T>(work: (trx: Kysely<SqlTables>) => Promise<T>): Promise<T> => {
    if (closing !== undefined)
      throw new Error(`the connection to ${describeConnection(connection)} is closed`);
    return db.transaction().execute(work);
  };
  return {
    dialect: connection.dialect,
    target: describeConnection(connection),
    read,
    execute: (compiled) =>
      read(async (trx) => {
        const result = await trx.executeQuery<Record<string, unknown>>(compiled);
        return result.rows.map(normaliseRow);
      }),
    close: () => {
      closing ??= db.destroy();
      return closing;
    },
  };
}
