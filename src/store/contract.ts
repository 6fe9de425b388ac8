import type { Approval, Change, ChangeOutcome, ChangeState, FieldValues } from '../engine/change.ts';
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

  /** Creates a run; `jobs` go to the outbox in the same transaction (see {@link OutboxJob}). */
  createRun(run: Run, jobs?: OutboxJob[]): Promise<void>;
  getRun(id: string): Promise<Run | undefined>;
  /** Newest first. */
  listRuns(options?: { limit?: number; workflow?: string; states?: RunState[] }): Promise<Run[]>;
  /**
   * Sets the given fields (undefined leaves one, null clears `error`) and `updatedAt`; an unknown id
   * throws. With `ifState`, only a run in one of those states is updated (a compare-and-set: of two
   * processes finishing one run, one wins). True when the run was updated.
   */
  updateRun(
    id: string,
    patch: { state?: RunState; stats?: RunStats; error?: string | null },
    options?: { ifState?: readonly RunState[] },
  ): Promise<boolean>;
  /** How many runs there are per workflow and state (for metrics). */
  countRuns(): Promise<{ workflow: string; state: RunState; count: number }[]>;

  /**
   * Persists one decided batch atomically: its items (insert or replace by runId+recordId) and the
   * changes planned for them (insert; an existing id is left as it is). A crash leaves either the
   * whole batch or none of it. `jobs` (the apply jobs of its approved changes) go to the outbox in
   * the same transaction.
   */
  saveBatch(items: Item[], changes: Change[], jobs?: OutboxJob[]): Promise<void>;
  /** Which of these record ids the run has already persisted (for resuming an extract). */
  knownRecordIds(runId: string, recordIds: string[]): Promise<Set<string>>;
  listItems(runId: string, options?: { state?: ItemState; limit?: number; offset?: number }): Promise<Item[]>;
  /** Items per state of one run, or of every run when `runId` is undefined. */
  countItems(runId: string | undefined): Promise<Partial<Record<ItemState, number>>>;
  /** One item with its lineage (`record`, `aiInput`), which lists leave out. */
  getItem(runId: string, recordId: string): Promise<Item | undefined>;

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
  /** Changes per state of one run, or of every run when `runId` is undefined. */
  countChanges(runId: string | undefined): Promise<Partial<Record<ChangeState, number>>>;
  /** The approvals inbox: changes in `state` (default pending) of every run, oldest first, paged by id of the last one. */
  listChangesByState(options?: { state?: ChangeState; limit?: number; after?: string }): Promise<Change[]>;
  /**
   * Moves changes to a new state in one transaction. Undefined leaves a field as it is, null clears
   * it: `error`, `decidedBy`, `outcome`; `after`, `idempotencyKey` and `approvals` replace the stored values (an
   * edit-then-approve, a first of two approvals). An unknown id throws and nothing is updated.
   * `jobs` (an approval's apply job) go to the outbox in the same transaction.
   */
  updateChanges(updates: ChangeUpdate[], jobs?: OutboxJob[]): Promise<void>;
  /** Inserts changes; as in `saveBatch`, an existing id is left as it is, and `jobs` go to the outbox with them. */
  insertChanges(changes: Change[], jobs?: OutboxJob[]): Promise<void>;
  /**
   * Distributed apply: claims changes for one apply job. A change not claimed before is claimed by
   * `jobId` (a unique key: of two jobs holding one change, the first claim wins, for good). Returns
   * the given ids that `jobId` holds, claimed now or by an earlier attempt of the same job.
   */
  claimChanges(changeIds: string[], jobId: string): Promise<Set<string>>;

  /**
   * The transactional outbox (distributed mode): jobs for workers are rows committed with the
   * state they act on (`jobs` of createRun, saveBatch, updateChanges, insertChanges), so a job
   * never exists without its state nor state without its job; a relay then publishes them to the
   * queue. `addOutboxJobs` adds jobs on their own; an id already in the outbox is left as it is.
   */
  addOutboxJobs(jobs: OutboxJob[]): Promise<void>;
  /** Jobs not published yet, oldest first. */
  listOutboxJobs(options: { limit: number }): Promise<OutboxJob[]>;
  /** Marks jobs published; an id not in the outbox is ignored. */
  markOutboxJobsSent(ids: string[], sentAt: string): Promise<void>;
  /**
   * Housekeeping: deletes outbox rows published before `sentBefore` (ISO) and returns how many.
   * Deletes in batches of 1,000, each its own transaction, so a large table is never locked for
   * long. An unsent row stays, however old: it is a job still to publish. Calls at once (one per
   * service instance) delete each row once, and their counts add up.
   */
  pruneOutbox(sentBefore: string): Promise<number>;
  /**
   * Ids of a run's published jobs (`plan-<run>`, `apply-<run>-…`), in id order: what
   * `Engine.recoverLostJobs` asks the queue about after Redis lost its data.
   */
  listPublishedOutboxJobIds(runId: string): Promise<string[]>;
  /**
   * Marks published jobs unsent, so the relay publishes them again (under the same ids); an id
   * not in the outbox, or not published, is ignored.
   */
  requeueOutboxJobs(ids: string[]): Promise<void>;

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
  /** Entries in sequence order from `fromSeq` (inclusive), optionally of one run and of types starting with `typePrefix`. */
  readAudit(options?: {
    fromSeq?: number;
    limit?: number;
    runId?: string;
    typePrefix?: string;
  }): Promise<AuditEntry[]>;

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

  /** Adds an API token (by the hash of its secret). */
  addApiToken(token: ApiToken): Promise<void>;
  /** The token with this secret hash, unless revoked; marks it used now. */
  useApiToken(tokenHash: string, now: string): Promise<ApiToken | undefined>;
  listApiTokens(): Promise<ApiToken[]>;
  /** Revokes a token; false when there is no such live token. */
  revokeApiToken(id: string, now: string): Promise<boolean>;

  /** Creates a console user or replaces its role and password. */
  putUser(user: User): Promise<void>;
  getUser(name: string): Promise<User | undefined>;
  addSession(session: Session): Promise<void>;
  /** The session with this id hash if it has not expired at `now`. */
  getSession(idHash: string, now: string): Promise<Session | undefined>;
  /** Ends a session; also drops every expired one. */
  deleteSession(idHash: string, now: string): Promise<void>;
  /** Housekeeping: deletes every session expired by `now` (those `getSession` refuses) and returns how many. */
  deleteExpiredSessions(now: string): Promise<number>;

  /**
   * Records a webhook delivery by its idempotency key. `fresh: true` the first time; later, the run
   * the first delivery started (null if it has not started one yet).
   */
  claimWebhookDelivery(
    workflow: string,
    key: string,
    receivedAt: string,
  ): Promise<{ fresh: true } | { fresh: false; runId: string | null }>;
  /** Notes the run a delivery started. */
  setWebhookDeliveryRun(workflow: string, key: string, runId: string): Promise<void>;

  /** The watermark a workflow's last completed incremental run reached on a connector, if any. */
  getWatermark(workflow: string, connector: string): Promise<Watermark | undefined>;
  /** Advances (or sets) a watermark; called once a run has committed what it read. */
  setWatermark(watermark: Watermark): Promise<void>;

  saveModel(model: StoredModel): Promise<void>;
  /** The newest model saved under this name, if any. */
  loadModel(name: string): Promise<StoredModel | undefined>;

  /**
   * Stores people's edits of AI values (labeled data). An id stored before keeps its AI value and
   * confidence (what the AI said first) and takes the newer human value, editor and time.
   */
  addLabeledEdits(edits: LabeledEdit[]): Promise<void>;
  /** Ordered by id, paged with `afterId`; `since` keeps edits made at or after it (ISO). */
  listLabeledEdits(options?: {
    workflow?: string;
    since?: string;
    afterId?: string;
    limit?: number;
  }): Promise<LabeledEdit[]>;
}

