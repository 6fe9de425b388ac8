import type Database from 'better-sqlite3';
import { type CompiledQuery, Kysely, type SqlBool, SqliteDialect, sql } from 'kysely';
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
import type {
  AuditEntriesTable,
  ChangesTable,
  IdempotencyLedgerTable,
  ItemsTable,
  StoreDatabase,
} from '../schema.ts';
import { checkAppend, neverClaimed, unknownChange, unknownDeadLetter, unknownRun } from '../write-checks.ts';
import * as write from '../write-queries.ts';
import { CompiledStatements } from './compiled-statements.ts';
import { migrateSqlite } from './migrate-sqlite.ts';
import { MultiRowInsert } from './multi-row-insert.ts';
import { openSqliteDatabase } from './open-database.ts';
import { normalizeSqliteError } from './sqlite-error.ts';

export interface SqliteStoreOptions {
  /**
   * The database file, e.g. `.erpbridge/erpbridge.sqlite`; its directory is created if missing.
   * `:memory:` gives a private in-memory store (tests only: no second process can see it).
   */
  path: string;
}

/**
 * The embedded store: one SQLite file in WAL mode, safe to share between processes (an engine
 * killed mid-run and a new one continuing on the same file; a CLI reading while a run writes).
 * Call `migrate()` once after creating it.
 *
 * Queries are built with Kysely and reads run through Kysely's SQLite dialect. Every write runs
 * synchronously inside one `BEGIN IMMEDIATE` transaction on the better-sqlite3 handle (Kysely
 * compiles it, `CompiledStatements` runs it), so a batch is atomic, a second process waits for the
 * lock instead of failing on a stale snapshot, and the transaction never yields to the event loop
 * while it holds the lock. The hot paths skip Kysely's per-call compile: the batch inserts (items,
 * changes, ledger, audit) are multi-row statements prepared once, and `knownRecordIds` and
 * `updateChanges` are single prepared statements; compiling a 500-row insert on every batch
 * measured about as long as running it.
 *
 * @example
 * const store = createSqliteStore({ path: '.erpbridge/erpbridge.sqlite' });
 * await store.migrate();
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  return new SqliteStore(options.path);
}

const STORE_OPERATION_PREFIX = 'SQLite store';

class SqliteStore implements Store {
  readonly #path: string;
  readonly #raw: Database.Database;
  readonly #db: Kysely<StoreDatabase>;
  readonly #statements: CompiledStatements;
  readonly #insertItems: MultiRowInsert<ItemsTable>;
  readonly #insertChanges: MultiRowInsert<ChangesTable>;
  readonly #insertLedger: MultiRowInsert<IdempotencyLedgerTable>;
  readonly #insertAudit: MultiRowInsert<AuditEntriesTable>;
  #updateChange: Database.Statement | undefined;
  #tailQuery: CompiledQuery<AuditEntriesTable> | undefined;
  #knownRecordIds: Database.Statement<[string, string]> | undefined;

  constructor(path: string) {
    this.#path = path;
    this.#raw = openSqliteDatabase(path);
    this.#db = new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database: this.#raw }) });
    this.#statements = new CompiledStatements(this.#raw);
    this.#insertItems = new MultiRowInsert(this.#raw, ITEMS_TABLE);
    this.#insertChanges = new MultiRowInsert(this.#raw, CHANGES_TABLE);
    this.#insertLedger = new MultiRowInsert(this.#raw, LEDGER_TABLE);
    this.#insertAudit = new MultiRowInsert(this.#raw, AUDIT_TABLE);
  }

  async migrate(): Promise<void> {
    await this.#guard('migrate', () => migrateSqlite(this.#db, this.#raw, this.#path));
  }

  async close(): Promise<void> {
    await this.#db.destroy();
    // Kysely closes the handle only if it ever ran a query; the synchronous paths may be all we used.
    if (this.#raw.open) this.#raw.close();
  }

  async createRun(run: Run, jobs: OutboxJob[] = []): Promise<void> {
    this.#write(`createRun ${run.id}`, () => {
      this.#statements.run(this.#db.insertInto('runs').values(runToRow(run)));
      this.#addJobs(jobs);
    });
  }

  async getRun(id: string): Promise<Run | undefined> {
    return this.#guard('getRun', () => read.getRun(this.#db, id));
  }

  async listRuns(options: { limit?: number; workflow?: string; states?: RunState[] } = {}): Promise<Run[]> {
    return this.#guard('listRuns', () => read.listRuns(this.#db, options));
  }

  async updateRun(
    id: string,
    patch: { state?: RunState; stats?: RunStats; error?: string | null },
    options: { ifState?: readonly RunState[] } = {},
  ): Promise<boolean> {
    const { ifState } = options;
    return this.#write(`updateRun ${id}`, () => {
      if (ifState !== undefined && ifState.length === 0) return false;
      const { changes } = this.#statements.run(write.updateRun(this.#db, id, patch, ifState));
      if (changes > 0) return true;
      if (ifState !== undefined && this.#statements.all(write.runId(this.#db, id)).length > 0) return false;
      throw unknownRun('updateRun', id);
    });
  }

  async countRuns(): Promise<{ workflow: string; state: RunState; count: number }[]> {
    return this.#guard('countRuns', () => read.countRuns(this.#db));
  }

  async saveBatch(items: Item[], changes: Change[], jobs: OutboxJob[] = []): Promise<void> {
    if (items.length === 0 && changes.length === 0 && jobs.length === 0) return;
    const itemRows = items.map(itemToRow);
    const changeRows = changes.map(changeToRow);
    this.#write('saveBatch', () => {
      this.#insertItems.run(itemRows);
      this.#insertChanges.run(changeRows);
      this.#addJobs(jobs);
    });
  }

  async knownRecordIds(runId: string, recordIds: string[]): Promise<Set<string>> {
    if (recordIds.length === 0) return new Set();
    // Called once per extracted page: a statement prepared once, answering bare strings.
    this.#knownRecordIds ??= this.#raw
      .prepare(
        'select "record_id" from "items" where "run_id" = ? and "record_id" in (select "value" from json_each(?))',
      )
      .pluck();
    const statement = this.#knownRecordIds;
    const found = this.#read('knownRecordIds', () => statement.all(runId, JSON.stringify(recordIds)));
    return new Set(found.filter((recordId) => typeof recordId === 'string'));
  }

  async listItems(
    runId: string,
    options: { state?: ItemState; limit?: number; offset?: number } = {},
  ): Promise<Item[]> {
    return this.#guard('listItems', () => read.listItems(this.#db, runId, options));
  }

  async countItems(runId: string | undefined): Promise<Partial<Record<ItemState, number>>> {
    return this.#guard('countItems', () => read.countItems(this.#db, runId));
  }

  async getItem(runId: string, recordId: string): Promise<Item | undefined> {
    return this.#guard('getItem', () => read.getItem(this.#db, runId, recordId));
  }

  async getChange(id: string): Promise<Change | undefined> {
    return this.#guard('getChange', () => read.getChange(this.#db, id));
  }

  async listChanges(
    runId: string,
    options: { states?: ChangeState[]; afterId?: string; limit?: number; orderBy?: 'id' | 'confidence' } = {},
  ): Promise<Change[]> {
    return this.#guard('listChanges', () => read.listChanges(this.#db, runId, options));
  }

  async countChanges(runId: string | undefined): Promise<Partial<Record<ChangeState, number>>> {
    return this.#guard('countChanges', () => read.countChanges(this.#db, runId));
  }

  async listChangesByState(
    options: { state?: ChangeState; limit?: number; after?: string } = {},
  ): Promise<Change[]> {
    return this.#guard('listChangesByState', () => read.listChangesByState(this.#db, options));
  }

  async updateChanges(updates: ChangeUpdate[], jobs: OutboxJob[] = []): Promise<void> {
    if (updates.length === 0 && jobs.length === 0) return;
    const now = new Date().toISOString();
    this.#write('updateChanges', () => {
      const statement = this.#updateChangeStatement();
      for (const { id, state, error, decidedBy, after, idempotencyKey, approvals, outcome } of updates) {
        const { changes } = statement.run(
          state,
          now,
          error === undefined ? 0 : 1,
          error ?? null,
          decidedBy === undefined ? 0 : 1,
          decidedBy ?? null,
          after === undefined ? 0 : 1,
          after === undefined ? null : JSON.stringify(after),
          idempotencyKey === undefined ? 0 : 1,
          idempotencyKey ?? null,
          approvals === undefined ? 0 : 1,
          approvals === undefined ? null : JSON.stringify(approvals),
          outcome === undefined ? 0 : 1,
          outcome == null ? null : JSON.stringify(outcome),
          id,
        );
        if (changes === 0) throw unknownChange(id);
      }
      this.#addJobs(jobs);
    });
  }

  async insertChanges(changes: Change[], jobs: OutboxJob[] = []): Promise<void> {
    if (changes.length === 0 && jobs.length === 0) return;
    const rows = changes.map(changeToRow);
    this.#write('insertChanges', () => {
      this.#insertChanges.run(rows);
      this.#addJobs(jobs);
    });
  }

  async claimChanges(changeIds: string[], jobId: string): Promise<Set<string>> {
    if (changeIds.length === 0) return new Set();
    const rows = outbox.applyClaimRows(changeIds, jobId, new Date().toISOString());
    return this.#write('claimChanges', () => {
      this.#statements.run(outbox.insertApplyClaims(this.#db, rows));
      const held = this.#statements.all(outbox.claimsHeldBy(this.#db, changeIds, jobId));
      return new Set(held.map((row) => row.change_id));
    });
  }

  async addOutboxJobs(jobs: OutboxJob[]): Promise<void> {
    if (jobs.length === 0) return;
    this.#write('addOutboxJobs', () => this.#addJobs(jobs));
  }

  async listOutboxJobs(options: { limit: number }): Promise<OutboxJob[]> {
    return this.#guard('listOutboxJobs', () => outbox.listOutboxJobs(this.#db, options));
  }

  async markOutboxJobsSent(ids: string[], sentAt: string): Promise<void> {
    if (ids.length === 0) return;
    this.#write('markOutboxJobsSent', () => {
      this.#statements.run(outbox.markOutboxJobsSent(this.#db, ids, sentAt));
    });
  }

  async listPublishedOutboxJobIds(runId: string): Promise<string[]> {
    const rows = await this.#guard('listPublishedOutboxJobIds', () =>
      outbox.publishedJobIdsOfRun(this.#db, runId).execute(),
    );
    return rows.map((row) => row.id);
  }

  async requeueOutboxJobs(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    this.#write('requeueOutboxJobs', () => {
      this.#statements.run(outbox.requeueOutboxJobs(this.#db, ids));
    });
  }

  async pruneOutbox(sentBefore: string): Promise<number> {
    return outbox.pruneOutboxInBatches(
      () =>
        this.#write('pruneOutbox', () =>
          this.#statements.run(outbox.deleteSentOutboxBatch(this.#db, sentBefore)),
        ).changes,
    );
  }

  async claimIdempotencyKeys(
    entries: { key: string; changeId: string }[],
  ): Promise<Map<string, LedgerEntry>> {
    if (entries.length === 0) return new Map();
    const rows = write.ledgerClaimRows(entries, new Date().toISOString());
    return this.#write('claimIdempotencyKeys', () => {
      const previous = this.#ledgerEntries(entries.map((entry) => entry.key));
      this.#insertLedger.run(rows);
      return previous;
    });
  }

  async completeIdempotencyKeys(keys: string[]): Promise<void> {
    const unique = [...new Set(keys)];
    if (unique.length === 0) return;
    const now = new Date().toISOString();
    this.#write('completeIdempotencyKeys', () => {
      const { changes } = this.#statements.run(
        this.#db
          .updateTable('idempotency_ledger')
          .set({ state: 'done', updated_at: now })
          .where(inList('idempotency_key', unique)),
      );
      if (changes !== unique.length) {
        const claimed = this.#ledgerEntries(unique);
        const unclaimed = unique.filter((key) => !claimed.has(key));
        throw neverClaimed(unclaimed);
      }
    });
  }

  async getLedgerEntries(keys: string[]): Promise<Map<string, LedgerEntry>> {
    if (keys.length === 0) return new Map();
    const rows = await this.#guard('getLedgerEntries', () =>
      this.#db.selectFrom('idempotency_ledger').selectAll().where(inList('idempotency_key', keys)).execute(),
    );
    return new Map(rows.map((row) => [row.idempotency_key, rowToLedgerEntry(row)]));
  }

  async appendAudit(build: (tail: AuditEntry | null) => AuditEntry[]): Promise<AuditEntry[]> {
    return this.#write('appendAudit', () => {
      this.#tailQuery ??= write.auditTail(this.#db).compile();
      const [tailRow] = this.#statements.all(this.#tailQuery);
      const tail = tailRow === undefined ? null : rowToAuditEntry(tailRow);
      const entries = build(tail);
      checkAppend(tail, entries);
      this.#insertAudit.run(entries.map(auditEntryToRow));
      return entries;
    });
  }

  async readAudit(
    options: { fromSeq?: number; limit?: number; runId?: string; typePrefix?: string } = {},
  ): Promise<AuditEntry[]> {
    return this.#guard('readAudit', () => read.readAudit(this.#db, options));
  }

  async addDeadLetters(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const rows = letters.map(deadLetterToRow);
    this.#write('addDeadLetters', () => {
      // Row by row, in order: the newest failure of a record and stage wins, within this list too.
      for (const row of rows) this.#statements.run(write.upsertDeadLetters(this.#db, [row]));
    });
  }

  async listDeadLetters(
    options: { runId?: string; includeReplayed?: boolean; afterId?: string; limit?: number } = {},
  ): Promise<DeadLetter[]> {
    return this.#guard('listDeadLetters', () => read.listDeadLetters(this.#db, options));
  }

  async markDeadLettersReplayed(ids: string[], replayRunId: string): Promise<void> {
    if (ids.length === 0) return;
    this.#write('markDeadLettersReplayed', () => {
      for (const id of ids) {
        const { changes } = this.#statements.run(
          this.#db.updateTable('dead_letters').set({ replayed_by: replayRunId }).where('id', '=', id),
        );
        if (changes === 0) throw unknownDeadLetter(id);
      }
    });
  }

  async addApiToken(token: ApiToken): Promise<void> {
    this.#write(`addApiToken ${token.id}`, () => {
      this.#statements.run(this.#db.insertInto('api_tokens').values(apiTokenToRow(token)));
    });
  }

  async useApiToken(tokenHash: string, now: string): Promise<ApiToken | undefined> {
    return this.#write('useApiToken', () => {
      const [row] = this.#statements.all(
        this.#db
          .selectFrom('api_tokens')
          .selectAll()
          .where('token_hash', '=', tokenHash)
          .where('revoked_at', 'is', null),
      );
      if (row === undefined) return undefined;
      this.#statements.run(
        this.#db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id),
      );
      return rowToApiToken({ ...row, last_used_at: now });
    });
  }

  async listApiTokens(): Promise<ApiToken[]> {
    return this.#guard('listApiTokens', () => read.listApiTokens(this.#db));
  }

  async revokeApiToken(id: string, now: string): Promise<boolean> {
    return this.#write(`revokeApiToken ${id}`, () => {
      const { changes } = this.#statements.run(write.revokeApiToken(this.#db, id, now));
      return changes > 0;
    });
  }

  async putUser(user: User): Promise<void> {
    const row = userToRow(user);
    this.#write(`putUser ${user.name}`, () => {
      this.#statements.run(write.putUser(this.#db, row));
    });
  }

  async getUser(name: string): Promise<User | undefined> {
    return this.#guard('getUser', () => read.getUser(this.#db, name));
  }

  async addSession(session: Session): Promise<void> {
    this.#write('addSession', () => {
      this.#statements.run(this.#db.insertInto('sessions').values(sessionToRow(session)));
    });
  }

  async getSession(idHash: string, now: string): Promise<Session | undefined> {
    return this.#guard('getSession', () => read.getSession(this.#db, idHash, now));
  }

  async deleteSession(idHash: string, now: string): Promise<void> {
    this.#write('deleteSession', () => {
      this.#statements.run(write.deleteSession(this.#db, idHash, now));
    });
  }

  async deleteExpiredSessions(now: string): Promise<number> {
    return this.#write('deleteExpiredSessions', () =>
      this.#statements.run(write.deleteExpiredSessions(this.#db, now)),
    ).changes;
  }

  async claimWebhookDelivery(
    workflow: string,
    key: string,
    receivedAt: string,
  ): Promise<{ fresh: true } | { fresh: false; runId: string | null }> {
    return this.#write('claimWebhookDelivery', () => {
      const { changes } = this.#statements.run(
        write.insertWebhookDelivery(this.#db, workflow, key, receivedAt),
      );
      if (changes > 0) return { fresh: true as const };
      const [row] = this.#statements.all(write.webhookDeliveryRun(this.#db, workflow, key));
      return { fresh: false as const, runId: row?.run_id ?? null };
    });
  }

  async setWebhookDeliveryRun(workflow: string, key: string, runId: string): Promise<void> {
    this.#write('setWebhookDeliveryRun', () => {
      this.#statements.run(write.setWebhookDeliveryRun(this.#db, workflow, key, runId));
    });
  }

  async getWatermark(workflow: string, connector: string): Promise<Watermark | undefined> {
    return this.#guard('getWatermark', () => read.getWatermark(this.#db, workflow, connector));
  }

  async setWatermark(watermark: Watermark): Promise<void> {
    this.#write('setWatermark', () => {
      this.#statements.run(write.setWatermark(this.#db, watermark));
    });
  }

  async saveModel(model: StoredModel): Promise<void> {
    const row = modelToRow(model);
    this.#write(`saveModel ${model.name}@${model.version}`, () => {
      this.#statements.run(write.saveModel(this.#db, row));
    });
  }

  async loadModel(name: string): Promise<StoredModel | undefined> {
    return this.#guard('loadModel', () => read.loadModel(this.#db, name));
  }

  async addLabeledEdits(edits: LabeledEdit[]): Promise<void> {
    if (edits.length === 0) return;
    const rows = edits.map(labeledEditToRow);
    this.#write('addLabeledEdits', () => {
      for (const row of rows) this.#statements.run(upsertLabeledEdit(this.#db, row));
    });
  }

  async listLabeledEdits(
    options: { workflow?: string; since?: string; afterId?: string; limit?: number } = {},
  ): Promise<LabeledEdit[]> {
    return this.#guard('listLabeledEdits', () => listLabeledEdits(this.#db, options));
  }

  /** Runs `work` in one immediate transaction; throws the normalised error after rolling back. */
  #write<T>(operation: string, work: () => T): T {
    try {
      return this.#raw.transaction(work).immediate();
    } catch (error) {
      throw normalizeSqliteError(error, `${STORE_OPERATION_PREFIX} ${operation}`, this.#path);
    }
  }

  #read<T>(operation: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw normalizeSqliteError(error, `${STORE_OPERATION_PREFIX} ${operation}`, this.#path);
    }
  }

  async #guard<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw normalizeSqliteError(error, `${STORE_OPERATION_PREFIX} ${operation}`, this.#path);
    }
  }

  /** Adds outbox rows inside the caller's transaction. */
  #addJobs(jobs: readonly OutboxJob[]): void {
    if (jobs.length === 0) return;
    this.#statements.run(outbox.insertOutboxJobs(this.#db, jobs.map(outbox.outboxJobToRow)));
  }

  /** Ledger entries for these keys, read synchronously (inside the caller's transaction). */
  #ledgerEntries(keys: string[]): Map<string, LedgerEntry> {
    const rows = this.#statements.all(
      this.#db.selectFrom('idempotency_ledger').selectAll().where(inList('idempotency_key', keys)),
    );
    return new Map(rows.map((row) => [row.idempotency_key, rowToLedgerEntry(row)]));
  }

  /**
   * One prepared statement for every change update: `error` and `decided_by` change only when the
   * caller passed them (undefined leaves them, null clears them), without compiling SQL per row.
   */
  #updateChangeStatement(): Database.Statement {
    this.#updateChange ??= this.#raw.prepare(
      `update "changes" set "state" = ?, "updated_at" = ?,
         "error" = case when ? then ? else "error" end,
         "decided_by" = case when ? then ? else "decided_by" end,
         "after" = case when ? then ? else "after" end,
         "idempotency_key" = case when ? then ? else "idempotency_key" end,
         "approvals" = case when ? then ? else "approvals" end,
         "outcome" = case when ? then ? else "outcome" end
       where "id" = ?`,
    );
    return this.#updateChange;
  }
}

/**
 * `column IN (values)` with the list bound as one JSON text parameter: the SQL stays the same for
 * any number of values (no 500-placeholder statements to compile, no parameter limit to chunk for),
 * and SQLite still looks each value up in the index.
 */
function inList(column: 'idempotency_key', values: readonly string[]) {
  return sql<SqlBool>`${sql.ref(column)} in (select "value" from json_each(${JSON.stringify(values)}))`;
}
