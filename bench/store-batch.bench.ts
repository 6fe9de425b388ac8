/**
 * Benchmark: persisting a run's decided batches in each store, as the engine does — `saveBatch` of
 * 500 items (each with its lineage: the record as read and what went to the AI) and the changes
 * planned for a tenth of them, 20 batches (10,000 items) by default; then the apply path on those
 * changes: claim the idempotency keys, mark the changes applied (128 at a time), complete the keys.
 *
 * SQLite: a file in a temporary folder. PostgreSQL: a schema of its own on the test server
 * (ERPBRIDGE_TEST_POSTGRES, default postgres://postgres@127.0.0.1:5432/test), dropped afterwards;
 * left out with a line saying so when the server does not answer.
 *
 * Prints a table and writes bench/results/store-batch-latest.json (+ a timestamped copy).
 *
 *   node bin/run-ts.mjs bench/store-batch.bench.ts
 *   BENCH_BATCHES=200 node bin/run-ts.mjs bench/store-batch.bench.ts      # 100,000 items
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { probeServer } from '../src/connectors/sql/test-databases.ts';
import type { Change } from '../src/engine/change.ts';
import { emptyStats, type Item } from '../src/engine/run.ts';
import type { Store } from '../src/store/contract.ts';
import { TestSchema } from '../src/store/postgres/test-schema.ts';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { envInteger } from './env-integer.ts';
import { writeResults } from './write-results.ts';

const BATCH_SIZE = envInteger('BENCH_BATCH_SIZE', 500);
const BATCHES = envInteger('BENCH_BATCHES', 20);
const APPLY_JOB = 128;

interface Measured {
  store: string;
  items: number;
  changes: number;
  saveBatchMs: number;
  perBatchMs: { median: number; max: number };
  itemsPerSecond: number;
  applyPathMs: number;
}

async function measure(name: string, store: Store): Promise<Measured> {
  await store.migrate();
  const runId = `bench-${Date.now()}`;
  await store.createRun({
    id: runId,
    workflow: 'po-urgency',
    policy: 'auto',
    dryRun: false,
    state: 'running',
    params: {},
    stats: emptyStats(),
    error: null,
    requestedBy: null,
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
  });
  const batches = Array.from({ length: BATCHES }, (_, batch) => makeBatch(runId, batch));
  const perBatch: number[] = [];
  const started = performance.now();
  for (const { items, changes } of batches) {
    const at = performance.now();
    await store.saveBatch(items, changes);
    perBatch.push(performance.now() - at);
  }
  const saveBatchMs = performance.now() - started;

  const changes = batches.flatMap((batch) => batch.changes);
  const applyStarted = performance.now();
  for (let at = 0; at < changes.length; at += APPLY_JOB) {
    const job = changes.slice(at, at + APPLY_JOB);
    await store.claimIdempotencyKeys(
      job.map((change) => ({ key: change.idempotencyKey, changeId: change.id })),
    );
    await store.updateChanges(job.map((change) => ({ id: change.id, state: 'applied' })));
    await store.completeIdempotencyKeys(job.map((change) => change.idempotencyKey));
  }
  const applyPathMs = performance.now() - applyStarted;
  const counted = await store.countItems(runId);
  if (counted.planned !== BATCH_SIZE * BATCHES) {
    throw new Error(`${name}: expected ${BATCH_SIZE * BATCHES} items, found ${counted.planned}`);
  }
  perBatch.sort((a, b) => a - b);
  return {
    store: name,
    items: BATCH_SIZE * BATCHES,
    changes: changes.length,
    saveBatchMs: round(saveBatchMs),
    perBatchMs: {
      median: round(perBatch[Math.floor(perBatch.length / 2)] ?? 0),
      max: round(perBatch.at(-1) ?? 0),
    },
    itemsPerSecond: Math.round((BATCH_SIZE * BATCHES) / (saveBatchMs / 1000)),
    applyPathMs: round(applyPathMs),
  };
}

/** One engine batch: items with lineage like a purchase order's, a change for every tenth. */
function makeBatch(runId: string, batch: number): { items: Item[]; changes: Change[] } {
  const items: Item[] = [];
  const changes: Change[] = [];
  const now = new Date().toISOString();
  for (let index = 0; index < BATCH_SIZE; index++) {
    const recordId = `45${String(batch * BATCH_SIZE + index).padStart(8, '0')}`;
    const record = {
      id: recordId,
      supplierId: `V${index % 300}`,
      orderDate: '2026-10-01',
      dueDate: '2026-11-05',
      totalAmount: 1234.5 + index,
      currency: 'EUR',
      priority: 'normal',
      lines: [{ lineNumber: 10, itemId: `M-${index % 900}`, quantity: 12, unitPrice: 102.875 }],
    };
    items.push({
      runId,
      recordId,
      state: 'planned',
      label: index % 10 === 0 ? 'urgent' : 'normal',
      confidence: 0.5 + (index % 50) / 100,
      error: null,
      record,
      aiInput: { daysToDue: 4, supplierLateRate: 0.12, amount: record.totalAmount, openLines: 1 },
    });
    if (index % 10 === 0) {
      changes.push({
        id: `${runId}:${recordId}`,
        runId,
        entity: 'purchaseOrder',
        recordId,
        before: { priority: 'normal' },
        after: { priority: 'urgent' },
        amount: record.totalAmount,
        currency: 'EUR',
        version: '2026-10-01T08:00:00Z',
        reason: 'due in 4 days, supplier late 12%',
        confidence: 0.91,
        explanation: 'daysToDue +1.8, supplierLateRate +0.6',
        idempotencyKey: `key-${runId}-${recordId}`,
        state: 'approved',
        revertOf: null,
        requestedBy: null,
        approvals: [],
        decidedBy: 'policy',
        outcome: null,
        error: null,
        createdAt: now,
        updatedAt: now,
      });
    }
  }
  return { items, changes };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

const results: Measured[] = [];
const dir = await mkdtemp(join(tmpdir(), 'erpbridge-store-bench-'));
try {
  const sqlite = createSqliteStore({ path: join(dir, 'store.sqlite') });
  try {
    results.push(await measure('sqlite', sqlite));
  } finally {
    await sqlite.close();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const probe = await probeServer('postgres');
if (probe.available) {
  const schema = new TestSchema(probe.url, 'bench');
  try {
    results.push(await measure('postgres', schema.store()));
  } finally {
    await schema.drop();
  }
} else {
  process.stdout.write(`postgres left out: ${probe.reason}\n`);
}

const table = new Table({
  head: [
    'store',
    'items',
    'changes',
    'saveBatch total ms',
    'per batch median / max ms',
    'items/s',
    'apply path ms',
  ],
});
for (const result of results) {
  table.push([
    result.store,
    result.items,
    result.changes,
    result.saveBatchMs,
    `${result.perBatchMs.median} / ${result.perBatchMs.max}`,
    result.itemsPerSecond,
    result.applyPathMs,
  ]);
}
process.stdout.write(
  `saveBatch: ${BATCHES} batches of ${BATCH_SIZE} items (lineage included), a change for every tenth; ` +
    `apply path: claim keys, mark applied, complete keys, ${APPLY_JOB} changes at a time\n`,
);
process.stdout.write(`${table.toString()}\n`);
writeResults('store-batch', { batchSize: BATCH_SIZE, batches: BATCHES, applyJob: APPLY_JOB, results });
