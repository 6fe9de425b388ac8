import type { Kysely } from 'kysely';
import { ErpError } from '../errors/index.ts';
import type { LabeledEdit } from './contract.ts';
import { checkPaging } from './paging.ts';
import { ROW_FORMAT_VERSION } from './rows.ts';
import type { LabeledEditsTable, StoreDatabase } from './schema.ts';

/**
 * Labeled edits in the store, defined once for every dialect: the row mapping, the upsert and the
 * paged read. A store runs `upsertLabeledEdit` inside its own write transaction (SQLite compiles
 * and runs it synchronously, PostgreSQL executes it) and wraps `listLabeledEdits` in its own error
 * normalisation, as with `read-queries.ts`.
 */

export function labeledEditToRow(edit: LabeledEdit): LabeledEditsTable {
  return {
    id: edit.id,
    format_version: ROW_FORMAT_VERSION,
    workflow: edit.workflow,
    entity: edit.entity,
    record_id: edit.recordId,
    run_id: edit.runId,
    change_id: edit.changeId,
    field: edit.field,
    ai_value: JSON.stringify(edit.aiValue ?? null),
    ai_confidence: edit.aiConfidence,
    human_value: JSON.stringify(edit.humanValue ?? null),
    edited_by: edit.editedBy,
    edited_at: edit.editedAt,
  };
}

export function rowToLabeledEdit(row: LabeledEditsTable): LabeledEdit {
  if (row.format_version !== ROW_FORMAT_VERSION) {
    throw new ErpError(
      'permanent',
      `labeled_edits row ${row.id} has format ${row.format_version}; this erpbridge reads format ${ROW_FORMAT_VERSION}`,
      {
        entity: 'labeled_edits',
        key: row.id,
        hint: 'Upgrade erpbridge to the version that wrote this store.',
      },
    );
  }
  return {
    id: row.id,
    workflow: row.workflow,
    entity: row.entity,
    recordId: row.record_id,
    runId: row.run_id,
    changeId: row.change_id,
    field: row.field,
    aiValue: parseJson(row.ai_value, row.id, 'ai_value'),
    aiConfidence: Number(row.ai_confidence),
    humanValue: parseJson(row.human_value, row.id, 'human_value'),
    editedBy: row.edited_by,
    editedAt: row.edited_at,
  };
}

/**
 * Inserts one edit; an id stored before keeps its AI value and confidence (what the AI said
 * first, before an earlier edit replaced it) and takes the newer human value, editor and time.
 */
export function upsertLabeledEdit(db: Kysely<StoreDatabase>, row: LabeledEditsTable) {
  return db
    .insertInto('labeled_edits')
    .values(row)
    .onConflict((conflict) =>
      conflict.column('id').doUpdateSet({
        human_value: row.human_value,
        edited_by: row.edited_by,
        edited_at: row.edited_at,
      }),
    );
}

/** Edits in id order: of one workflow, made at or after `since`, after `afterId`, at most `limit`. */
export async function listLabeledEdits(
  db: Kysely<StoreDatabase>,
  options: { workflow?: string; since?: string; afterId?: string; limit?: number },
): Promise<LabeledEdit[]> {
  checkPaging('listLabeledEdits', options);
  let query = db.selectFrom('labeled_edits').selectAll().orderBy('id');
  if (options.workflow !== undefined) query = query.where('workflow', '=', options.workflow);
  if (options.since !== undefined) query = query.where('edited_at', '>=', options.since);
  if (options.afterId !== undefined) query = query.where('id', '>', options.afterId);
  if (options.limit !== undefined) query = query.limit(options.limit);
  return (await query.execute()).map(rowToLabeledEdit);
}

function parseJson(text: string, id: string, column: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ErpError('permanent', `labeled_edits.${column} of ${id} is not valid JSON`, {
      cause: error,
      entity: 'labeled_edits',
      key: id,
      field: column,
    });
  }
}
