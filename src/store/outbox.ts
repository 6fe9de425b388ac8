import { setImmediate as nextTurn } from 'node:timers/promises';
import { type Kysely, sql } from 'kysely';
import { GOING_RUN_STATES } from '../engine/run.ts';
import { ErpError } from '../errors/index.ts';
import type { OutboxJob } from './contract.ts';
import { checkPaging } from './paging.ts';
import { ROW_FORMAT_VERSION } from './rows.ts';
import type { ApplyClaimsTable, OutboxTable, StoreDatabase } from './schema.ts';

/**
 * The transactional outbox and the apply claims, shared by every store: rows, and the queries
 * Kysely builds for each dialect. A store runs the writes inside its own transaction (SQLite
 * compiles and runs them synchronously, PostgreSQL executes them) together with the state the
 * jobs act on.
 */

export function outboxJobToRow(job: OutboxJob): OutboxTable {
  return {
    id: job.id,
    format_version: ROW_FORMAT_VERSION,
    kind: job.kind,
    payload: JSON.stringify(job.payload),
    created_at: job.createdAt,
    sent_at: null,
  };
}

export function rowToOutboxJob(row: OutboxTable): OutboxJob {
  if (row.format_version !== ROW_FORMAT_VERSION) {
    throw new ErpError(
      'permanent',
      `outbox row ${row.id} has format_version ${row.format_version}; this erpbridge reads ${ROW_FORMAT_VERSION}`,
      { entity: 'outbox', key: row.id, hint: 'Run the erpbridge version that wrote it, or a newer one.' },
    );
  }
  let payload: unknown;
  try {
    payload = JSON.parse(row.payload);
  } catch (error) {
    throw new ErpError('permanent', `outbox.payload of ${row.id} is not valid JSON`, {
      cause: error,
      entity: 'outbox',
      key: row.id,
      field: 'payload',
    });
  }
  return { id: row.id, kind: row.kind, payload, createdAt: row.created_at };
}

/** Inserts jobs; an id already in the outbox is left as it is (a job is enqueued once). */
export function insertOutboxJobs(db: Kysely<StoreDatabase>, rows: OutboxTable[]) {
  return db
    .insertInto('outbox')
    .values(rows)
    .onConflict((conflict) => conflict.column('id').doNothing());
}

/** Unsent jobs, oldest first. */
export async function listOutboxJobs(
  db: Kysely<StoreDatabase>,
  options: { limit: number },
): Promise<OutboxJob[]> {
  checkPaging('listOutboxJobs', options);
  const rows = await db
    .selectFrom('outbox')
    .selectAll()
    .where('sent_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(options.limit)
    .execute();
  return rows.map(rowToOutboxJob);
}

/** Marks jobs sent; a row already marked keeps its first time. */
export function markOutboxJobsSent(db: Kysely<StoreDatabase>, ids: readonly string[], sentAt: string) {
  return db
    .updateTable('outbox')
    .set({ sent_at: sentAt })
    .where('id', 'in', [...ids])
    .where('sent_at', 'is', null);
}

/**
 * The published jobs of one run: the engine names them `plan-<run>` and `apply-<run>-<uuid>`. The
 * apply ids are read as a range of the primary key (byte-wise on both stores: `-` then `.`), not
 * with LIKE, whose wildcards and escapes differ between the dialects.
 */
export function publishedJobIdsOfRun(db: Kysely<StoreDatabase>, runId: string) {
  return db
    .selectFrom('outbox')
    .select('id')
    .where('sent_at', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('id', '=', `plan-${runId}`),
        eb.and([eb('id', '>', `apply-${runId}-`), eb('id', '<', `apply-${runId}.`)]),
      ]),
    )
    .orderBy('id');
}

/** Marks published jobs unsent again, for the relay to publish them once more. */
export function requeueOutboxJobs(db: Kysely<StoreDatabase>, ids: readonly string[]) {
  return db
    .updateTable('outbox')
    .set({ sent_at: null })
    .where('id', 'in', [...ids])
    .where('sent_at', 'is not', null);
}

