import { type Kysely, type SqlBool, sql } from 'kysely';
import type { Change, ChangeState } from '../engine/change.ts';
import type { Item, ItemState, Run, RunState } from '../engine/run.ts';
import { ErpError } from '../errors/index.ts';
import type { ApiToken, AuditEntry, DeadLetter, Session, StoredModel, User, Watermark } from './contract.ts';
import { checkPaging } from './paging.ts';
import {
  changeStateOf,
  itemStateOf,
  rowToApiToken,
  rowToAuditEntry,
  rowToChange,
  rowToDeadLetter,
  rowToItem,
  rowToItemWithLineage,
  rowToModel,
  rowToRun,
  rowToSession,
  rowToUser,
  runStateOf,
} from './rows.ts';
import type { StoreDatabase } from './schema.ts';

/**
 * The reads every store runs the same way: Kysely builds each dialect's SQL from one definition,
 * so SQLite and PostgreSQL order, filter and page identically (given byte-wise text comparison,
 * which PostgreSQL's store sets up with `collate "C"`). Each store wraps these in its own error
 * normalisation. The writes both stores build alike are in `write-queries.ts`; what differs per
 * dialect (locks, bulk inserts) lives in each store.
 */

/**
 * No limit. SQLite accepts OFFSET only after a LIMIT; the largest safe integer is a limit no table
 * reaches, accepted by both dialects (`-1` is SQLite-only, `ALL` PostgreSQL-only).
 */
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

export async function getRun(db: Kysely<StoreDatabase>, id: string): Promise<Run | undefined> {
  const row = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : rowToRun(row);
}

export async function listRuns(
  db: Kysely<StoreDatabase>,
  options: { limit?: number; workflow?: string; states?: RunState[] },
): Promise<Run[]> {
  checkPaging('listRuns', options);
  const { limit, workflow, states } = options;
  if (states !== undefined && states.length === 0) return [];
  let query = db.selectFrom('runs').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc');
  if (workflow !== undefined) query = query.where('workflow', '=', workflow);
  if (states !== undefined) query = query.where('state', 'in', states);
  if (limit !== undefined) query = query.limit(limit);
  return (await query.execute()).map(rowToRun);
}

export async function countRuns(
  db: Kysely<StoreDatabase>,
): Promise<{ workflow: string; state: RunState; count: number }[]> {
  const rows = await db
    .selectFrom('runs')
    .select(({ fn }) => ['workflow', 'state', fn.countAll<number | string | bigint>().as('count')])
    .groupBy(['workflow', 'state'])
    .execute();
  return rows.map((row) => ({
    workflow: row.workflow,
    state: runStateOf(row.state, row.workflow),
    count: Number(row.count),
  }));
}

export async function listItems(
  db: Kysely<StoreDatabase>,
  runId: string,
  options: { state?: ItemState; limit?: number; offset?: number },
): Promise<Item[]> {
  checkPaging('listItems', options);
  const { state, limit, offset } = options;
  let query = db
    .selectFrom('items')
    .select(['run_id', 'record_id', 'format_version', 'state', 'label', 'confidence', 'error'])
    .where('run_id', '=', runId)
    .orderBy('record_id');
  if (state !== undefined) query = query.where('state', '=', state);
  if (limit !== undefined || offset !== undefined) query = query.limit(limit ?? NO_LIMIT);
  if (offset !== undefined) query = query.offset(offset);
  const rows = await query.execute();
  return rows.map((row) => rowToItem({ ...row, record: null, ai_input: null }));
}

export async function countItems(
  db: Kysely<StoreDatabase>,
  runId: string | undefined,
): Promise<Partial<Record<ItemState, number>>> {
  let query = db
    .selectFrom('items')
    .select(({ fn }) => ['state', fn.countAll<number | string | bigint>().as('count')]);
  if (runId !== undefined) query = query.where('run_id', '=', runId);
  const rows = await query.groupBy('state').execute();
  const counts: Partial<Record<ItemState, number>> = {};
  for (const row of rows) counts[itemStateOf(row.state, runId ?? 'all runs')] = Number(row.count);
  return counts;
}

export async function getItem(
  db: Kysely<StoreDatabase>,
  runId: string,
  recordId: string,
): Promise<Item | undefined> {
  const row = await db
    .selectFrom('items')
    .selectAll()
    .where('run_id', '=', runId)
    .where('record_id', '=', recordId)
    .executeTakeFirst();
  return row === undefined ? undefined : rowToItemWithLineage(row);
}

export async function getChange(db: Kysely<StoreDatabase>, id: string): Promise<Change | undefined> {
  const row = await db.selectFrom('changes').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : rowToChange(row);
}

