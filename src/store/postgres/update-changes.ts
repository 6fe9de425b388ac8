import { CompiledQuery } from 'kysely';
import type { ColumnTypes } from '../batch-tables.ts';
import type { ChangeUpdate } from '../contract.ts';
import { columnArrays } from './unnest-insert.ts';

/** One update as the statement's parameters see it: a flag per optional field says "set it". */
interface UpdateRow {
  id: string;
  state: string;
  set_error: boolean;
  error: string | null;
  set_decided_by: boolean;
  decided_by: string | null;
  set_after: boolean;
  after: string | null;
  set_idempotency_key: boolean;
  idempotency_key: string | null;
  set_approvals: boolean;
  approvals: string | null;
  set_outcome: boolean;
  outcome: string | null;
}

const COLUMNS: ColumnTypes<UpdateRow> = {
  id: 'text',
  state: 'text',
  set_error: 'bool',
  error: 'text',
  set_decided_by: 'bool',
  decided_by: 'text',
  set_after: 'bool',
  after: 'text',
  set_idempotency_key: 'bool',
  idempotency_key: 'text',
  set_approvals: 'bool',
  approvals: 'text',
  set_outcome: 'bool',
  outcome: 'text',
};
const NAMES = Object.keys(COLUMNS).filter((name): name is keyof UpdateRow => name in COLUMNS);

/** The optional fields: undefined leaves the stored value, anything else (null too) replaces it. */
const OPTIONAL = ['error', 'decided_by', 'after', 'idempotency_key', 'approvals', 'outcome'] as const;

/** `$1` is the time of the update, `$2…` one array per column of `UpdateRow`. */
const UPDATE_SQL = `update "changes" as c set "state" = u."state", "updated_at" = $1, ${OPTIONAL.map(
  (field) => `"${field}" = case when u."set_${field}" then u."${field}" else c."${field}" end`,
).join(', ')}
  from unnest(${NAMES.map((name, index) => `$${index + 2}::${COLUMNS[name]}[]`).join(', ')})
    as u(${NAMES.map((name) => `"${name}"`).join(', ')})
  where c."id" = u."id"
  returning c."id"`;

/**
 * Every change update of a list in one `UPDATE … FROM unnest(…)` statement: each row's state and
 * `updated_at` are set, each optional field only where its flag says so (undefined leaves it, null
 * clears it), as `Store.updateChanges` describes. Returns the ids it updated, so the caller can name
 * a missing one. The ids must be distinct (a row updated twice by one statement is unpredictable).
 */
export function changeUpdateStatement(
  updates: readonly ChangeUpdate[],
  now: string,
): CompiledQuery<{ id: string }> {
  const rows = updates.map(
    ({ id, state, error, decidedBy, after, idempotencyKey, approvals, outcome }): UpdateRow => ({
      id,
      state,
      set_error: error !== undefined,
      error: error ?? null,
      set_decided_by: decidedBy !== undefined,
      decided_by: decidedBy ?? null,
      set_after: after !== undefined,
      after: after === undefined ? null : JSON.stringify(after),
      set_idempotency_key: idempotencyKey !== undefined,
      idempotency_key: idempotencyKey ?? null,
      set_approvals: approvals !== undefined,
      approvals: approvals === undefined ? null : JSON.stringify(approvals),
      set_outcome: outcome !== undefined,
      outcome: outcome == null ? null : JSON.stringify(outcome),
    }),
  );
  return CompiledQuery.raw(UPDATE_SQL, [now, ...columnArrays(rows, NAMES)]);
}
