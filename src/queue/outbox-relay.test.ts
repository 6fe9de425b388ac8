import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxJob, Store } from '../store/contract.ts';
import { createSqliteStore } from '../store/index.ts';
import { createOutboxRelay } from './outbox-relay.ts';

const job = (id: string, minute = 0): OutboxJob => ({
  id,
  kind: 'apply',
  payload: { runId: 'run-1', changeIds: [`${id}-change`] },
  createdAt: `2026-11-02T10:${String(minute).padStart(2, '0')}:00.000Z`,
});

describe('outbox relay (on a real SQLite store)', () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'erpbridge-relay-'));
    store = createSqliteStore({ path: join(dir, 'store.sqlite') });
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes committed rows oldest first, in rounds of batchSize, and marks them sent', async () => {
    const published: string[][] = [];
    const relay = createOutboxRelay({
      store,
      batchSize: 2,
      publish: async (jobs) => void published.push(jobs.map((each) => each.id)),
    });
    await store.addOutboxJobs([job('c', 3), job('a', 1), job('b', 2), job('d', 4), job('e', 5)]);
    await relay.flush();
    expect(published).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(await store.listOutboxJobs({ limit: 10 })).toEqual([]);
    expect(relay.figures()).toEqual({ published: 5, failures: 0, lastError: null });
    await relay.flush();
    expect(published).toHaveLength(3);
  });

  it('keeps rows it could not publish for the next round, and reports the failure', async () => {
    const errors: string[] = [];
    let down = true;
    const published: string[] = [];
    const relay = createOutboxRelay({
      store,
      publish: async (jobs) => {
        if (down) throw new Error('Redis at redis://127.0.0.1:6379 is unreachable');
        published.push(...jobs.map((each) => each.id));
      },
      onError: (error) => errors.push(error.message),
    });
    await store.addOutboxJobs([job('a')]);
    await expect(relay.flush()).resolves.toBeUndefined();
    expect(await store.listOutboxJobs({ limit: 10 })).toEqual([job('a')]);
    expect(errors).toEqual([
      'outbox relay: Redis at redis://127.0.0.1:6379 is unreachable; the rows stay for the next round',
    ]);
    expect(relay.figures()).toMatchObject({
      failures: 1,
      lastError: 'Redis at redis://127.0.0.1:6379 is unreachable',
    });
    down = false;
    await relay.flush();
    expect(published).toEqual(['a']);
    expect(relay.figures()).toMatchObject({ published: 1, lastError: null });
  });

  it('a flush during a round waits for a round that sees rows committed before it', async () => {
    const published: string[] = [];
    let release: () => void = () => undefined;
    let first = true;
    const relay = createOutboxRelay({
      store,
      publish: async (jobs) => {
        if (first) {
          first = false;
          await new Promise<void>((resolve) => {
            release = resolve;
          });
        }
        published.push(...jobs.map((each) => each.id));
      },
    });
    await store.addOutboxJobs([job('a', 1)]);
    const running = relay.flush();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Committed while the round above is publishing what it read before.
    await store.addOutboxJobs([job('b', 2)]);
    const later = relay.flush();
    const alsoLater = relay.flush();
    release();
    await Promise.all([running, later, alsoLater]);
    expect(published).toEqual(['a', 'b']);
    expect(await store.listOutboxJobs({ limit: 10 })).toEqual([]);
  });

  it('polls once started, and stops', async () => {
    const published: string[] = [];
    const relay = createOutboxRelay({
      store,
      publish: async (jobs) => void published.push(...jobs.map((each) => each.id)),
    });
    relay.start(20);
    await store.addOutboxJobs([job('left-by-a-dead-process')]);
    const deadline = Date.now() + 2000;
    while (published.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(published).toEqual(['left-by-a-dead-process']);
    await relay.stop();
    await store.addOutboxJobs([job('after-stop')]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(published).toEqual(['left-by-a-dead-process']);
  });
});
