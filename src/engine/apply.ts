import type { Connection } from '../connectors/contract.ts';
import { describeError, type ErpError, isErpError } from '../errors/index.ts';
import type { EntityMapping } from '../profiles/contract.ts';
import type { LedgerEntry, Store } from '../store/contract.ts';
import type { Change, ChangeState, FieldValues } from './change.ts';
import { sameValues } from './plan.ts';
import type { CanonicalRecord } from './workflow.ts';

/** What became of one change in apply. */
export interface ApplyOutcome {
  change: Change;
  state: Extract<ChangeState, 'applied' | 'conflict' | 'failed'>;
  /** Why, for conflicts and failures; for applied changes, how it was verified. */
  detail: string;
  /** True when this call sent a write; false when the ledger or a read-back showed it was done. */
  wrote: boolean;
  /** For failures: the ErpError kind, or `unknown` for anything else. */
  errorKind: string | null;
  /** The changed fields as last read from the ERP (the read-back, or what a conflict found); null if never read. */
  readBack: FieldValues | null;
}

export interface ApplyTarget {
  connection: Connection;
  mapping: EntityMapping<CanonicalRecord>;
  store: Store;
  /**
   * How often a write whose outcome is unknown (timeout, reset, 5xx, 429) is tried in all, each
   * time only after a re-read shows it did not happen. Default 5.
   */
  writeAttempts?: number;
  /** Wait before re-reading after a failed write attempt (1-based). Default: 100 ms doubling, at most 5 s, or the ERP's Retry-After. */
  writeRetryDelayMs?: (attempt: number, error: ErpError) => number;
}

const DEFAULT_WRITE_ATTEMPTS = 5;

function defaultWriteRetryDelayMs(attempt: number, error: ErpError): number {
  return error.retryAfterMs ?? Math.min(5000, 100 * 2 ** (attempt - 1));
}

/**
 * Applies a batch of approved changes, each at most once:
 *
 * 1. claim every idempotency key in the ledger (committed before any write is sent);
 * 2. per change, re-read the record; if it no longer matches `before`, it is a conflict and the
 *    ERP's value stays — unless the ledger shows our own earlier write in flight and the record
 *    already holds `after` (a crash between write and bookkeeping), which is verified as applied;
 * 3. write with If-Match on the version just read and the idempotency key;
 * 4. read back and compare with `after`;
 * 5. mark the keys done.
 *
 * A process killed anywhere in here can run the same batch again without writing twice.
 */
export async function applyBatch(
  target: ApplyTarget,
  changes: readonly Change[],
  concurrency: number,
): Promise<ApplyOutcome[]> {
  const previous = await target.store.claimIdempotencyKeys(
    changes.map((change) => ({ key: change.idempotencyKey, changeId: change.id })),
  );
  await target.store.updateChanges(changes.map((change) => ({ id: change.id, state: 'applying' as const })));
  const outcomes = await mapConcurrent(changes, concurrency, (change) =>
    applyOne(target, change, previous.get(change.idempotencyKey)),
  );
  const done = outcomes.filter((outcome) => outcome.state === 'applied').map((o) => o.change.idempotencyKey);
  await target.store.completeIdempotencyKeys(done);
  const at = new Date().toISOString();
  await target.store.updateChanges(
    outcomes.map((outcome) => ({
      id: outcome.change.id,
      state: outcome.state,
      error: outcome.state === 'applied' ? null : outcome.detail,
      outcome: { at, detail: outcome.detail, readBack: outcome.readBack },
    })),
  );
  return outcomes;
}

async function applyOne(
  target: ApplyTarget,
  change: Change,
  ledger: LedgerEntry | undefined,
): Promise<ApplyOutcome> {
  const { connection, mapping } = target;
  const entity = mapping.vendorEntity;
  const key = mapping.toVendorKey(change.recordId);
  let lastRead: FieldValues | null = null;
  const outcome = (
    state: ApplyOutcome['state'],
    detail: string,
    wrote = false,
    errorKind: string | null = state === 'failed' ? 'permanent' : null,
  ): ApplyOutcome => ({ change, state, detail, wrote, errorKind, readBack: lastRead });
  try {
    if (ledger?.state === 'done' && ledger.changeId === change.id) {
      return outcome('applied', 'already applied (idempotency ledger)');
    }
    const current = await readFields(target, entity, key, change);
    if (current === null) return outcome('failed', `record ${key} no longer exists in ${entity}`);
    lastRead = current.values;
    if (!sameValues(current.values, change.before)) {
      if (ledger !== undefined && sameValues(current.values, change.after)) {
        return outcome('applied', 'verified by read-back after an interrupted apply');
      }
      return outcome(
        'conflict',
        `changed in the ERP since the plan: expected ${show(change.before)}, found ${show(current.values)}`,
      );
    }
    // A write whose answer is lost may or may not have happened: re-read before any new attempt,
    // and count it as applied when the record already shows it.
    const attempts = target.writeAttempts ?? DEFAULT_WRITE_ATTEMPTS;
    let version = current.version;
    for (let attempt = 1; ; attempt++) {
      try {
        await connection.write({
          entity,
          key,
          fields: mapping.toVendorFields(change.after),
          ifVersion: version,
          idempotencyKey: change.idempotencyKey,
        });
        break;
      } catch (error) {
        if (!isErpError(error, 'transient', 'rate_limited') || attempt >= attempts) throw error;
        await sleep((target.writeRetryDelayMs ?? defaultWriteRetryDelayMs)(attempt, error));
        const now = await readFields(target, entity, key, change);
        if (now === null) return outcome('failed', `record ${key} disappeared from ${entity} while applying`);
        lastRead = now.values;
        if (sameValues(now.values, change.after)) {
          return outcome(
            'applied',
            `verified by read-back: the write landed though its answer was lost (${describeError(error)})`,
            true,
          );
        }
        if (!sameValues(now.values, change.before)) {
          return outcome('conflict', `changed in the ERP while applying: found ${show(now.values)}`);
        }
        version = now.version;
      }
    }
    const readBack = await readFields(target, entity, key, change);
    lastRead = readBack?.values ?? null;
    if (readBack === null || !sameValues(readBack.values, change.after)) {
      return outcome(
        'failed',
        `read-back does not show the write: found ${show(readBack?.values ?? {})}`,
        true,
      );
    }
    return outcome('applied', 'written and verified by read-back', true);
  } catch (error) {
    if (isErpError(error, 'conflict')) {
      return outcome('conflict', `changed in the ERP while applying: ${describeError(error)}`);
    }
    return outcome('failed', describeError(error), false, isErpError(error) ? error.kind : 'unknown');
  }
}

async function readFields(
  target: ApplyTarget,
  entity: string,
  key: string,
  change: Change,
): Promise<{ values: FieldValues; version: string | null } | null> {
  const record = await target.connection.get(entity, key);
  if (record === null) return null;
  const canonical = target.mapping.toCanonical(record) as unknown as Record<string, unknown>;
  const values: FieldValues = {};
  for (const field of Object.keys(change.after)) values[field] = canonical[field] ?? null;
  return { values, version: record.version };
}

function show(values: FieldValues): string {
  return Object.entries(values)
    .map(([field, value]) => `${field}=${JSON.stringify(value)}`)
    .join(', ');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `work` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      if (item !== undefined) results[index] = await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
