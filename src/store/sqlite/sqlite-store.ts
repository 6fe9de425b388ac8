import type Database from 'better-sqlite3';
import { type CompiledQuery, Kysely, type SqlBool, SqliteDialect, sql } from 'kysely';
import type { Change, ChangeState } from '../../engine/change.ts';
import type { Item, ItemState, Run, RunState, RunStats } from '../../engine/run.ts';
import { ErpError } from '../../errors/index.ts';
import type { AuditEntry, DeadLetter, LedgerEntry, Store, StoredModel } from '../contract.ts';
import { checkPaging } from '../paging.ts';
import {
  auditEntryToRow,
  changeStateOf,
  changeToRow,
  deadLetterToRow,
  itemStateOf,
  itemToRow,
  modelToRow,
  ROW_FORMAT_VERSION,
  rowToAuditEntry,
  rowToChange,
  rowToDeadLetter,
  rowToItem,
  rowToLedgerEntry,
  rowToModel,
  rowToRun,
  runToRow,
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
      },
      onConflict: `on conflict ("run_id", "record_id") do update set "format_version" = excluded."format_version",
        "state" = excluded."state", "label" = excluded."label", "confidence" = excluded."confidence",
        "error" = excluded."error"`,
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
        version: true,
        reason: true,
        confidence: true,
        explanation: true,
        idempotency_key: true,
        state: true,
        revert_of: true,
        decided_by: true,
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

  async listRuns(options: { limit?: number; workflow?: string } = {}): Promise<Run[]> {
    checkPaging('listRuns', options);
    const { limit, workflow } = options;
    let query = this.#db.selectFrom('runs').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc');
    if (workflow !== undefined) query = query.where('workflow', '=', workflow);
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
    let query = this.#db.selectFrom('items').selectAll().where('run_id', '=', runId).orderBy('record_id');
    if (state !== undefined) query = query.where('state', '=', state);
    // SQLite accepts OFFSET only after LIMIT; -1 means no limit.
    if (limit !== undefined || offset !== undefined) query = query.limit(limit ?? -1);
    if (offset !== undefined) query = query.offset(offset);
    const rows = await this.#guard('listItems', () => query.execute());
    return rows.map(rowToItem);
  }

  async countItems(runId: string): Promise<Partial<Record<ItemState, number>>> {
    const rows = await this.#guard('countItems', () =>
      this.#db
        .selectFrom('items')
        .select(({ fn }) => ['state', fn.countAll<number>().as('count')])
        .where('run_id', '=', runId)
        .groupBy('state')
        .execute(),
    );
    const counts: Partial<Record<ItemState, number>> = {};
    for (const row of rows) {
      counts[itemStateOf(row.state, runId)] = Number(row.count);
    }
    return counts;
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

  async countChanges(runId: string): Promise<Partial<Record<ChangeState, number>>> {
    const rows = await this.#guard('countChanges', () =>
      this.#db
        .selectFrom('changes')
        .select(({ fn }) => ['state', fn.countAll<number>().as('count')])
        .where('run_id', '=', runId)
        .groupBy('state')
        .execute(),
    );
    const counts: Partial<Record<ChangeState, number>> = {};
    for (const row of rows) {
      counts[changeStateOf(row.state, runId)] = Number(row.count);
    }
    return counts;
  }

  async updateChanges(
    updates: { id: string; state: ChangeState; error?: string | null; decidedBy?: string | null }[],
  ): Promise<void> {
    if (updates.length === 0) return;
    const now = new Date().toISOString();
    this.#write('updateChanges', () => {
      const statement = this.#updateChangeStatement();
      for (const { id, state, error, decidedBy } of updates) {
        const { changes } = statement.run(
          state,
          now,
          error === undefined ? 0 : 1,
          error ?? null,
          decidedBy === undefined ? 0 : 1,
          decidedBy ?? null,
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

  async readAudit(options: { fromSeq?: number; limit?: number } = {}): Promise<AuditEntry[]> {
    checkPaging('readAudit', options);
    const { fromSeq, limit } = options;
    let query = this.#db.selectFrom('audit_entries').selectAll().orderBy('seq');
    if (fromSeq !== undefined) query = query.where('seq', '>=', fromSeq);
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
         "decided_by" = case when ? then ? else "decided_by" end
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
