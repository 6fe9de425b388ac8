import type { AuditEntriesTable, ChangesTable, IdempotencyLedgerTable, ItemsTable } from './schema.ts';

/**
 * The tables both stores insert into in batches (items, changes, ledger claims, audit entries):
 * their columns and what a conflict does, written once. Each store builds its own statement from
 * them — SQLite a multi-row `insert … values` prepared once (`sqlite/multi-row-insert.ts`),
 * PostgreSQL an `insert … select * from unnest(…)` of one array per column
 * (`postgres/unnest-insert.ts`).
 */

/**
 * A column's type as PostgreSQL's arrays carry it (`$1::text[]`). SQLite binds each value as it
 * comes and uses only the column names.
 */
export type ColumnType = 'text' | 'int4' | 'float8' | 'bool';

/**
 * Every column of a row type with its type: listing one too few or one too many is a type error,
 * so a column added to the schema cannot be forgotten by a batch insert.
 */
export type ColumnTypes<Row> = { readonly [Column in keyof Row & string]-?: ColumnType };

/** A table a store inserts into in batches. */
export interface BatchTable<Row> {
  table: string;
  columns: ColumnTypes<Row>;
  /** Appended verbatim, e.g. `on conflict ("id") do nothing`. */
  onConflict?: string;
}

/** Items: a record planned again in the same run replaces what was stored for it. */
export const ITEMS_TABLE: BatchTable<ItemsTable> = {
  table: 'items',
  columns: {
    run_id: 'text',
    record_id: 'text',
    format_version: 'int4',
    state: 'text',
    label: 'text',
    confidence: 'float8',
    error: 'text',
    record: 'text',
    ai_input: 'text',
  },
  onConflict: `on conflict ("run_id", "record_id") do update set "format_version" = excluded."format_version",
    "state" = excluded."state", "label" = excluded."label", "confidence" = excluded."confidence",
    "error" = excluded."error", "record" = excluded."record", "ai_input" = excluded."ai_input"`,
};

/** Changes: an existing id is left as it is; a new id reusing another change's idempotency key fails. */
export const CHANGES_TABLE: BatchTable<ChangesTable> = {
  table: 'changes',
  columns: {
    id: 'text',
    format_version: 'int4',
    run_id: 'text',
    entity: 'text',
    record_id: 'text',
    before: 'text',
    after: 'text',
    amount: 'float8',
    currency: 'text',
    version: 'text',
    reason: 'text',
    confidence: 'float8',
    explanation: 'text',
    idempotency_key: 'text',
    state: 'text',
    revert_of: 'text',
    requested_by: 'text',
    approvals: 'text',
    decided_by: 'text',
    outcome: 'text',
    error: 'text',
    created_at: 'text',
    updated_at: 'text',
  },
  onConflict: 'on conflict ("id") do nothing',
};

/** Idempotency ledger claims: a key claimed before keeps its first claim. */
export const LEDGER_TABLE: BatchTable<IdempotencyLedgerTable> = {
  table: 'idempotency_ledger',
  columns: {
    idempotency_key: 'text',
    format_version: 'int4',
    change_id: 'text',
    state: 'text',
    updated_at: 'text',
  },
  onConflict: 'on conflict ("idempotency_key") do nothing',
};

/** Audit entries: appended only; a `seq` taken already fails (the chain never forks). */
export const AUDIT_TABLE: BatchTable<AuditEntriesTable> = {
  table: 'audit_entries',
  columns: {
    seq: 'int4',
    format_version: 'int4',
    at: 'text',
    type: 'text',
    run_id: 'text',
    actor: 'text',
    payload: 'text',
    prev_hash: 'text',
    hash: 'text',
  },
};

/** Quotes an SQL identifier (`before`, `after` and `type` are keywords in some dialects). */
export function quoteIdentifier(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
