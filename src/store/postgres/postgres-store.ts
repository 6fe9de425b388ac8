import { type Kysely, type SqlBool, sql, type Transaction } from 'kysely';
import type { Change, ChangeState } from '../../engine/change.ts';
import type { Item, ItemState, Run, RunState, RunStats } from '../../engine/run.ts';
import { AUDIT_TABLE, CHANGES_TABLE, ITEMS_TABLE, LEDGER_TABLE } from '../batch-tables.ts';
import type {
  ApiToken,
  AuditEntry,
  ChangeUpdate,
  DeadLetter,
  LabeledEdit,
  LedgerEntry,
  OutboxJob,
  Session,
  Store,
  StoredModel,
  User,
  Watermark,
} from '../contract.ts';
import { labeledEditToRow, listLabeledEdits, upsertLabeledEdit } from '../labeled-edits.ts';
import * as outbox from '../outbox.ts';
import * as read from '../read-queries.ts';
import {
  apiTokenToRow,
  auditEntryToRow,
  changeToRow,
  deadLetterToRow,
  itemToRow,
  modelToRow,
  rowToApiToken,
  rowToAuditEntry,
  rowToLedgerEntry,
  runToRow,
  sessionToRow,
  userToRow,
} from '../rows.ts';
import type { StoreDatabase } from '../schema.ts';
import { checkAppend, neverClaimed, unknownChange, unknownDeadLetter, unknownRun } from '../write-checks.ts';
import * as write from '../write-queries.ts';
import { lockForTransaction } from './advisory-lock.ts';
import { migratePostgres } from './migrate-postgres.ts';
import { openPostgresDatabase, type PostgresStoreOptions } from './postgres-database.ts';
import { normalizePostgresError } from './postgres-error.ts';
import { UnnestInsert } from './unnest-insert.ts';
import { changeUpdateStatement } from './update-changes.ts';

export type { PostgresStoreOptions } from './postgres-database.ts';

/**
 * The distributed store: PostgreSQL through Kysely's PostgresDialect over a `pg` pool, with the
 * same schema, migrations, row mapping and reads (`../read-queries.ts`) as the SQLite store, so
 * any number of processes on any number of machines share one state. Call `migrate()` once after
 * creating it (safe from many processes at once).
 *
 * Concurrency, where several processes write:
 * - `appendAudit` runs in a transaction holding the schema's `audit` advisory lock, so appenders
 *   take turns and the chain never forks (the primary key on `seq` backs this up).
 * - `claimIdempotencyKeys` inserts with `on conflict do nothing returning`: the unique key decides,
 *   and exactly one claimer of a key sees it as new. Keys are inserted in sorted order, so two
 *   claimers of overlapping sets wait for each other instead of deadlocking.
 * - Every multi-statement write is one transaction; a failure rolls all of it back.
 *
 * Batch paths are one statement per table (`unnest` of one array per column), so saving 500 items
 * is one round trip. Everything PostgreSQL-specific about connecting lives in
 * `postgres-database.ts`; errors are mapped in `postgres-error.ts`.
 *
 * @example
 * const store = createPostgresStore({ url: 'postgres://erpbridge@db:5432/erpbridge', schema: 'erpbridge' });
 * await store.migrate();
 */
export function createPostgresStore(options: PostgresStoreOptions): Store {
  return new PostgresStore(options);
}

const STORE_OPERATION_PREFIX = 'PostgreSQL store';

class PostgresStore implements Store {
  readonly #db: Kysely<StoreDatabase>;
  readonly #schema: string;
  readonly #target: string;
  readonly #insertItems = new UnnestInsert(ITEMS_TABLE);
  readonly #insertChanges = new UnnestInsert(CHANGES_TABLE);
  // The keys this claim inserted; any other was there before (or another claimer committed it first).
  readonly #insertLedger = new UnnestInsert({ ...LEDGER_TABLE, returning: 'idempotency_key' });
  readonly #insertAudit = new UnnestInsert(AUDIT_TABLE);

  constructor(options: PostgresStoreOptions) {
    const { db, schema, target } = openPostgresDatabase(options);
    this.#db = db;
    this.#schema = schema;
    this.#target = target;
  }

  async migrate(): Promise<void> {
    await this.#query('migrate', (db) => migratePostgres(db, this.#schema, this.#target));
  }

  async close(): Promise<void> {
    await this.#db.destroy();
  }

