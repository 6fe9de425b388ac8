/**
 * The store's tables as Kysely sees them, shared by every dialect. Column names are snake_case;
 * JSON travels as TEXT (`params`, `stats`, `before`, `after`, `payload`, `metrics`), booleans as
 * integers 0/1, timestamps as ISO-8601 strings. Every row carries `format_version`: the shape of
 * the row and of its JSON as erpbridge wrote it, so a reader can refuse a format it does not know
 * instead of misreading it. The schema as a whole is versioned by the migrations.
 */
export interface StoreDatabase {
  runs: RunsTable;
  items: ItemsTable;
  changes: ChangesTable;
  idempotency_ledger: IdempotencyLedgerTable;
  audit_entries: AuditEntriesTable;
  models: ModelsTable;
  dead_letters: DeadLettersTable;
  api_tokens: ApiTokensTable;
  users: UsersTable;
  sessions: SessionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  watermarks: WatermarksTable;
  outbox: OutboxTable;
  apply_claims: ApplyClaimsTable;
  labeled_edits: LabeledEditsTable;
}

export interface RunsTable {
  id: string;
  format_version: number;
  workflow: string;
  policy: string;
  dry_run: number;
  state: string;
  params: string;
  stats: string;
  error: string | null;
  requested_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface ItemsTable {
  run_id: string;
  record_id: string;
  format_version: number;
  state: string;
  label: string | null;
  confidence: number | null;
  error: string | null;
  /** JSON: the canonical record as read. */
  record: string | null;
  /** JSON: what went to the AI. */
  ai_input: string | null;
}

export interface ChangesTable {
  id: string;
  format_version: number;
  run_id: string;
  entity: string;
  record_id: string;
  before: string;
  after: string;
  amount: number | null;
  currency: string | null;
  version: string | null;
  reason: string;
  confidence: number;
  explanation: string;
  idempotency_key: string;
  state: string;
  revert_of: string | null;
  requested_by: string | null;
  /** JSON array of `{ by, at, comment }`. */
  approvals: string;
  decided_by: string | null;
  /** JSON `{ at, detail, readBack }`, or null before the write. */
  outcome: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
}

export interface IdempotencyLedgerTable {
  idempotency_key: string;
  format_version: number;
  change_id: string;
  state: string;
  updated_at: string;
}

export interface AuditEntriesTable {
  seq: number;
  format_version: number;
  at: string;
  type: string;
  run_id: string | null;
  actor: string;
  payload: string;
  prev_hash: string;
  hash: string;
}

export interface ModelsTable {
  name: string;
  version: string;
  format_version: number;
  created_at: string;
  metrics: string;
  body: string;
}

export interface DeadLettersTable {
  id: string;
  format_version: number;
  run_id: string;
  record_id: string;
  vendor_key: string | null;
  stage: string;
  error_kind: string;
  message: string;
  attempts: number;
  last_exchange: string | null;
  created_at: string;
  replayed_by: string | null;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  role: string;
  /** SHA-256 (hex) of the token; the token itself is shown once and never stored. */
  token_hash: string;
  created_at: string;
  created_by: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface UsersTable {
  name: string;
  role: string;
  /** `scrypt$N$r$p$salt$hash`, see `src/service/auth/passwords.ts`. */
  password_hash: string;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  /** SHA-256 (hex) of the session id in the cookie. */
  id_hash: string;
  user_name: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

export interface WebhookDeliveriesTable {
  workflow: string;
  idempotency_key: string;
  /** The run the first delivery started; null until it is created. */
  run_id: string | null;
  received_at: string;
}

export interface WatermarksTable {
  workflow: string;
  connector: string;
  /** The highest last-changed value read (the connector's format, compared by the connector). */
  value: string;
  /** The run that read it. */
  run_id: string;
  updated_at: string;
}

export interface LabeledEditsTable {
  /** `${change_id}:${field}`. */
  id: string;
  format_version: number;
  workflow: string;
  entity: string;
  record_id: string;
  run_id: string;
  change_id: string;
  field: string;
  /** JSON: the value the AI proposed. */
  ai_value: string;
  ai_confidence: number;
  /** JSON: the value the person set. */
  human_value: string;
  edited_by: string;
  edited_at: string;
}

/** Jobs for workers, committed with the state they act on; `sent_at` once a relay published them. */
export interface OutboxTable {
  id: string;
  format_version: number;
  kind: string;
  /** JSON: the job. */
  payload: string;
  created_at: string;
  sent_at: string | null;
}

/** Which apply job holds a change (distributed apply); the first claim wins. */
export interface ApplyClaimsTable {
  change_id: string;
  job_id: string;
  claimed_at: string;
}
