import type Database from 'better-sqlite3';
import { type CompiledQuery, Kysely, type SqlBool, SqliteDialect, sql } from 'kysely';
import type { Change, ChangeState } from '../../engine/change.ts';
import {
  type Item,
  type ItemState,
  RUN_STATES,
  type Run,
  type RunState,
  type RunStats,
} from '../../engine/run.ts';
import { ErpError } from '../../errors/index.ts';
import type {
  ApiToken,
  AuditEntry,
  ChangeUpdate,
  DeadLetter,
  LedgerEntry,
  Session,
  Store,
  StoredModel,
  User,
  Watermark,
} from '../contract.ts';
import { checkPaging } from '../paging.ts';
import {
  apiTokenToRow,
  auditEntryToRow,
  changeStateOf,
  changeToRow,
  deadLetterToRow,
  itemStateOf,
  itemToRow,
  modelToRow,
  ROW_FORMAT_VERSION,
  rowToApiToken,
  rowToAuditEntry,
  rowToChange,
  rowToDeadLetter,
  rowToItem,
  rowToItemWithLineage,
  rowToLedgerEntry,
  rowToModel,
  rowToRun,
  rowToSession,
  rowToUser,
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
    this.#insertItems = new MultiRowInsert(this.#raw, {
      table: 'items',
      columns: {
        run_id: true,
        record_id: true,
        format_version: true,
        state: true,
        label: true,
        confidence: true,
        error: true,
        record: true,
        ai_input: true,
      },
      onConflict: `on conflict ("run_id", "record_id") do update set "format_version" = excluded."format_version",
        "state" = excluded."state", "label" = excluded."label", "confidence" = excluded."confidence",
        "error" = excluded."error", "record" = excluded."record", "ai_input" = excluded."ai_input"`,
    });
    this.#insertChanges = new MultiRowInsert(this.#raw, {
      table: 'changes',
      columns: {
        id: true,
        format_version: true,
        run_id: true,
        entity: true,
        record_id: true,
        before: true,
        after: true,
        amount: true,
        currency: true,
        version: true,
        reason: true,
        confidence: true,
        explanation: true,
        idempotency_key: true,
        state: true,
        revert_of: true,
        requested_by: true,
        approvals: true,
        decided_by: true,
        outcome: true,
        error: true,
        created_at: true,
        updated_at: true,
      },
      // An existing id is left as it is; a new id reusing another change's idempotency key fails.
      onConflict: 'on conflict ("id") do nothing',
    });
    this.#insertLedger = new MultiRowInsert(this.#raw, {
      table: 'idempotency_ledger',
      columns: {
        idempotency_key: true,
        format_version: true,
        change_id: true,
        state: true,
        updated_at: true,
      },
      onConflict: 'on conflict ("idempotency_key") do nothing',
    });
    this.#insertAudit = new MultiRowInsert(this.#raw, {
      table: 'audit_entries',
      columns: {
        seq: true,
        format_version: true,
        at: true,
        type: true,
        run_id: true,
        actor: true,
        payload: true,
        prev_hash: true,
        hash: true,
      },
    });
  }

  async migrate(): Promise<void> {
    await this.#guard('migrate', () => migrateSqlite(this.#db, this.#raw, this.#path));
  }

  async close(): Promise<void> {
    await this.#db.destroy();
    // Kysely closes the handle only if it ever ran a query; the synchronous paths may be all we used.
    if (this.#raw.open) this.#raw.close();
  }

  async createRun(run: Run): Promise<void> {
    this.#write(`createRun ${run.id}`, () => {
      this.#statements.run(this.#db.insertInto('runs').values(runToRow(run)));
    });
  }

  async getRun(id: string): Promise<Run | undefined> {
    const row = await this.#guard('getRun', () =>
      this.#db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst(),
    );
    return row === undefined ? undefined : rowToRun(row);
  }

  async listRuns(options: { limit?: number; workflow?: string; states?: RunState[] } = {}): Promise<Run[]> {
    checkPaging('listRuns', options);
    const { limit, workflow, states } = options;
    if (states !== undefined && states.length === 0) return [];
    let query = this.#db.selectFrom('runs').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc');
    if (workflow !== undefined) query = query.where('workflow', '=', workflow);
    if (states !== undefined) query = query.where('state', 'in', states);
    if (limit !== undefined) query = query.limit(limit);
    const rows = await this.#guard('listRuns', () => query.execute());
    return rows.map(rowToRun);
  }

  async updateRun(
    id: string,
    patch: { state?: RunState; stats?: RunStats; error?: string | null },
  ): Promise<void> {
    const { state, stats, error } = patch;
    this.#write(`updateRun ${id}`, () => {
      const { changes } = this.#statements.run(
        this.#db
          .updateTable('runs')
          .set({
            updated_at: new Date().toISOString(),
            ...(state === undefined ? {} : { state }),
            ...(stats === undefined ? {} : { stats: JSON.stringify(stats) }),
            ...(error === undefined ? {} : { error }),
          })
          .where('id', '=', id),
      );
      if (changes === 0) throw unknownRun('updateRun', id);
    });
  }

  async countRuns(): Promise<{ workflow: string; state: RunState; count: number }[]> {
    const rows = await this.#guard('countRuns', () =>
      this.#db
        .selectFrom('runs')
        .select(({ fn }) => ['workflow', 'state', fn.countAll<number>().as('count')])
        .groupBy(['workflow', 'state'])
        .execute(),
    );
    return rows.map((row) => ({
      workflow: row.workflow,
      state: runStateOf(row.state, row.workflow),
      count: Number(row.count),
    }));
  }

  async saveBatch(items: Item[], changes: Change[]): Promise<void> {
    if (items.length === 0 && changes.length === 0) return;
    const itemRows = items.map(itemToRow);
    const changeRows = changes.map(changeToRow);
    this.#write('saveBatch', () => {
      this.#insertItems.run(itemRows);
      this.#insertChanges.run(changeRows);
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
    checkPaging('listItems', options);
    const { state, limit, offset } = options;
    let query = this.#db
      .selectFrom('items')
      .select(['run_id', 'record_id', 'format_version', 'state', 'label', 'confidence', 'error'])
      .where('run_id', '=', runId)
      .orderBy('record_id');
    if (state !== undefined) query = query.where('state', '=', state);
    // SQLite accepts OFFSET only after LIMIT; -1 means no limit.
    if (limit !== undefined || offset !== undefined) query = query.limit(limit ?? -1);
    if (offset !== undefined) query = query.offset(offset);
    const rows = await this.#guard('listItems', () => query.execute());
    return rows.map((row) => rowToItem({ ...row, record: null, ai_input: null }));
  }

  async countItems(runId: string | undefined): Promise<Partial<Record<ItemState, number>>> {
    const rows = await this.#guard('countItems', () => {
      let query = this.#db
        .selectFrom('items')
        .select(({ fn }) => ['state', fn.countAll<number>().as('count')]);
      if (runId !== undefined) query = query.where('run_id', '=', runId);
      return query.groupBy('state').execute();
    });
    const counts: Partial<Record<ItemState, number>> = {};
    for (const row of rows) {
      counts[itemStateOf(row.state, runId ?? 'all runs')] = Number(row.count);
    }
    return counts;
  }

  async getItem(runId: string, recordId: string): Promise<Item | undefined> {
    const row = await this.#guard('getItem', () =>
      this.#db
        .selectFrom('items')
        .selectAll()
        .where('run_id', '=', runId)
        .where('record_id', '=', recordId)
        .executeTakeFirst(),
    );
    return row === undefined ? undefined : rowToItemWithLineage(row);
  }

  async getChange(id: string): Promise<Change | undefined> {
    const row = await this.#guard('getChange', () =>
      this.#db.selectFrom('changes').selectAll().where('id', '=', id).executeTakeFirst(),
    );
    return row === undefined ? undefined : rowToChange(row);
  }

  async listChanges(
    runId: string,
    options: { states?: ChangeState[]; afterId?: string; limit?: number; orderBy?: 'id' | 'confidence' } = {},
  ): Promise<Change[]> {
    checkPaging('listChanges', options);
    const { states, afterId, limit, orderBy = 'id' } = options;
    if (states !== undefined && states.length === 0) return [];
    let query = this.#db.selectFrom('changes').selectAll().where('run_id', '=', runId);
    if (states !== undefined) query = query.where('state', 'in', states);
    if (orderBy === 'id') {
      if (afterId !== undefined) query = query.where('id', '>', afterId);
      query = query.orderBy('id');
    } else {
      if (afterId !== undefined) {
        const cursor = await this.#guard('listChanges', () =>
          this.#db
            .selectFrom('changes')
            .select('confidence')
            .where('id', '=', afterId)
            .where('run_id', '=', runId)
            .executeTakeFirst(),
        );
        if (cursor === undefined) {
          throw new ErpError(
            'validation',
            `listChanges: afterId ${afterId} is not a change of run ${runId}`,
            {
              key: afterId,
              field: 'afterId',
              hint: 'Pass the id of the last change of the previous page.',
            },
          );
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
    const rows = await this.#guard('listChanges', () => query.execute());
    return rows.map(rowToChange);
  }

  async countChanges(runId: string | undefined): Promise<Partial<Record<ChangeState, number>>> {
    const rows = await this.#guard('countChanges', () => {
      let query = this.#db
        .selectFrom('changes')
        .select(({ fn }) => ['state', fn.countAll<number>().as('count')]);
      if (runId !== undefined) query = query.where('run_id', '=', runId);
      return query.groupBy('state').execute();
    });
    const counts: Partial<Record<ChangeState, number>> = {};
    for (const row of rows) {
      counts[changeStateOf(row.state, runId ?? 'all runs')] = Number(row.count);
    }
    return counts;
  }

  async listChangesByState(
    options: { state?: ChangeState; limit?: number; after?: string } = {},
  ): Promise<Change[]> {
    checkPaging('listChangesByState', options);
    const { state = 'pending', limit, after } = options;
    const rows = await this.#guard('listChangesByState', async () => {
      let query = this.#db
        .selectFrom('changes')
        .selectAll()
        .where('state', '=', state)
        .orderBy('created_at')
        .orderBy('id');
      if (after !== undefined) {
        const cursor = await this.#db
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
      return query.execute();
    });
    return rows.map(rowToChange);
  }

  async updateChanges(updates: ChangeUpdate[]): Promise<void> {
    if (updates.length === 0) return;
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
        if (changes === 0) {
          throw new ErpError(
            'validation',
            `updateChanges: change ${id} does not exist; no change was updated`,
            {
              key: id,
            },
          );
        }
      }
    });
  }

  async insertChanges(changes: Change[]): Promise<void> {
    if (changes.length === 0) return;
    const rows = changes.map(changeToRow);
    this.#write('insertChanges', () => {
      this.#insertChanges.run(rows);
    });
  }

  async claimIdempotencyKeys(
    entries: { key: string; changeId: string }[],
  ): Promise<Map<string, LedgerEntry>> {
    if (entries.length === 0) return new Map();
    const now = new Date().toISOString();
    const rows = entries.map(
      ({ key, changeId }): IdempotencyLedgerTable => ({
        idempotency_key: key,
        format_version: ROW_FORMAT_VERSION,
        change_id: changeId,
        state: 'in_flight',
        updated_at: now,
      }),
    );
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
        throw new ErpError(
          'validation',
          `completeIdempotencyKeys: ${unclaimed.length} key(s) were never claimed, e.g. ${unclaimed[0]}; none was completed`,
          { key: unclaimed[0], hint: 'Claim a key (claimIdempotencyKeys) before its write.' },
        );
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
      this.#tailQuery ??= this.#db
        .selectFrom('audit_entries')
        .selectAll()
        .orderBy('seq', 'desc')
        .limit(1)
        .compile();
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
    checkPaging('readAudit', options);
    const { fromSeq, limit, runId, typePrefix } = options;
    let query = this.#db.selectFrom('audit_entries').selectAll().orderBy('seq');
    if (fromSeq !== undefined) query = query.where('seq', '>=', fromSeq);
    if (runId !== undefined) query = query.where('run_id', '=', runId);
    if (typePrefix !== undefined) {
      // substr, not LIKE: a prefix with % or _ in it means just that.
      query = query.where(sql<SqlBool>`substr("type", 1, ${typePrefix.length}) = ${typePrefix}`);
    }
    if (limit !== undefined) query = query.limit(limit);
    const rows = await this.#guard('readAudit', () => query.execute());
    return rows.map(rowToAuditEntry);
  }

  async addDeadLetters(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const rows = letters.map(deadLetterToRow);
    this.#write('addDeadLetters', () => {
      for (const row of rows) {
        this.#statements.run(
          this.#db
            .insertInto('dead_letters')
            .values(row)
            .onConflict((conflict) =>
              conflict.column('id').doUpdateSet({
                error_kind: row.error_kind,
                message: row.message,
                attempts: row.attempts,
                last_exchange: row.last_exchange,
                created_at: row.created_at,
                vendor_key: row.vendor_key,
                replayed_by: null,
              }),
            ),
        );
      }
    });
  }

  async listDeadLetters(
    options: { runId?: string; includeReplayed?: boolean; afterId?: string; limit?: number } = {},
  ): Promise<DeadLetter[]> {
    checkPaging('listDeadLetters', options);
    const rows = await this.#guard('listDeadLetters', () => {
      let query = this.#db.selectFrom('dead_letters').selectAll().orderBy('id');
      if (options.runId !== undefined) query = query.where('run_id', '=', options.runId);
      if (!options.includeReplayed) query = query.where('replayed_by', 'is', null);
      if (options.afterId !== undefined) query = query.where('id', '>', options.afterId);
      if (options.limit !== undefined) query = query.limit(options.limit);
      return query.execute();
    });
    return rows.map(rowToDeadLetter);
  }

  async markDeadLettersReplayed(ids: string[], replayRunId: string): Promise<void> {
    if (ids.length === 0) return;
    this.#write('markDeadLettersReplayed', () => {
      for (const id of ids) {
        const { changes } = this.#statements.run(
          this.#db.updateTable('dead_letters').set({ replayed_by: replayRunId }).where('id', '=', id),
        );
        if (changes === 0) {
          throw new ErpError('validation', `markDeadLettersReplayed: no dead letter ${id}; none was marked`, {
            key: id,
          });
        }
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
    const rows = await this.#guard('listApiTokens', () =>
      this.#db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id').execute(),
    );
    return rows.map(rowToApiToken);
  }

  async revokeApiToken(id: string, now: string): Promise<boolean> {
    return this.#write(`revokeApiToken ${id}`, () => {
      const { changes } = this.#statements.run(
        this.#db
          .updateTable('api_tokens')
          .set({ revoked_at: now })
          .where('id', '=', id)
          .where('revoked_at', 'is', null),
      );
      return changes > 0;
    });
  }

  async putUser(user: User): Promise<void> {
    const row = userToRow(user);
    this.#write(`putUser ${user.name}`, () => {
      this.#statements.run(
        this.#db
          .insertInto('users')
          .values(row)
          .onConflict((conflict) =>
            conflict
              .column('name')
              .doUpdateSet({ role: row.role, password_hash: row.password_hash, updated_at: row.updated_at }),
          ),
      );
    });
  }

  async getUser(name: string): Promise<User | undefined> {
    const row = await this.#guard('getUser', () =>
      this.#db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst(),
    );
    return row === undefined ? undefined : rowToUser(row);
  }

  async addSession(session: Session): Promise<void> {
    this.#write('addSession', () => {
      this.#statements.run(this.#db.insertInto('sessions').values(sessionToRow(session)));
    });
  }

  async getSession(idHash: string, now: string): Promise<Session | undefined> {
    const row = await this.#guard('getSession', () =>
      this.#db
        .selectFrom('sessions')
        .selectAll()
        .where('id_hash', '=', idHash)
        .where('expires_at', '>', now)
        .executeTakeFirst(),
    );
    return row === undefined ? undefined : rowToSession(row);
  }

  async deleteSession(idHash: string, now: string): Promise<void> {
    this.#write('deleteSession', () => {
      this.#statements.run(
        this.#db
          .deleteFrom('sessions')
          .where((eb) => eb.or([eb('id_hash', '=', idHash), eb('expires_at', '<=', now)])),
      );
    });
  }

  async claimWebhookDelivery(
    workflow: string,
    key: string,
    receivedAt: string,
  ): Promise<{ fresh: true } | { fresh: false; runId: string | null }> {
    return this.#write('claimWebhookDelivery', () => {
      const { changes } = this.#statements.run(
        this.#db
          .insertInto('webhook_deliveries')
          .values({ workflow, idempotency_key: key, run_id: null, received_at: receivedAt })
          .onConflict((conflict) => conflict.columns(['workflow', 'idempotency_key']).doNothing()),
      );
      if (changes > 0) return { fresh: true as const };
      const [row] = this.#statements.all(
        this.#db
          .selectFrom('webhook_deliveries')
          .select('run_id')
          .where('workflow', '=', workflow)
          .where('idempotency_key', '=', key),
      );
      return { fresh: false as const, runId: row?.run_id ?? null };
    });
  }

  async setWebhookDeliveryRun(workflow: string, key: string, runId: string): Promise<void> {
    this.#write('setWebhookDeliveryRun', () => {
      this.#statements.run(
        this.#db
          .updateTable('webhook_deliveries')
          .set({ run_id: runId })
          .where('workflow', '=', workflow)
          .where('idempotency_key', '=', key),
      );
    });
  }

  async getWatermark(workflow: string, connector: string): Promise<Watermark | undefined> {
    const row = await this.#guard('getWatermark', () =>
      this.#db
        .selectFrom('watermarks')
        .selectAll()
        .where('workflow', '=', workflow)
        .where('connector', '=', connector)
        .executeTakeFirst(),
    );
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

  async setWatermark(watermark: Watermark): Promise<void> {
    const row = {
      workflow: watermark.workflow,
      connector: watermark.connector,
      value: watermark.value,
      run_id: watermark.runId,
      updated_at: watermark.updatedAt,
    };
    this.#write('setWatermark', () => {
      this.#statements.run(
        this.#db
          .insertInto('watermarks')
          .values(row)
          .onConflict((conflict) =>
            conflict
              .columns(['workflow', 'connector'])
              .doUpdateSet({ value: row.value, run_id: row.run_id, updated_at: row.updated_at }),
          ),
      );
    });
  }

  async saveModel(model: StoredModel): Promise<void> {
    const row = modelToRow(model);
    this.#write(`saveModel ${model.name}@${model.version}`, () => {
      this.#statements.run(
        this.#db
          .insertInto('models')
          .values(row)
          .onConflict((conflict) =>
            conflict.columns(['name', 'version']).doUpdateSet({
              format_version: row.format_version,
              created_at: row.created_at,
              metrics: row.metrics,
              body: row.body,
            }),
          ),
      );
    });
  }

  async loadModel(name: string): Promise<StoredModel | undefined> {
    const row = await this.#guard('loadModel', () =>
      this.#db
        .selectFrom('models')
        .selectAll()
        .where('name', '=', name)
        .orderBy('created_at', 'desc')
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst(),
    );
    return row === undefined ? undefined : rowToModel(row);
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