/**
 * Rows `pruneOutbox` deletes per statement. Each batch is a statement (and transaction) of its own,
 * so pruning a table of millions of rows never holds one long lock: the relay and the writers that
 * commit jobs get their turn between batches.
 */
export const OUTBOX_PRUNE_BATCH = 1000;

/**
 * Deletes up to {@link OUTBOX_PRUNE_BATCH} rows published before `sentBefore`. An unsent row is
 * never deleted, however old: it is a job still to publish; nor is a job of a run still running
 * or applying (see {@link publishedJobIdsOfRun} for how a job names its run). The `outbox_unsent` index (migration
 * 0005) leads with `sent_at`, so the rows are found by a range scan of it, not a scan of the table.
 *
 * PostgreSQL passes `skipLocked`: every service instance prunes, and concurrent pruners then take
 * disjoint rows instead of one waiting on the other's and finding them gone. A batch short of a full
 * one thus means no row is left for anyone, and each deleted row is counted once. SQLite has one
 * writer at a time (and no such clause), so a batch there always sees every row still left.
 */
export function deleteSentOutboxBatch(
  db: Kysely<StoreDatabase>,
  sentBefore: string,
  options: { skipLocked?: boolean } = {},
) {
  const batch = db
    .selectFrom('outbox')
    .select('id')
    .where('sent_at', 'is not', null)
    .where('sent_at', '<', sentBefore)
    // The jobs of a run still running or applying stay, however old: Engine.recoverLostJobs
    // publishes them again from here if Redis loses them.
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('runs')
            .select('runs.id')
            .where('runs.state', 'in', [...GOING_RUN_STATES])
            .where((eb) =>
              eb.or([
                eb('outbox.id', '=', sql<string>`'plan-' || runs.id`),
                eb.and([
                  eb('outbox.id', '>', sql<string>`'apply-' || runs.id || '-'`),
                  eb('outbox.id', '<', sql<string>`'apply-' || runs.id || '.'`),
                ]),
              ]),
            ),
        ),
      ),
    )
    .limit(OUTBOX_PRUNE_BATCH);
  return db
    .deleteFrom('outbox')
    .where('id', 'in', options.skipLocked ? batch.forUpdate().skipLocked() : batch);
}

/**
 * Runs `deleteBatch` (one {@link deleteSentOutboxBatch}, returning the rows it deleted) until a batch
 * deletes fewer than a full one, yielding to the event loop between batches (SQLite's batches are
 * synchronous); returns the total.
 */
export async function pruneOutboxInBatches(deleteBatch: () => Promise<number> | number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const batch = await deleteBatch();
    deleted += batch;
    if (batch < OUTBOX_PRUNE_BATCH) return deleted;
    await nextTurn();
  }
}

/** Claims for one job: a change claimed before (by any job) keeps its claim. */
export function insertApplyClaims(db: Kysely<StoreDatabase>, rows: ApplyClaimsTable[]) {
  return db
    .insertInto('apply_claims')
    .values(rows)
    .onConflict((conflict) => conflict.column('change_id').doNothing());
}

/** Of these changes, those `jobId` holds. */
export function claimsHeldBy(db: Kysely<StoreDatabase>, changeIds: readonly string[], jobId: string) {
  return db
    .selectFrom('apply_claims')
    .select('change_id')
    .where('change_id', 'in', [...changeIds])
    .where('job_id', '=', jobId);
}

/**
 * Apply claims for one job, one row per distinct change, in byte-wise id order: two jobs claiming
 * overlapping changes at once lock them in the same order, so PostgreSQL never sees a deadlock.
 */
export function applyClaimRows(changeIds: readonly string[], jobId: string, at: string): ApplyClaimsTable[] {
  return [...new Set(changeIds)]
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((changeId) => ({ change_id: changeId, job_id: jobId, claimed_at: at }));
}
