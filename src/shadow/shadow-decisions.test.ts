import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { poUrgencyWorkflow } from '../../workflows/po-urgency.ts';
import { WorkflowConfig } from '../config/schema.ts';
import type { Change } from '../engine/change.ts';
import { emptyStats, type Item, type Run } from '../engine/run.ts';
import type { Store } from '../store/contract.ts';
import { createSqliteStore } from '../store/index.ts';
import { collectShadowDecisions } from './shadow-decisions.ts';

const workflow = poUrgencyWorkflow(
  'po-urgency',
  WorkflowConfig.parse({
    connector: 'sandbox',
    profile: 'sandbox',
    task: 'po-urgency',
    source: { filter: { status: 'open' } },
    history: { filter: { status: 'closed' } },
    policy: { mode: 'shadow' },
  }),
);

function run(id: string, createdAt: string, policy: Run['policy'] = 'shadow'): Run {
  return {
    id,
    workflow: 'po-urgency',
    policy,
    dryRun: false,
    state: 'planned',
    params: {},
    stats: emptyStats(),
    error: null,
    requestedBy: null,
    createdAt,
    updatedAt: createdAt,
  };
}

function item(
  runId: string,
  recordId: string,
  label: string | null,
  read: { priority: string; version: string },
): Item {
  return {
    runId,
    recordId,
    state: 'unchanged',
    label,
    confidence: 0.8,
    error: null,
    record: { id: recordId, ...read },
    aiInput: { recordId },
  };
}

function change(runId: string, recordId: string, after: Record<string, unknown>): Change {
  return {
    id: `${runId}:${recordId}`,
    runId,
    entity: 'purchaseOrder',
    recordId,
    before: { priority: 'normal' },
    after,
    amount: null,
    currency: null,
    version: 'v1',
    reason: 'test',
    confidence: 0.9,
    explanation: 'test',
    idempotencyKey: `key-${runId}-${recordId}`,
    state: 'pending',
    revertOf: null,
    requestedBy: null,
    approvals: [],
    decidedBy: null,
    outcome: null,
    error: null,
    createdAt: '2026-11-02T06:00:00.000Z',
    updatedAt: '2026-11-02T06:00:00.000Z',
  };
}

describe('collectShadowDecisions', () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'erpbridge-shadow-'));
    store = createSqliteStore({ path: join(dir, 'store.sqlite') });
    await store.migrate();
    const untouched = { priority: 'normal', version: 'v1' };
    await store.createRun(run('a', '2026-11-02T06:00:00.000Z'));
    await store.saveBatch(
      [
        { ...item('a', '1', 'urgent', untouched), state: 'planned' },
        item('a', '2', 'normal', untouched),
        item('a', '3', 'low', untouched),
        item('a', '5', null, untouched),
        { ...item('a', '6', null, untouched), state: 'failed', error: 'unreadable' },
      ],
      [change('a', '1', { priority: 'urgent' })],
    );
    await store.createRun(run('b', '2026-11-03T06:00:00.000Z'));
    await store.saveBatch(
      [
        // Still as run a read it: people had not acted yet, so b's newer decision counts.
        item('b', '1', 'high', untouched),
        // Read after a buyer set it: b cannot be judged against that; a's decision counts.
        item('b', '2', 'high', { priority: 'high', version: 'v2' }),
      ],
      [],
    );
    await store.createRun(run('c', '2026-11-04T06:00:00.000Z', 'review'));
    await store.saveBatch([item('c', '3', 'urgent', untouched)], []);
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('judges each record once, by the newest decision made before people acted on it', async () => {
    const collected = await collectShadowDecisions(store, workflow, 'priority');
    expect(collected.runs.map((shadow) => shadow.id)).toEqual(['a', 'b']);
    expect(
      collected.decisions.map((decision) => [decision.recordId, decision.runId, decision.aiValue]),
    ).toEqual([
      ['1', 'b', 'high'],
      ['2', 'a', 'normal'],
      ['3', 'a', 'low'],
    ]);
    expect(collected.decisions[0]).toMatchObject({ before: 'normal', beforeVersion: 'v1', confidence: 0.8 });
    expect(collected).toMatchObject({ superseded: 2, withoutValue: 1 });
  });

  it('takes a planned change’s value for the field, and leaves out runs before `since`', async () => {
    const since = await collectShadowDecisions(store, workflow, 'priority', {
      since: '2026-11-03T00:00:00.000Z',
    });
    expect(since.runs.map((shadow) => shadow.id)).toEqual(['b']);
    expect(since.decisions.map((decision) => decision.recordId)).toEqual(['1', '2']);
    await store.createRun(run('d', '2026-11-05T06:00:00.000Z'));
    await store.saveBatch(
      [{ ...item('d', '7', 'normal', { priority: 'low', version: 'v1' }), state: 'planned' }],
      [change('d', '7', { priority: 'urgent' })],
    );
    const later = await collectShadowDecisions(store, workflow, 'priority', {
      since: '2026-11-05T00:00:00.000Z',
    });
    expect(later.decisions).toMatchObject([{ recordId: '7', aiValue: 'urgent', before: 'low' }]);
  });
});
