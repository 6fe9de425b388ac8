import type { Change, ChangeState } from '../engine/change.ts';
import type { Item, ItemState, Run, RunState, RunStats } from '../engine/run.ts';

/**
 * The store: where runs, items, changes, the idempotency ledger, audit entries and trained models
 * live. Callers see this interface, never SQL: an embedded SQLite store and a PostgreSQL store
 * implement it, and both pass `store-conformance.ts`.
 *
 * Batch methods exist because a run persists 100,000 items; one call per batch, one transaction.
 */
export interface Store {
  /** Brings the schema to the newest version; safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  createRun(run: Run): Promise<void>;
  getRun(id: string): Promise<Run | undefined>;
  /** Newest first. */
  listRuns(options?: { limit?: number; workflow?: string }): Promise<Run[]>;
  /** Sets the given fields (undefined leaves one, null clears `error`) and `updatedAt`; an unknown id throws. */
  updateRun(id: string, patch: { state?: RunState; stats?: RunStats; error?: string | null }): Promise<void>;

  /**
   * Persists one decided batch atomically: its items (insert or replace by runId+recordId) and the
   * changes planned for them (insert; an existing id is left as it is). A crash leaves either the
   * whole batch or none of it.
   */
  saveBatch(items: Item[], changes: Change[]): Promise<void>;
  /** Which of these record ids the run has already persisted (for resuming an extract). */
  knownRecordIds(runId: string, recordIds: string[]): Promise<Set<string>>;
  listItems(runId: string, options?: { state?: ItemState; limit?: number; offset?: number }): Promise<Item[]>;
  countItems(runId: string): Promise<Partial<Record<ItemState, number>>>;

  getChange(id: string): Promise<Change | undefined>;
  /**
   * Ordered by id; `afterId` pages through a large plan. `orderBy: 'confidence'` puts the most
   * confident first (ties by id), and `afterId` is then the last change of the previous page in
   * that order. An empty `states` list matches nothing.
   */
  listChanges(
    runId: string,
    options?: { states?: ChangeState[]; afterId?: string; limit?: number; orderBy?: 'id' | 'confidence' },
  ): Promise<Change[]>;
  countChanges(runId: string): Promise<Partial<Record<ChangeState, number>>>;
  /**
   * Moves changes to a new state (with an optional error and who decided) in one transaction.
   * Undefined leaves `error`/`decidedBy` as they are, null clears them; an unknown id throws and
   * nothing is updated.
   */
  updateChanges(
    updates: { id: string; state: ChangeState; error?: string | null; decidedBy?: string | null }[],
  ): Promise<void>;
  /** Inserts changes; as in `saveBatch`, an existing id is left as it is. */
  insertChanges(changes: Change[]): Promise<void>;

  /**
   * The idempotency ledger. `claim` records that a write for this key may be in flight and returns
   * the entry as it was before (undefined if new); an existing entry is left as it is. `complete`
   * marks the write as done; completing a key never claimed throws and completes none.
   */
  claimIdempotencyKeys(entries: { key: string; changeId: string }[]): Promise<Map<string, LedgerEntry>>;
  completeIdempotencyKeys(keys: string[]): Promise<void>;
  getLedgerEntries(keys: string[]): Promise<Map<string, LedgerEntry>>;

  /**
   * Appends audit entries atomically after the current tail. `build` receives the tail (or null for
   * an empty log) and returns the fully hashed entries to insert; it runs inside the store's lock so
   * two writers cannot fork the chain. Entries that do not continue the tail's seq, or whose
   * prevHash is not the previous entry's hash, are refused and nothing is appended.
   */
  appendAudit(build: (tail: AuditEntry | null) => AuditEntry[]): Promise<AuditEntry[]>;
  /** Entries in sequence order from `fromSeq` (inclusive). */
  readAudit(options?: { fromSeq?: number; limit?: number }): Promise<AuditEntry[]>;

  /** Adds dead letters; an existing id is replaced (the newest failure of that record and stage wins). */
  addDeadLetters(letters: DeadLetter[]): Promise<void>;
  /** Ordered by id; without `includeReplayed`, only those not replayed yet. */
  listDeadLetters(options?: {
    runId?: string;
    includeReplayed?: boolean;
    afterId?: string;
    limit?: number;
  }): Promise<DeadLetter[]>;
  /** Marks dead letters as replayed by a run. Unknown ids throw and nothing is marked. */
  markDeadLettersReplayed(ids: string[], replayRunId: string): Promise<void>;

  saveModel(model: StoredModel): Promise<void>;
  /** The newest model saved under this name, if any. */
  loadModel(name: string): Promise<StoredModel | undefined>;
}

export interface LedgerEntry {
  key: string;
  changeId: string;
  state: 'in_flight' | 'done';
  updatedAt: string;
}

/**
 * One link of the hash chain: `hash = sha256(prevHash + "\n" + canonical JSON of { seq, at, type,
 * runId, actor, payload })`, see `src/audit/hash-chain.ts`.
 */
export interface AuditEntry {
  seq: number;
  at: string;
  /** e.g. `extract.batch`, `ai.decisions`, `change.planned`, `change.approved`, `write.applied`. */
  type: string;
  runId: string | null;
  actor: string;
  payload: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface StoredModel {
  name: string;
  version: string;
  createdAt: string;
  metrics: Record<string, unknown>;
  /** The serialised model; opaque to the store. */
  body: string;
}

export const DEAD_LETTER_STAGES = ['map', 'apply'] as const;
export type DeadLetterStage = (typeof DEAD_LETTER_STAGES)[number];

/**
 * A record that failed for good in a run: unreadable by the mapping, or a write that failed past
 * its retries. `erpbridge dead-letters` lists them; `erpbridge retry` replays them from the start of
 * their pipeline (read the record again, map, decide, plan, apply).
 */
export interface DeadLetter {
  /** `${runId}:${stage}:${recordId}`. */
  id: string;
  runId: string;
  /** Canonical id when it was read, else the vendor key. */
  recordId: string;
  /** The key the ERP knows the record by, for reading it again. */
  vendorKey: string | null;
  stage: DeadLetterStage;
  /** The ErpError kind (`validation`, `transient`, ...) or `unknown`. */
  errorKind: string;
  message: string;
  attempts: number;
  /** A short summary of the last request and answer, when there was one. */
  lastExchange: string | null;
  createdAt: string;
  /** The run that replayed it, once replayed. */
  replayedBy: string | null;
}
