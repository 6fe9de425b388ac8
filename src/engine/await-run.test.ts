import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/contract.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';
import { testChange, testRun } from '../store/test-records.ts';
import { awaitRun, type RunProgress } from './await-run.ts';

describe('awaitRun', () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'erpbridge-await-'));
    store = createSqliteStore({ path: join(dir, 'store.sqlite') });
    await store.migrate();
    await store.createRun(testRun('run-1'));
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('follows a run another process plans and applies, and returns it ended', async () => {
    const progress: RunProgress[] = [];
    const waiting = awaitRun(store, 'run-1', { pollMs: 10, onProgress: (event) => progress.push(event) });
    // What the workers do, through the same store file.
    const worker = createSqliteStore({ path: join(dir, 'store.sqlite') });
    const step = () => new Promise((resolve) => setTimeout(resolve, 60));
    await step();
    const run = testRun('run-1');
    await worker.updateRun('run-1', { stats: { ...run.stats, read: 500 } });
    await step();
    await worker.saveBatch(
      [],
      [
        { ...testChange('c1'), state: 'approved' },
        { ...testChange('c2', 'k2'), state: 'approved' },
      ],
    );
    await worker.updateRun('run-1', { state: 'applying' });
    await step();
    await worker.updateChanges([{ id: 'c1', state: 'applied' }]);
    await step();
    await worker.updateChanges([{ id: 'c2', state: 'conflict' }]);
    await worker.updateRun('run-1', { state: 'completed' });
    await worker.close();

    const ended = await waiting;
    expect(ended.state).toBe('completed');
    // Each step in order; a busy machine may also show an in-between state (the batch saved
    // before the run moved on), so the steps are checked as a subsequence.
    const steps: RunProgress[] = [
      { phase: 'extract', done: 0, total: null },
      { phase: 'extract', done: 500, total: null },
      { phase: 'apply', done: 0, total: 2 },
      { phase: 'apply', done: 1, total: 2 },
    ];
    let seen = 0;
    for (const event of progress) if (JSON.stringify(event) === JSON.stringify(steps[seen])) seen++;
    expect(seen, JSON.stringify(progress)).toBe(steps.length);
  });

  it('says when nothing moves, and a timeout returns the run still going', async () => {
    const stalls: number[] = [];
    const started = Date.now();
    const run = await awaitRun(store, 'run-1', {
      pollMs: 10,
      stallMs: 100,
      timeoutMs: 350,
      onStall: (_run, stillMs) => stalls.push(stillMs),
    });
    expect(run.state).toBe('running');
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    // Once per further 100 ms without a move: at about 100, 200 and 300 ms.
    expect(stalls).toHaveLength(3);
    expect(stalls.every((ms, i) => ms >= (i + 1) * 100)).toBe(true);
  });

  it('stops waiting when the signal aborts, leaving the run as it is', async () => {
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(), 50);
    const run = await awaitRun(store, 'run-1', { pollMs: 10_000, signal: interrupt.signal });
    expect(run.state).toBe('running');
    expect((await store.getRun('run-1'))?.state).toBe('running');
  });

  it('names a run that does not exist', async () => {
    await expect(awaitRun(store, 'run-9')).rejects.toThrow('no run run-9; `erpbridge runs` lists the runs');
  });
});