function runStateOf(value: string, workflow: string): RunState {
  const found = RUN_STATES.find((state) => state === value);
  if (found === undefined) {
    throw new ErpError(
      'permanent',
      `runs.state of a ${workflow} run is '${value}', not one of ${RUN_STATES.join(', ')}`,
      {
        entity: 'runs',
        field: 'state',
      },
    );
  }
  return found;
}

function unknownRun(operation: string, id: string): ErpError {
  return new ErpError('validation', `${operation}: run ${id} does not exist`, {
    key: id,
    hint: 'Create the run (createRun) first.',
  });
}

/**
 * The store's own guard on the chain: the entries must continue the tail's sequence without a gap
 * and link to it, whatever the builder did. Hashes themselves are the audit module's business.
 */
function checkAppend(tail: AuditEntry | null, entries: AuditEntry[]): void {
  let seq = tail === null ? 0 : tail.seq;
  let hash = tail === null ? null : tail.hash;
  for (const entry of entries) {
    if (entry.seq !== seq + 1) {
      throw new ErpError(
        'validation',
        `appendAudit: entry seq ${entry.seq} does not follow ${seq}; nothing appended`,
        {
          key: String(entry.seq),
        },
      );
    }
    if (hash !== null && entry.prevHash !== hash) {
      throw new ErpError(
        'validation',
        `appendAudit: entry ${entry.seq} does not link to entry ${seq} (prevHash differs); nothing appended`,
        { key: String(entry.seq) },
      );
    }
    seq = entry.seq;
    hash = entry.hash;
  }
}