  async createRun(run: Run, jobs: OutboxJob[] = []): Promise<void> {
    await this.#transaction(`createRun ${run.id}`, async (trx) => {
      await trx.insertInto('runs').values(runToRow(run)).execute();
      await addJobs(trx, jobs);
    });
  }

  async getRun(id: string): Promise<Run | undefined> {
    return this.#query('getRun', (db) => read.getRun(db, id));
  }

  async listRuns(options: { limit?: number; workflow?: string; states?: RunState[] } = {}): Promise<Run[]> {
    return this.#query('listRuns', (db) => read.listRuns(db, options));
  }

  async updateRun(
    id: string,
    patch: { state?: RunState; stats?: RunStats; error?: string | null },
    options: { ifState?: readonly RunState[] } = {},
  ): Promise<boolean> {
    const { ifState } = options;
    if (ifState !== undefined && ifState.length === 0) return false;
    return this.#query(`updateRun ${id}`, async (db) => {
      // A compare-and-set: the row lock makes a second process wait, then see the new state.
      const { numUpdatedRows } = await write.updateRun(db, id, patch, ifState).executeTakeFirst();
      if (numUpdatedRows > 0n) return true;
      const exists = await write.runId(db, id).executeTakeFirst();
      if (ifState !== undefined && exists !== undefined) return false;
      throw unknownRun('updateRun', id);
    });
  }

  async countRuns(): Promise<{ workflow: string; state: RunState; count: number }[]> {
    return this.#query('countRuns', (db) => read.countRuns(db));
  }

  async saveBatch(items: Item[], changes: Change[], jobs: OutboxJob[] = []): Promise<void> {
    if (items.length === 0 && changes.length === 0 && jobs.length === 0) return;
    // One statement may not upsert a row twice; a later copy of an item replaces an earlier one.
    const itemRows = lastOfEach(items.map(itemToRow), (row) => `${row.run_id}\u0000${row.record_id}`);
    const changeRows = changes.map(changeToRow);
    await this.#transaction('saveBatch', async (trx) => {
      if (itemRows.length > 0) await trx.executeQuery(this.#insertItems.compile(itemRows));
      if (changeRows.length > 0) await trx.executeQuery(this.#insertChanges.compile(changeRows));
      await addJobs(trx, jobs);
    });
  }

  async knownRecordIds(runId: string, recordIds: string[]): Promise<Set<string>> {
    if (recordIds.length === 0) return new Set();
    const rows = await this.#query('knownRecordIds', (db) =>
      db
        .selectFrom('items')
        .select('record_id')
        .where('run_id', '=', runId)
        .where(anyOf('record_id', recordIds))
        .execute(),
    );
    return new Set(rows.map((row) => row.record_id));
  }

  async listItems(
    runId: string,
    options: { state?: ItemState; limit?: number; offset?: number } = {},
  ): Promise<Item[]> {
    return this.#query('listItems', (db) => read.listItems(db, runId, options));
  }

  async countItems(runId: string | undefined): Promise<Partial<Record<ItemState, number>>> {
    return this.#query('countItems', (db) => read.countItems(db, runId));
  }

  async getItem(runId: string, recordId: string): Promise<Item | undefined> {
    return this.#query('getItem', (db) => read.getItem(db, runId, recordId));
  }

  async getChange(id: string): Promise<Change | undefined> {
    return this.#query('getChange', (db) => read.getChange(db, id));
  }

  async listChanges(
    runId: string,
    options: { states?: ChangeState[]; afterId?: string; limit?: number; orderBy?: 'id' | 'confidence' } = {},
  ): Promise<Change[]> {
    return this.#query('listChanges', (db) => read.listChanges(db, runId, options));
  }

  async countChanges(runId: string | undefined): Promise<Partial<Record<ChangeState, number>>> {
    return this.#query('countChanges', (db) => read.countChanges(db, runId));
  }

  async listChangesByState(
    options: { state?: ChangeState; limit?: number; after?: string } = {},
  ): Promise<Change[]> {
    return this.#query('listChangesByState', (db) => read.listChangesByState(db, options));
  }

  async updateChanges(updates: ChangeUpdate[], jobs: OutboxJob[] = []): Promise<void> {
    if (updates.length === 0 && jobs.length === 0) return;
    const now = new Date().toISOString();
    await this.#transaction('updateChanges', async (trx) => {
      // One statement per run of distinct ids: an id listed twice is updated twice, in order.
      for (const group of updates.length === 0 ? [] : distinctRuns(updates, (update) => update.id)) {
        const { rows } = await trx.executeQuery<{ id: string }>(changeUpdateStatement(group, now));
        if (rows.length !== group.length) {
          const updated = new Set(rows.map((row) => row.id));
          const missing = group.find((update) => !updated.has(update.id));
          throw unknownChange(missing?.id ?? '?');
        }
      }
      await addJobs(trx, jobs);
    });
  }

  async insertChanges(changes: Change[], jobs: OutboxJob[] = []): Promise<void> {
    if (changes.length === 0 && jobs.length === 0) return;
    const rows = changes.map(changeToRow);
    await this.#transaction('insertChanges', async (trx) => {
      if (rows.length > 0) await trx.executeQuery(this.#insertChanges.compile(rows));
      await addJobs(trx, jobs);
    });
  }

  async claimChanges(changeIds: string[], jobId: string): Promise<Set<string>> {
    if (changeIds.length === 0) return new Set();
    const rows = outbox.applyClaimRows(changeIds, jobId, new Date().toISOString());
    return this.#transaction('claimChanges', async (trx) => {
      // A conflicting claim waits for its job's transaction, so the select sees who won.
      await outbox.insertApplyClaims(trx, rows).execute();
      const held = await outbox.claimsHeldBy(trx, changeIds, jobId).execute();
      return new Set(held.map((row) => row.change_id));
    });
  }

  async addOutboxJobs(jobs: OutboxJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.#query('addOutboxJobs', (db) => addJobs(db, jobs));
  }

  async listOutboxJobs(options: { limit: number }): Promise<OutboxJob[]> {
    return this.#query('listOutboxJobs', (db) => outbox.listOutboxJobs(db, options));
  }

  async markOutboxJobsSent(ids: string[], sentAt: string): Promise<void> {
    if (ids.length === 0) return;
    await this.#query('markOutboxJobsSent', (db) => outbox.markOutboxJobsSent(db, ids, sentAt).execute());
  }

  async listPublishedOutboxJobIds(runId: string): Promise<string[]> {
    const rows = await this.#query('listPublishedOutboxJobIds', (db) =>
      outbox.publishedJobIdsOfRun(db, runId).execute(),
    );
    return rows.map((row) => row.id);
  }

  async requeueOutboxJobs(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#query('requeueOutboxJobs', (db) => outbox.requeueOutboxJobs(db, ids).execute());
  }

  async pruneOutbox(sentBefore: string): Promise<number> {
    // Each batch in autocommit: its row locks are released before the next batch takes any.
    return this.#query('pruneOutbox', (db) =>
      outbox.pruneOutboxInBatches(async () => {
        const { numDeletedRows } = await outbox
          .deleteSentOutboxBatch(db, sentBefore, { skipLocked: true })
          .executeTakeFirst();
        return Number(numDeletedRows);
      }),
    );
  }

  async claimIdempotencyKeys(
    entries: { key: string; changeId: string }[],
  ): Promise<Map<string, LedgerEntry>> {
    if (entries.length === 0) return new Map();
    const now = new Date().toISOString();
    // First claim of a key in the list wins, as in one multi-row insert; sorted so that concurrent
    // claimers lock index entries in one order (no deadlock).
    const rows = firstOfEach(write.ledgerClaimRows(entries, now), (row) => row.idempotency_key).sort((a, b) =>
      compareText(a.idempotency_key, b.idempotency_key),
    );
    return this.#transaction('claimIdempotencyKeys', async (trx) => {
      const { rows: inserted } = await trx.executeQuery<{ idempotency_key: string }>(
        this.#insertLedger.compile(rows),
      );
      const fresh = new Set(inserted.map((row) => row.idempotency_key));
      const existing = rows.map((row) => row.idempotency_key).filter((key) => !fresh.has(key));
      // A conflicting insert waited for its claimer to commit, so those rows are visible now.
      return existing.length === 0 ? new Map<string, LedgerEntry>() : ledgerEntries(trx, existing);
    });
  }

  async completeIdempotencyKeys(keys: string[]): Promise<void> {
    const unique = [...new Set(keys)];
    if (unique.length === 0) return;
    const now = new Date().toISOString();
    await this.#transaction('completeIdempotencyKeys', async (trx) => {
      const completed = await trx
        .updateTable('idempotency_ledger')
        .set({ state: 'done', updated_at: now })
        .where(anyOf('idempotency_key', unique))
        .returning('idempotency_key')
        .execute();
      if (completed.length !== unique.length) {
        const done = new Set(completed.map((row) => row.idempotency_key));
        throw neverClaimed(unique.filter((key) => !done.has(key)));
      }
    });
  }

  async getLedgerEntries(keys: string[]): Promise<Map<string, LedgerEntry>> {
    if (keys.length === 0) return new Map();
    return this.#query('getLedgerEntries', (db) => ledgerEntries(db, keys));
  }

  async appendAudit(build: (tail: AuditEntry | null) => AuditEntry[]): Promise<AuditEntry[]> {
    return this.#transaction('appendAudit', async (trx) => {
      // Appenders in every process take turns: the tail cannot move until this one commits.
      await lockForTransaction(trx, 'audit', this.#schema);
      const tailRow = await write.auditTail(trx).executeTakeFirst();
      const tail = tailRow === undefined ? null : rowToAuditEntry(tailRow);
      const entries = build(tail);
      checkAppend(tail, entries);
      if (entries.length > 0) await trx.executeQuery(this.#insertAudit.compile(entries.map(auditEntryToRow)));
      return entries;
    });
  }

  async readAudit(
    options: { fromSeq?: number; limit?: number; runId?: string; typePrefix?: string } = {},
  ): Promise<AuditEntry[]> {
    return this.#query('readAudit', (db) => read.readAudit(db, options));
  }

  async addDeadLetters(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    // The newest failure of a record and stage wins, within this list too.
    const rows = lastOfEach(letters.map(deadLetterToRow), (row) => row.id);
    await this.#query('addDeadLetters', (db) => write.upsertDeadLetters(db, rows).execute());
  }

  async listDeadLetters(
    options: { runId?: string; includeReplayed?: boolean; afterId?: string; limit?: number } = {},
  ): Promise<DeadLetter[]> {
    return this.#query('listDeadLetters', (db) => read.listDeadLetters(db, options));
  }

  async markDeadLettersReplayed(ids: string[], replayRunId: string): Promise<void> {
    if (ids.length === 0) return;
    await this.#transaction('markDeadLettersReplayed', async (trx) => {
      const marked = await trx
        .updateTable('dead_letters')
        .set({ replayed_by: replayRunId })
        .where(anyOf('id', ids))
        .returning('id')
        .execute();
      const found = new Set(marked.map((row) => row.id));
      const missing = ids.find((id) => !found.has(id));
      if (missing !== undefined) throw unknownDeadLetter(missing);
    });
  }

  async addApiToken(token: ApiToken): Promise<void> {
    await this.#query(`addApiToken ${token.id}`, (db) =>
      db.insertInto('api_tokens').values(apiTokenToRow(token)).execute(),
    );
  }

  async useApiToken(tokenHash: string, now: string): Promise<ApiToken | undefined> {
    const row = await this.#query('useApiToken', (db) =>
      db
        .updateTable('api_tokens')
        .set({ last_used_at: now })
        .where('token_hash', '=', tokenHash)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst(),
    );
    return row === undefined ? undefined : rowToApiToken(row);
  }

  async listApiTokens(): Promise<ApiToken[]> {
    return this.#query('listApiTokens', (db) => read.listApiTokens(db));
  }

  async revokeApiToken(id: string, now: string): Promise<boolean> {
    const result = await this.#query(`revokeApiToken ${id}`, (db) =>
      write.revokeApiToken(db, id, now).executeTakeFirst(),
    );
    return result.numUpdatedRows > 0n;
  }

  async putUser(user: User): Promise<void> {
    await this.#query(`putUser ${user.name}`, (db) => write.putUser(db, userToRow(user)).execute());
  }

  async getUser(name: string): Promise<User | undefined> {
    return this.#query('getUser', (db) => read.getUser(db, name));
  }

  async addSession(session: Session): Promise<void> {
    await this.#query('addSession', (db) =>
      db.insertInto('sessions').values(sessionToRow(session)).execute(),
    );
  }

  async getSession(idHash: string, now: string): Promise<Session | undefined> {
    return this.#query('getSession', (db) => read.getSession(db, idHash, now));
  }

  async deleteSession(idHash: string, now: string): Promise<void> {
    await this.#query('deleteSession', (db) => write.deleteSession(db, idHash, now).execute());
  }

  async deleteExpiredSessions(now: string): Promise<number> {
    const { numDeletedRows } = await this.#query('deleteExpiredSessions', (db) =>
      write.deleteExpiredSessions(db, now).executeTakeFirst(),
    );
    return Number(numDeletedRows);
  }

  async claimWebhookDelivery(
    workflow: string,
    key: string,
    receivedAt: string,
  ): Promise<{ fresh: true } | { fresh: false; runId: string | null }> {
    return this.#transaction('claimWebhookDelivery', async (trx) => {
      const inserted = await write
        .insertWebhookDelivery(trx, workflow, key, receivedAt)
        .returning('workflow')
        .executeTakeFirst();
      if (inserted !== undefined) return { fresh: true as const };
      const row = await write.webhookDeliveryRun(trx, workflow, key).executeTakeFirst();
      return { fresh: false as const, runId: row?.run_id ?? null };
    });
  }

  async setWebhookDeliveryRun(workflow: string, key: string, runId: string): Promise<void> {
    await this.#query('setWebhookDeliveryRun', (db) =>
      write.setWebhookDeliveryRun(db, workflow, key, runId).execute(),
    );
  }

  async getWatermark(workflow: string, connector: string): Promise<Watermark | undefined> {
    return this.#query('getWatermark', (db) => read.getWatermark(db, workflow, connector));
  }

  async setWatermark(watermark: Watermark): Promise<void> {
    await this.#query('setWatermark', (db) => write.setWatermark(db, watermark).execute());
  }

  async saveModel(model: StoredModel): Promise<void> {
    await this.#query(`saveModel ${model.name}@${model.version}`, (db) =>
      write.saveModel(db, modelToRow(model)).execute(),
    );
  }

  async loadModel(name: string): Promise<StoredModel | undefined> {
    return this.#query('loadModel', (db) => read.loadModel(db, name));
  }

  async addLabeledEdits(edits: LabeledEdit[]): Promise<void> {
    if (edits.length === 0) return;
    const rows = edits.map(labeledEditToRow);
    // One statement per edit, in order: an id edited twice in one list takes its last human value.
    await this.#transaction('addLabeledEdits', async (trx) => {
      for (const row of rows) await upsertLabeledEdit(trx, row).execute();
    });
  }

  async listLabeledEdits(
    options: { workflow?: string; since?: string; afterId?: string; limit?: number } = {},
  ): Promise<LabeledEdit[]> {
    return this.#query('listLabeledEdits', (db) => listLabeledEdits(db, options));
  }

  /**
   * One statement (or a few that need no common snapshot) on a pooled connection, in autocommit;
   * a `pg` error comes out as the ErpError the rest of erpbridge acts on.
   */
  async #query<T>(operation: string, work: (db: Kysely<StoreDatabase>) => Promise<T>): Promise<T> {
    try {
      return await work(this.#db);
    } catch (error) {
      throw normalizePostgresError(error, `${STORE_OPERATION_PREFIX} ${operation}`, this.#target);
    }
  }

  /** `work` in one transaction (read committed) on one connection: all of it commits, or none. */
  async #transaction<T>(
    operation: string,
    work: (trx: Transaction<StoreDatabase>) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.#db.transaction().execute(work);
    } catch (error) {
      throw normalizePostgresError(error, `${STORE_OPERATION_PREFIX} ${operation}`, this.#target);
    }
  }
}

