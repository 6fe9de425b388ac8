import { z } from 'zod';
import {
  type Approval,
  CHANGE_STATES,
  type Change,
  type ChangeOutcome,
  type ChangeState,
} from '../engine/change.ts';
import {
  ITEM_STATES,
  type Item,
  type ItemState,
  POLICIES,
  RUN_STATES,
  type Run,
  type RunState,
  type RunStats,
} from '../engine/run.ts';
import { ErpError } from '../errors/index.ts';
import {
  type ApiToken,
  type AuditEntry,
  DEAD_LETTER_STAGES,
  type DeadLetter,
  type LedgerEntry,
  ROLES,
  type Session,
  type StoredModel,
  type User,
} from './contract.ts';
import type {
  ApiTokensTable,
  AuditEntriesTable,
  ChangesTable,
  DeadLettersTable,
  IdempotencyLedgerTable,
  ItemsTable,
  ModelsTable,
  RunsTable,
  SessionsTable,
  UsersTable,
} from './schema.ts';

/**
 * The row format this code writes and the only one it reads. Raise it together with a migration
 * that converts old rows; a reader meeting a higher number refuses the row rather than guess.
 */
export const ROW_FORMAT_VERSION = 1;

/** Where a row came from, for error messages. */
type Table =
  | 'runs'
  | 'items'
  | 'changes'
  | 'idempotency_ledger'
  | 'audit_entries'
  | 'models'
  | 'dead_letters'
  | 'api_tokens'
  | 'users'
  | 'sessions';

const LEDGER_STATES = ['in_flight', 'done'] as const;

function checkFormat(table: Table, key: string, formatVersion: number): void {
  if (formatVersion !== ROW_FORMAT_VERSION) {
    throw new ErpError(
      'permanent',
      `${table} row ${key} has format ${formatVersion}; this erpbridge reads format ${ROW_FORMAT_VERSION}`,
      { entity: table, key, hint: 'Upgrade erpbridge to the version that wrote this store.' },
    );
  }
}

function oneOf<const T extends readonly string[]>(
  allowed: T,
  value: string,
  table: Table,
  column: string,
  key: string,
): T[number] {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) {
    throw new ErpError(
      'permanent',
      `${table}.${column} of ${key} is '${value}', not one of ${allowed.join(', ')}`,
      {
        entity: table,
        key,
        field: column,
      },
    );
  }
  return found;
}

/** Parses a JSON column; a row that is not a JSON object is named in the error (table, key, column). */
function parseJsonObject(text: string, table: Table, column: string, key: string): Record<string, unknown> {
  const value = parseJsonText(text, table, column, key);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ErpError('permanent', `${table}.${column} of ${key} is not a JSON object`, {
      entity: table,
      key,
      field: column,
    });
  }
  return { ...value };
}

function parseJsonText(text: string, table: Table, column: string, key: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ErpError('permanent', `${table}.${column} of ${key} is not valid JSON`, {
      cause: error,
      entity: table,
      key,
      field: column,
    });
  }
}

/** An item state read on its own (counts per state), checked like a whole row's. */
export function itemStateOf(value: string, runId: string): ItemState {
  return oneOf(ITEM_STATES, value, 'items', 'state', runId);
}

/** A run state read on its own (counts per workflow and state), checked like a whole row's. */
export function runStateOf(value: string, workflow: string): RunState {
  return oneOf(RUN_STATES, value, 'runs', 'state', `a ${workflow} run`);
}

/** A change state read on its own (counts per state), checked like a whole row's. */
export function changeStateOf(value: string, runId: string): ChangeState {
  return oneOf(CHANGE_STATES, value, 'changes', 'state', runId);
}

export function runToRow(run: Run): RunsTable {
  return {
    id: run.id,
    format_version: ROW_FORMAT_VERSION,
    workflow: run.workflow,
    policy: run.policy,
    dry_run: run.dryRun ? 1 : 0,
    state: run.state,
    params: JSON.stringify(run.params),
    stats: JSON.stringify(run.stats),
    error: run.error,
    requested_by: run.requestedBy,
    created_at: run.createdAt,
    updated_at: run.updatedAt,
  };
}

