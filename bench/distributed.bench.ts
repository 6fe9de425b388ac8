/**
 * Benchmark: the distributed runner's apply throughput with 1 and with 4 `erpbridge worker`
 * processes, on the machine's PostgreSQL and Redis, against the sandbox ERP as its own process
 * answering every request after 50 ms (no rate limit). Target (issue 9): 4 workers apply at least
 * 3× as many changes per second as 1.
 *
 * Per worker count, a fresh deployment (sandbox seeded alike, its own schema and Redis prefix):
 * a review run plans every order (a worker does it; not timed), then one bulk approval commits the
 * apply jobs (128 changes each) and the clock runs until the run has settled. Throughput = changes
 * applied / that time; the sandbox's log gives the span from the first to the last applied PATCH.
 *
 *   node bin/run-ts.mjs bench/distributed.bench.ts
 *   BENCH_ORDERS=6000 BENCH_CONCURRENCY=2 node bin/run-ts.mjs bench/distributed.bench.ts
 *
 * Prints a table and writes bench/results/distributed-latest.json (+ a timestamped copy).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import Table from 'cli-table3';
import {
  distributedUnavailable,
  sandboxRequests,
  settled,
  startDeployment,
  startWorkers,
} from '../test/support/distributed.ts';
import { envInteger } from './env-integer.ts';
import { writeResults } from './write-results.ts';

const LATENCY_MS = 50;
const ORDERS = envInteger('BENCH_ORDERS', 8000);
/** Jobs at once per worker. */
const CONCURRENCY = envInteger('BENCH_CONCURRENCY', 1);
const WORKER_COUNTS = [1, 4];

interface Measurement {
  workers: number;
  concurrencyPerWorker: number;
  changes: number;
  seconds: number;
  changesPerSecond: number;
  /** From the first to the last applied PATCH in the sandbox's log. */
  sandboxSeconds: number;
  requests: number;
  /** The machine's 1-minute load average before and after: other work on it slows the workers and the sandbox. */
  load: [number, number];
  /** CPU seconds the workers and the sandbox used while applying (Linux /proc; null elsewhere). */
  cpuSeconds: { workers: number; sandbox: number } | null;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux), or null. */
function cpuOf(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after "pid (comm) ".
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** The sandbox's pid: the process serving from the deployment's folder. */
function sandboxPid(dir: string): number | null {
  try {
    const found = execFileSync('pgrep', ['-f', `${dir}/sandbox`], { encoding: 'utf8' })
      .trim()
      .split('\n')[0];
    return found ? Number(found) : null;
  } catch {
    return null;
  }
}

function sum(values: readonly (number | null)[]): number | null {
  return values.some((value) => value === null)
    ? null
    : values.reduce<number>((total, value) => total + (value ?? 0), 0);
}

async function measure(workers: number): Promise<Measurement> {
  const deployment = await startDeployment({
    name: `bench-${workers}`,
    orders: ORDERS,
    history: 6000,
    // Every order whose urgency is not normal changes: about 40 % of them.
    workflow: { labels: ['urgent', 'high', 'low'], policy: 'review' },
    requestsPerSecond: null,
    maxInFlight: 1024,
  });
  const context = await deployment.open();
  try {
    const started = await startWorkers(deployment, workers, CONCURRENCY);
    const workflow = context.workflow('po-urgency');
    const queued = await context.engine.run(workflow, { dryRun: false, asOf: '2026-11-02' });
    const planned = await settled(context, queued.run.id, 600_000);
    if (planned.state !== 'planned')
      throw new Error(`the run is ${planned.state}, not planned: ${planned.error}`);
    await deployment.sandbox.setFaults({ latency: { fixedMs: LATENCY_MS, target: 'both' } });
    await deployment.sandbox.clearRequests();

    const loadBefore = loadavg()[0] ?? 0;
    const sandbox = sandboxPid(deployment.dir);
    const cpuBefore = {
      workers: sum(started.map((worker) => cpuOf(worker.pid))),
      sandbox: sandbox ? cpuOf(sandbox) : null,
    };
    const begin = performance.now();
    const approved = await context.engine.approve(workflow, planned.id, {}, 'bench');
    const run = await settled(context, planned.id, 1_800_000);
    const seconds = (performance.now() - begin) / 1000;
    const cpuAfter = {
      workers: sum(started.map((worker) => cpuOf(worker.pid))),
      sandbox: sandbox ? cpuOf(sandbox) : null,
    };
    const counts = await context.store.countChanges(run.id);
    if ((counts.applied ?? 0) !== approved) {
      throw new Error(`${approved} approved but ${JSON.stringify(counts)} after the run settled`);
    }
    const requests = await sandboxRequests(deployment.sandbox);
    const applied = requests.filter((request) => request.method === 'PATCH' && request.applied);
    const times = applied.map((request) => Date.parse(request.at));
    await Promise.all(started.map((worker) => worker.stop('SIGTERM')));
    return {
      workers,
      concurrencyPerWorker: CONCURRENCY,
      changes: approved,
      seconds: round(seconds),
      changesPerSecond: round(approved / seconds),
      sandboxSeconds: round((Math.max(...times) - Math.min(...times)) / 1000),
      requests: requests.length,
      load: [round(loadBefore), round(loadavg()[0] ?? 0)],
      cpuSeconds:
        cpuBefore.workers === null ||
        cpuAfter.workers === null ||
        cpuBefore.sandbox === null ||
        cpuAfter.sandbox === null
          ? null
          : {
              workers: round(cpuAfter.workers - cpuBefore.workers),
              sandbox: round(cpuAfter.sandbox - cpuBefore.sandbox),
            },
    };
  } finally {
    await context.close();
    await deployment.cleanup();
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

const unavailable = await distributedUnavailable();
if (unavailable) {
  process.stderr.write(`distributed bench needs PostgreSQL and Redis: ${unavailable}\n`);
  process.exit(2);
}
const measurements: Measurement[] = [];
for (const workers of WORKER_COUNTS) {
  process.stderr.write(`measuring ${workers} worker(s)…\n`);
  measurements.push(await measure(workers));
}
const [one, four] = measurements;
const speedup = one && four ? round(four.changesPerSecond / one.changesPerSecond) : 0;
const table = new Table({
  head: [
    'workers',
    'jobs at once each',
    'changes',
    'seconds',
    'changes/s',
    'first→last PATCH s',
    'requests',
    'load avg',
    'CPU s workers / sandbox',
  ],
});
for (const m of measurements) {
  table.push([
    m.workers,
    m.concurrencyPerWorker,
    m.changes,
    m.seconds,
    m.changesPerSecond,
    m.sandboxSeconds,
    m.requests,
    `${m.load[0]} → ${m.load[1]}`,
    m.cpuSeconds ? `${m.cpuSeconds.workers} / ${m.cpuSeconds.sandbox}` : 'n/a',
  ]);
}
process.stdout.write(
  `distributed apply throughput, sandbox latency ${LATENCY_MS} ms, no rate limit, ${ORDERS} orders\n${table.toString()}\n` +
    `4 workers / 1 worker: ${speedup}× (target ≥ 3×; the machine has ${cpus().length} cores)\n`,
);
writeResults('distributed', {
  latencyMs: LATENCY_MS,
  orders: ORDERS,
  measurements,
  speedup,
  target: 3,
  met: speedup >= 3,
});