/** `column = any($1::text[])`: one array parameter for any number of values, answered from the index. */
function anyOf(column: 'record_id' | 'idempotency_key' | 'id', values: readonly string[]) {
  return sql<SqlBool>`${sql.ref(column)} = any(${values}::text[])`;
}

/** Adds outbox jobs with the state they act on (inside the caller's transaction). */
async function addJobs(db: Kysely<StoreDatabase>, jobs: readonly OutboxJob[]): Promise<void> {
  if (jobs.length === 0) return;
  await outbox.insertOutboxJobs(db, jobs.map(outbox.outboxJobToRow)).execute();
}

async function ledgerEntries(db: Kysely<StoreDatabase>, keys: string[]): Promise<Map<string, LedgerEntry>> {
  const rows = await db
    .selectFrom('idempotency_ledger')
    .selectAll()
    .where(anyOf('idempotency_key', keys))
    .execute();
  return new Map(rows.map((row) => [row.idempotency_key, rowToLedgerEntry(row)]));
}

/** The rows with duplicates (by `key`) dropped, the last copy kept in the place of the first. */
function lastOfEach<Row>(rows: Row[], key: (row: Row) => string): Row[] {
  const byKey = new Map<string, Row>();
  for (const row of rows) byKey.set(key(row), row);
  return byKey.size === rows.length ? rows : [...byKey.values()];
}

function firstOfEach<Row>(rows: Row[], key: (row: Row) => string): Row[] {
  const byKey = new Map<string, Row>();
  for (const row of rows) if (!byKey.has(key(row))) byKey.set(key(row), row);
  return byKey.size === rows.length ? rows : [...byKey.values()];
}

/** Splits a list, in order, into runs in which no key repeats. */
function distinctRuns<T>(list: T[], key: (value: T) => string): T[][] {
  const runs: T[][] = [];
  let current: T[] = [];
  let seen = new Set<string>();
  for (const value of list) {
    if (seen.has(key(value))) {
      runs.push(current);
      current = [];
      seen = new Set();
    }
    seen.add(key(value));
    current.push(value);
  }
  runs.push(current);
  return runs;
}

/** A total order on strings, the same in every process (for lock ordering only). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