export function rowToRun(row: RunsTable): Run {
  checkFormat('runs', row.id, row.format_version);
  return {
    id: row.id,
    workflow: row.workflow,
    policy: oneOf(POLICIES, row.policy, 'runs', 'policy', row.id),
    dryRun: row.dry_run !== 0,
    state: oneOf(RUN_STATES, row.state, 'runs', 'state', row.id),
    params: parseJsonObject(row.params, 'runs', 'params', row.id),
    stats: parseStats(row.stats, row.id),
    error: row.error,
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const runStatsSchema = z.object({
  read: z.number(),
  failed: z.number(),
  unchanged: z.number(),
  review: z.number().optional(),
  labels: z.record(z.string(), z.number()),
  changes: z.partialRecord(z.enum(CHANGE_STATES), z.number()),
  extractMs: z.number(),
  applyMs: z.number(),
  connectors: z
    .record(
      z.string(),
      z.object({
        requests: z.number(),
        retries: z.number(),
        rateLimited: z.number(),
        failures: z.number(),
        breakerOpens: z.number(),
        peakInFlight: z.number(),
        concurrency: z.array(z.object({ at: z.string(), limit: z.number() })),
        latencyMs: z.object({ p50: z.number(), p95: z.number(), p99: z.number(), max: z.number() }),
      }),
    )
    .optional(),
  watermark: z.object({ from: z.string().nullable(), reached: z.string().nullable() }).optional(),
});

function parseStats(text: string, runId: string): RunStats {
  const parsed = runStatsSchema.safeParse(parseJsonObject(text, 'runs', 'stats', runId));
  if (!parsed.success) {
    throw new ErpError('permanent', `runs.stats of ${runId} is not a run's stats: ${parsed.error.message}`, {
      entity: 'runs',
      key: runId,
      field: 'stats',
    });
  }
  return parsed.data;
}

export function itemToRow(item: Item): ItemsTable {
  return {
    run_id: item.runId,
    record_id: item.recordId,
    format_version: ROW_FORMAT_VERSION,
    state: item.state,
    label: item.label,
    confidence: item.confidence,
    error: item.error,
    record: item.record === undefined ? null : JSON.stringify(item.record),
    ai_input: item.aiInput === undefined ? null : JSON.stringify(item.aiInput),
  };
}

export function rowToItem(row: ItemsTable): Item {
  const key = `${row.run_id}/${row.record_id}`;
  checkFormat('items', key, row.format_version);
  return {
    runId: row.run_id,
    recordId: row.record_id,
    state: oneOf(ITEM_STATES, row.state, 'items', 'state', key),
    label: row.label,
    confidence: row.confidence,
    error: row.error,
  };
}

/** An item with its lineage columns parsed (for `getItem`). */
export function rowToItemWithLineage(row: ItemsTable): Item {
  const key = `${row.run_id}/${row.record_id}`;
  return {
    ...rowToItem(row),
    record: row.record === null ? null : parseJsonColumn(row.record, z.unknown(), 'items', 'record', key),
    aiInput:
      row.ai_input === null ? null : parseJsonColumn(row.ai_input, z.unknown(), 'items', 'ai_input', key),
  };
}

export function changeToRow(change: Change): ChangesTable {
  return {
    id: change.id,
    format_version: ROW_FORMAT_VERSION,
    run_id: change.runId,
    entity: change.entity,
    record_id: change.recordId,
    before: JSON.stringify(change.before),
    after: JSON.stringify(change.after),
    amount: change.amount,
    currency: change.currency,
    version: change.version,
    reason: change.reason,
    confidence: change.confidence,
    explanation: change.explanation,
    idempotency_key: change.idempotencyKey,
    state: change.state,
    revert_of: change.revertOf,
    requested_by: change.requestedBy,
    approvals: JSON.stringify(change.approvals),
    decided_by: change.decidedBy,
    outcome: change.outcome === null ? null : JSON.stringify(change.outcome),
    error: change.error,
    created_at: change.createdAt,
    updated_at: change.updatedAt,
  };
}

export function rowToChange(row: ChangesTable): Change {
  checkFormat('changes', row.id, row.format_version);
  return {
    id: row.id,
    runId: row.run_id,
    entity: row.entity,
    recordId: row.record_id,
    before: parseJsonObject(row.before, 'changes', 'before', row.id),
    after: parseJsonObject(row.after, 'changes', 'after', row.id),
    amount: row.amount,
    currency: row.currency,
    version: row.version,
    reason: row.reason,
    confidence: row.confidence,
    explanation: row.explanation,
    idempotencyKey: row.idempotency_key,
    state: oneOf(CHANGE_STATES, row.state, 'changes', 'state', row.id),
    revertOf: row.revert_of,
    requestedBy: row.requested_by,
    approvals: parseApprovals(row.approvals, row.id),
    decidedBy: row.decided_by,
    outcome: row.outcome === null ? null : parseOutcome(row.outcome, row.id),
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const approvalsSchema = z.array(z.object({ by: z.string(), at: z.string(), comment: z.string().nullable() }));
const outcomeSchema = z.object({
  at: z.string(),
  detail: z.string(),
  readBack: z.record(z.string(), z.unknown()).nullable(),
});

function parseApprovals(text: string, changeId: string): Approval[] {
  return parseJsonColumn(text, approvalsSchema, 'changes', 'approvals', changeId);
}

function parseOutcome(text: string, changeId: string): ChangeOutcome {
  return parseJsonColumn(text, outcomeSchema, 'changes', 'outcome', changeId);
}

/** Parses a JSON column against its schema; a bad one is named (table, key, column). */
export function parseJsonColumn<T>(
  text: string,
  schema: z.ZodType<T>,
  table: Table,
  column: string,
  key: string,
): T {
  const value = parseJsonText(text, table, column, key);
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ErpError(
      'permanent',
      `${table}.${column} of ${key} has an unexpected shape: ${parsed.error.message}`,
      {
        entity: table,
        key,
        field: column,
      },
    );
  }
  return parsed.data;
}

export function rowToLedgerEntry(row: IdempotencyLedgerTable): LedgerEntry {
  checkFormat('idempotency_ledger', row.idempotency_key, row.format_version);
  return {
    key: row.idempotency_key,
    changeId: row.change_id,
    state: oneOf(LEDGER_STATES, row.state, 'idempotency_ledger', 'state', row.idempotency_key),
    updatedAt: row.updated_at,
  };
}

export function auditEntryToRow(entry: AuditEntry): AuditEntriesTable {
  return {
    seq: entry.seq,
    format_version: ROW_FORMAT_VERSION,
    at: entry.at,
    type: entry.type,
    run_id: entry.runId,
    actor: entry.actor,
    payload: JSON.stringify(entry.payload),
    prev_hash: entry.prevHash,
    hash: entry.hash,
  };
}

export function rowToAuditEntry(row: AuditEntriesTable): AuditEntry {
  const key = String(row.seq);
  checkFormat('audit_entries', key, row.format_version);
  return {
    seq: row.seq,
    at: row.at,
    type: row.type,
    runId: row.run_id,
    actor: row.actor,
    payload: parseJsonObject(row.payload, 'audit_entries', 'payload', key),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export function modelToRow(model: StoredModel): ModelsTable {
  return {
    name: model.name,
    version: model.version,
    format_version: ROW_FORMAT_VERSION,
    created_at: model.createdAt,
    metrics: JSON.stringify(model.metrics),
    body: model.body,
  };
}

export function rowToModel(row: ModelsTable): StoredModel {
  const key = `${row.name}@${row.version}`;
  checkFormat('models', key, row.format_version);
  return {
    name: row.name,
    version: row.version,
    createdAt: row.created_at,
    metrics: parseJsonObject(row.metrics, 'models', 'metrics', key),
    body: row.body,
  };
}

export function deadLetterToRow(letter: DeadLetter): DeadLettersTable {
  return {
    id: letter.id,
    format_version: ROW_FORMAT_VERSION,
    run_id: letter.runId,
    record_id: letter.recordId,
    vendor_key: letter.vendorKey,
    stage: letter.stage,
    error_kind: letter.errorKind,
    message: letter.message,
    attempts: letter.attempts,
    last_exchange: letter.lastExchange,
    created_at: letter.createdAt,
    replayed_by: letter.replayedBy,
  };
}

export function rowToDeadLetter(row: DeadLettersTable): DeadLetter {
  checkFormat('dead_letters', row.id, row.format_version);
  return {
    id: row.id,
    runId: row.run_id,
    recordId: row.record_id,
    vendorKey: row.vendor_key,
    stage: oneOf(DEAD_LETTER_STAGES, row.stage, 'dead_letters', 'stage', row.id),
    errorKind: row.error_kind,
    message: row.message,
    attempts: row.attempts,
    lastExchange: row.last_exchange,
    createdAt: row.created_at,
    replayedBy: row.replayed_by,
  };
}

export function rowToApiToken(row: ApiTokensTable): ApiToken {
  return {
    id: row.id,
    name: row.name,
    role: oneOf(ROLES, row.role, 'api_tokens', 'role', row.id),
    tokenHash: row.token_hash,
    createdAt: row.created_at,
    createdBy: row.created_by,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export function apiTokenToRow(token: ApiToken): ApiTokensTable {
  return {
    id: token.id,
    name: token.name,
    role: token.role,
    token_hash: token.tokenHash,
    created_at: token.createdAt,
    created_by: token.createdBy,
    last_used_at: token.lastUsedAt,
    revoked_at: token.revokedAt,
  };
}

export function rowToUser(row: UsersTable): User {
  return {
    name: row.name,
    role: oneOf(ROLES, row.role, 'users', 'role', row.name),
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function userToRow(user: User): UsersTable {
  return {
    name: user.name,
    role: user.role,
    password_hash: user.passwordHash,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
  };
}

export function rowToSession(row: SessionsTable): Session {
  return {
    idHash: row.id_hash,
    userName: row.user_name,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export function sessionToRow(session: Session): SessionsTable {
  return {
    id_hash: session.idHash,
    user_name: session.userName,
    csrf_token: session.csrfToken,
    created_at: session.createdAt,
    expires_at: session.expiresAt,
  };
}