export async function listChanges(
  db: Kysely<StoreDatabase>,
  runId: string,
  options: { states?: ChangeState[]; afterId?: string; limit?: number; orderBy?: 'id' | 'confidence' },
): Promise<Change[]> {
  checkPaging('listChanges', options);
  const { states, afterId, limit, orderBy = 'id' } = options;
  if (states !== undefined && states.length === 0) return [];
  let query = db.selectFrom('changes').selectAll().where('run_id', '=', runId);
  if (states !== undefined) query = query.where('state', 'in', states);
  if (orderBy === 'id') {
    if (afterId !== undefined) query = query.where('id', '>', afterId);
    query = query.orderBy('id');
  } else {
    if (afterId !== undefined) {
      const cursor = await db
        .selectFrom('changes')
        .select('confidence')
        .where('id', '=', afterId)
        .where('run_id', '=', runId)
        .executeTakeFirst();
      if (cursor === undefined) {
        throw new ErpError('validation', `listChanges: afterId ${afterId} is not a change of run ${runId}`, {
          key: afterId,
          field: 'afterId',
          hint: 'Pass the id of the last change of the previous page.',
        });
      }
      const { confidence } = cursor;
      query = query.where((eb) =>
        eb.or([
          eb('confidence', '<', confidence),
          eb.and([eb('confidence', '=', confidence), eb('id', '>', afterId)]),
        ]),
      );
    }
    query = query.orderBy('confidence', 'desc').orderBy('id');
  }
  if (limit !== undefined) query = query.limit(limit);
  return (await query.execute()).map(rowToChange);
}

export async function countChanges(
  db: Kysely<StoreDatabase>,
  runId: string | undefined,
): Promise<Partial<Record<ChangeState, number>>> {
  let query = db
    .selectFrom('changes')
    .select(({ fn }) => ['state', fn.countAll<number | string | bigint>().as('count')]);
  if (runId !== undefined) query = query.where('run_id', '=', runId);
  const rows = await query.groupBy('state').execute();
  const counts: Partial<Record<ChangeState, number>> = {};
  for (const row of rows) counts[changeStateOf(row.state, runId ?? 'all runs')] = Number(row.count);
  return counts;
}

export async function listChangesByState(
  db: Kysely<StoreDatabase>,
  options: { state?: ChangeState; limit?: number; after?: string },
): Promise<Change[]> {
  checkPaging('listChangesByState', options);
  const { state = 'pending', limit, after } = options;
  let query = db
    .selectFrom('changes')
    .selectAll()
    .where('state', '=', state)
    .orderBy('created_at')
    .orderBy('id');
  if (after !== undefined) {
    const cursor = await db
      .selectFrom('changes')
      .select('created_at')
      .where('id', '=', after)
      .executeTakeFirst();
    if (cursor === undefined) {
      throw new ErpError('validation', `listChangesByState: after ${after} is not a change`, {
        key: after,
        field: 'after',
        hint: 'Pass the id of the last change of the previous page.',
      });
    }
    const createdAt = cursor.created_at;
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '>', createdAt),
        eb.and([eb('created_at', '=', createdAt), eb('id', '>', after)]),
      ]),
    );
  }
  if (limit !== undefined) query = query.limit(limit);
  return (await query.execute()).map(rowToChange);
}

export async function readAudit(
  db: Kysely<StoreDatabase>,
  options: { fromSeq?: number; limit?: number; runId?: string; typePrefix?: string },
): Promise<AuditEntry[]> {
  checkPaging('readAudit', options);
  const { fromSeq, limit, runId, typePrefix } = options;
  let query = db.selectFrom('audit_entries').selectAll().orderBy('seq');
  if (fromSeq !== undefined) query = query.where('seq', '>=', fromSeq);
  if (runId !== undefined) query = query.where('run_id', '=', runId);
  if (typePrefix !== undefined) {
    // substr, not LIKE: a prefix with % or _ in it means just that.
    query = query.where(sql<SqlBool>`substr("type", 1, ${typePrefix.length}) = ${typePrefix}`);
  }
  if (limit !== undefined) query = query.limit(limit);
  return (await query.execute()).map(rowToAuditEntry);
}

export async function listDeadLetters(
  db: Kysely<StoreDatabase>,
  options: { runId?: string; includeReplayed?: boolean; afterId?: string; limit?: number },
): Promise<DeadLetter[]> {
  checkPaging('listDeadLetters', options);
  let query = db.selectFrom('dead_letters').selectAll().orderBy('id');
  if (options.runId !== undefined) query = query.where('run_id', '=', options.runId);
  if (!options.includeReplayed) query = query.where('replayed_by', 'is', null);
  if (options.afterId !== undefined) query = query.where('id', '>', options.afterId);
  if (options.limit !== undefined) query = query.limit(options.limit);
  return (await query.execute()).map(rowToDeadLetter);
}

export async function listApiTokens(db: Kysely<StoreDatabase>): Promise<ApiToken[]> {
  const rows = await db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(rowToApiToken);
}

export async function getUser(db: Kysely<StoreDatabase>, name: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
  return row === undefined ? undefined : rowToUser(row);
}

export async function getSession(
  db: Kysely<StoreDatabase>,
  idHash: string,
  now: string,
): Promise<Session | undefined> {
  const row = await db
    .selectFrom('sessions')
    .selectAll()
    .where('id_hash', '=', idHash)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row === undefined ? undefined : rowToSession(row);
}

export async function getWatermark(
  db: Kysely<StoreDatabase>,
  workflow: string,
  connector: string,
): Promise<Watermark | undefined> {
  const row = await db
    .selectFrom('watermarks')
    .selectAll()
    .where('workflow', '=', workflow)
    .where('connector', '=', connector)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : {
        workflow: row.workflow,
        connector: row.connector,
        value: row.value,
        runId: row.run_id,
        updatedAt: row.updated_at,
      };
}

export async function loadModel(db: Kysely<StoreDatabase>, name: string): Promise<StoredModel | undefined> {
  const row = await db
    .selectFrom('models')
    .selectAll()
    .where('name', '=', name)
    .orderBy('created_at', 'desc')
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : rowToModel(row);
}