/**
 * A person's edit of a value the AI proposed, made before approving: the pair becomes labeled data
 * (`erpbridge labels export`). `runId` + `recordId` find the item and what went to the AI
 * (`getItem(runId, recordId).aiInput`).
 */
export interface LabeledEdit {
  /** `${changeId}:${field}`. */
  id: string;
  workflow: string;
  /** Canonical entity, e.g. `purchaseOrder`. */
  entity: string;
  recordId: string;
  runId: string;
  changeId: string;
  field: string;
  /** The value the AI proposed for the field (any JSON value). */
  aiValue: unknown;
  aiConfidence: number;
  /** The value the person set instead. */
  humanValue: unknown;
  editedBy: string;
  editedAt: string;
}

/**
 * One job in the transactional outbox. Its id becomes the queue's job id, so publishing a row twice
 * (a relay that died between publishing and marking it sent) adds one job.
 */
export interface OutboxJob {
  /** Unique, e.g. `plan-<runId>`, `apply-<runId>-<uuid>`; no `:` (BullMQ job ids refuse it). */
  id: string;
  /** Which handler runs it: `plan`, `apply`. */
  kind: string;
  /** The job itself, plain JSON (checked by the kind's schema when it runs). */
  payload: unknown;
  createdAt: string;
}

export interface Watermark {
  workflow: string;
  connector: string;
  value: string;
  runId: string;
  updatedAt: string;
}

/** One change's update; see `Store.updateChanges`. */
export interface ChangeUpdate {
  id: string;
  state: ChangeState;
  error?: string | null;
  decidedBy?: string | null;
  after?: FieldValues;
  /** With an edited `after`: the key of the new write. */
  idempotencyKey?: string;
  approvals?: Approval[];
  outcome?: ChangeOutcome | null;
}

export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
/** What a caller may do; each role can do what the ones before it can. */
export type Role = (typeof ROLES)[number];

export interface ApiToken {
  id: string;
  /** The person or system it speaks for; the actor in the audit log. */
  name: string;
  role: Role;
  /** SHA-256 (hex) of the secret. */
  tokenHash: string;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface User {
  name: string;
  role: Role;
  passwordHash: string;
  createdAt: string;
  updatedAt: string;
}

export interface Session {
  idHash: string;
  userName: string;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
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
