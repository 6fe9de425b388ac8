/**
 * Acceptance (issue 9): three `erpbridge worker` processes on the machine's PostgreSQL and Redis
 * apply one run over 5,000 purchase orders against the sandbox, which allows 100 requests/s. The
 * connector's limit of 100 requests/s is shared through Redis, so together they stay within it;
 * and every change is applied exactly once, by the sandbox's own request log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../src/runtime/context.ts';
import {
  type Deployment,
  distributedUnavailable,
  killChildren,
  peakSlidingSecond,
  requestsPerSecond,
  type SandboxRequest,
  sandboxRequests,
  settled,
  startDeployment,
  startWorkers,
} from './support/distributed.ts';

const unavailable = await distributedUnavailable();
if (unavailable) process.stderr.write(`skipping the distributed tests: ${unavailable}\n`);

const LIMIT = 100;

describe.skipIf(unavailable !== null)('distributed: three workers share one ERP budget', () => {
  let deployment: Deployment;
  let context: CliContext;

  beforeAll(async () => {
    deployment = await startDeployment({
      name: 'budget',
      orders: 5000,
      history: 6000,
      // Urgent and high: about 1,200 of the 5,000 orders change, ~3,600 requests at 100/s.
      workflow: { labels: ['urgent', 'high'], policy: 'auto' },
      requestsPerSecond: LIMIT,
    });
    // The sandbox refuses what goes beyond 100/s with a 429, as a real gateway would.
    await deployment.sandbox.setFaults({ rateLimit: { requestsPerSecond: LIMIT, burst: LIMIT } });
    context = await deployment.open();
  });

  afterAll(async () => {
    killChildren();
    await context?.close();
    await deployment?.cleanup();
  });

  it('stays within 100 requests/s together and applies every change exactly once', async () => {
    const workers = await startWorkers(deployment, 3);
    await deployment.sandbox.clearRequests();
    const workflow = context.workflow('po-urgency');
    const started = await context.engine.run(workflow, { dryRun: false, asOf: '2026-11-02' });
    const run = await settled(context, started.run.id, 300_000);
    const requests = await sandboxRequests(deployment.sandbox);

    const counts = await context.store.countChanges(run.id);
    expect(run.state).toBe('completed');
    expect(run.stats.read).toBe(5000);
    const applied = counts.applied ?? 0;
    expect(applied).toBeGreaterThan(900);
    expect(counts).toEqual({ applied });

    // Exactly once: one applied PATCH per changed order, none for any other.
    const changes = await allChanges(context, run.id);
    const patches = requests.filter((request) => request.method === 'PATCH');
    const appliedPerOrder = countBy(
      patches.filter((request) => request.applied),
      (request) => request.poNumber,
    );
    expect(appliedPerOrder.size).toBe(applied);
    expect(Math.max(...appliedPerOrder.values())).toBe(1);
    const vendorKeys = new Set(
      changes.map((change) => workflow.entity.mapping(workflow.profile).toVendorKey(change.recordId)),
    );
    for (const order of appliedPerOrder.keys()) expect(vendorKeys.has(order ?? '')).toBe(true);

    // Together within the limit: after the first second (a full bucket may pass at once), no
    // sliding one-second window holds more than the limit, and the sandbox refused nothing.
    const windows = requestsPerSecond(requests);
    const seconds = [...windows.keys()].sort((a, b) => a - b);
    const afterFirst = requests.filter((request) => Date.parse(request.at) >= (seconds[0] ?? 0) + 1000);
    const peak = peakSlidingSecond(afterFirst);
    const refused = requests.filter((request) => request.status === 429);
    report({ requests, windows, peak, refused, applied, workers: workers.length });
    expect(Math.max(...windows.values())).toBeLessThanOrEqual(LIMIT);
    expect(peak).toBeLessThanOrEqual(LIMIT);
    expect(refused).toEqual([]);
    // Each worker took a share of the work.
    for (const worker of workers) {
      const metrics = await (await fetch(`${worker.url}/metrics`)).text();
      expect(metrics).toMatch(/erpbridge_queue_jobs_total\{kind="apply",outcome="completed"\} [1-9]/);
    }
  }, 360_000);
});

async function allChanges(context: CliContext, runId: string) {
  const changes = [];
  let afterId: string | undefined;
  for (;;) {
    const page = await context.store.listChanges(runId, { limit: 1000, ...(afterId ? { afterId } : {}) });
    if (page.length === 0) return changes;
    changes.push(...page);
    afterId = page.at(-1)?.id;
  }
}

function countBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, number> {
  const counts = new Map<K, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

function report(figures: {
  requests: SandboxRequest[];
  windows: Map<number, number>;
  peak: number;
  refused: SandboxRequest[];
  applied: number;
  workers: number;
}): void {
  const busiest = Math.max(...figures.windows.values());
  process.stderr.write(
    `distributed budget: ${figures.workers} workers, ${figures.requests.length} requests over ${figures.windows.size} s, ` +
      `${figures.applied} changes applied; max per whole second ${busiest}, max per sliding second after the first ${figures.peak}, ` +
      `429s ${figures.refused.length}\n`,
  );
}
