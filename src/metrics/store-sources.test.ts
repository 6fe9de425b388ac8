import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyStats, type Item, type Run } from '../engine/run.ts';
import type { Store } from '../store/contract.ts';
import { createSqliteStore } from '../store/index.ts';
import { createMetrics } from './metrics.ts';
import { labelSets, sampleValue, scrape } from './scrape.fixture.ts';

/** The scrape-time sources fed by a real SQLite store, as the service wires them. */

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'erpbridge-metrics-'));
  store = createSqliteStore({ path: join(dir, 'store.sqlite') });
  await store.migrate();
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

function run(id: string, workflow: string, state: Run['state']): Run {
  const at = '2026-12-04T06:00:00.000Z';
  return {
    id,
    workflow,
    policy: 'review',
    dryRun: true,
    state,
    params: {},
    stats: emptyStats(),
    error: null,
    requestedBy: 'anna',
    createdAt: at,
    updatedAt: at,
  };
}

function item(runId: string, recordId: string, state: Item['state']): Item {
  return { runId, recordId, state, label: 'urgent', confidence: 0.9, error: null };
}

describe('metrics sources from the SQLite store', () => {
  it('countRuns and countItems plug in as they are, and the scrape shows them', async () => {
    const metrics = createMetrics({
      runCounts: () => store.countRuns(),
      itemCounts: () => store.countItems(undefined),
      changeCounts: () => store.countChanges(undefined),
      approvalsWaiting: async () => (await store.countChanges(undefined)).pending ?? 0,
      connectors: () => new Map(),
    });
    expect(labelSets(await scrape(metrics), 'erpbridge_runs')).toEqual([]);

    await store.createRun(run('run-1', 'po-urgency', 'completed'));
    await store.createRun(run('run-2', 'po-urgency', 'completed'));
    await store.createRun(run('run-3', 'invoice-match', 'running'));
    await store.saveBatch(
      [item('run-1', '4500000001', 'planned'), item('run-1', '4500000002', 'failed')],
      [],
    );

    const scraped = await scrape(metrics);
    expect(sampleValue(scraped, 'erpbridge_runs', { workflow: 'po-urgency', state: 'completed' })).toBe(2);
    expect(sampleValue(scraped, 'erpbridge_runs', { workflow: 'invoice-match', state: 'running' })).toBe(1);
    expect(sampleValue(scraped, 'erpbridge_run_items', { state: 'failed' })).toBe(1);
    expect(sampleValue(scraped, 'erpbridge_approvals_waiting')).toBe(0);
    expect(sampleValue(scraped, 'erpbridge_metrics_source_errors_total', { source: 'runCounts' })).toBe(0);
  });

  it('a closed store is a source failure, not a failed scrape', async () => {
    const metrics = createMetrics({
      runCounts: () => store.countRuns(),
      itemCounts: () => store.countItems(undefined),
      changeCounts: () => store.countChanges(undefined),
      approvalsWaiting: async () => 0,
      connectors: () => new Map(),
    });
    await store.close();
    const scraped = await scrape(metrics);
    expect(sampleValue(scraped, 'erpbridge_metrics_source_errors_total', { source: 'runCounts' })).toBe(1);
    expect(sampleValue(scraped, 'erpbridge_metrics_source_errors_total', { source: 'itemCounts' })).toBe(1);
    expect(sampleValue(scraped, 'erpbridge_approvals_waiting')).toBe(0);
    store = createSqliteStore({ path: join(dir, 'store.sqlite') });
  });
});
