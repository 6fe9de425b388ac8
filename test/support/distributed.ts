/**
 * The distributed runner's acceptance tests share this: the machine's real PostgreSQL (a schema of
 * their own) and Redis (a key prefix of their own), the sandbox ERP as its own process, an
 * erpbridge.yaml for the deployment, and `erpbridge worker` child processes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import pg from 'pg';
import { type SandboxProcess, startSandboxProcess } from '../../bench/sandbox-process.ts';
import { ensureBuilt } from '../../scripts/build.mjs';
import { probeServer, TEST_SERVER_URLS, uniqueSchema } from '../../src/connectors/sql/test-databases.ts';
import { dropPrefix, probeRedis, TEST_REDIS_URL, uniquePrefix } from '../../src/distributed/test-redis.ts';
import { awaitRun } from '../../src/engine/await-run.ts';
import { isRunGoing, type Run } from '../../src/engine/run.ts';
import { type CliContext, openContext } from '../../src/runtime/context.ts';
import { type LoggedRequest, PROJECT_ROOT } from './harness.ts';

/** Why the distributed tests cannot run here (PostgreSQL or Redis absent), or null. Under CI=true an absent service throws. */
export async function distributedUnavailable(): Promise<string | null> {
  const postgres = await probeServer('postgres');
  if (!postgres.available) return postgres.reason;
  const redis = await probeRedis();
  if (!redis.available) return redis.reason;
  return null;
}

/** The workflow a test runs, as YAML under `workflows.po-urgency`. */
export interface WorkflowOptions {
  /** Labels written (the more, the more changes). */
  labels: string[];
  policy: 'auto' | 'review';
  /** Every change is approved by policy when 0. */
  minConfidence?: number;
  /** A cron schedule (seconds allowed) that fires the workflow as a dry run, for the leader test. */
  schedule?: string;
}

export interface DeploymentOptions {
  name: string;
  orders: number;
  history: number;
  workflow: WorkflowOptions;
  /** The connector's shared rate limit; null for none. */
  requestsPerSecond: number | null;
  /** The connector's shared in-flight limit. Default 16. */
  maxInFlight?: number;
  /** The store: the machine's PostgreSQL (default), or a SQLite file (the embedded comparison). */
  store?: 'postgres' | 'sqlite';
  /** false: no `queue:` (the embedded mode). Default true. */
  queue?: boolean;
  /** Share this sandbox instead of starting one. */
  sandbox?: SandboxProcess;
}

/** A deployment for one test: config, PostgreSQL schema, Redis prefix, sandbox. */
export interface Deployment {
  sandbox: SandboxProcess;
  configFile: string;
  dir: string;
  schema: string;
  prefix: string;
  env: NodeJS.ProcessEnv;
  /** Opens the deployment as a process does (the test plays the service: runs, approvals). */
  open(): Promise<CliContext>;
  /**
   * Starts `erpbridge worker` as a child process and waits until it takes jobs; `sweepSeconds`
   * is its `--sweep-interval` (default the worker's own, 30 s).
   */
  startWorker(options?: { concurrency?: number; sweepSeconds?: number }): Promise<WorkerProcess>;
  /** Stops what is still running, drops the schema and the Redis keys. */
  cleanup(): Promise<void>;
}

export interface WorkerProcess {
  pid: number;
  /** `http://127.0.0.1:port` of its /healthz and /metrics. */
  url: string;
  child: ChildProcess;
  /** Everything it wrote so far. */
  output(): { stdout: string; stderr: string };
  /** Sends a signal and waits for the exit. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every child process started here, killed at cleanup whatever happened. */
const children = new Set<ChildProcess>();

export async function startDeployment(options: DeploymentOptions): Promise<Deployment> {
  await ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), `erpbridge-${options.name}-`));
  const schema = uniqueSchema(options.name.replace(/[^a-z]/g, ''));
  const prefix = uniquePrefix(options.name);
  const ownSandbox = options.sandbox === undefined;
  const sandbox =
    options.sandbox ??
    (await startSandboxProcess({
      root: PROJECT_ROOT,
      dataDir: join(dir, 'sandbox'),
      orders: options.orders,
      history: options.history,
      today: '2026-11-02',
    }));
  const configFile = join(dir, 'erpbridge.yaml');
  writeFileSync(configFile, configText(options, { schema, prefix, dir }));
  const env = { ...process.env, SANDBOX_URL: sandbox.url, SANDBOX_API_KEY: sandbox.apiKey };
  const workers = new Set<WorkerProcess>();
  return {
    sandbox,
    configFile,
    dir,
    schema,
    prefix,
    env,
    open: () => openContext({ configFile, env, actor: 'test-service' }),
    async startWorker(workerOptions = {}) {
      // Build here, once, so the children (bin/erpbridge.mjs rebuilds a stale bundle) never build at once.
      await ensureBuilt();
      const worker = await spawnWorker(
        configFile,
        env,
        workerOptions.concurrency ?? 2,
        workerOptions.sweepSeconds,
      );
      workers.add(worker);
      return worker;
    },
    async cleanup() {
      for (const worker of workers) {
        if (worker.child.exitCode === null && worker.child.signalCode === null) await worker.stop('SIGKILL');
      }
      if (ownSandbox) await sandbox.stop();
      if (options.store !== 'sqlite') await dropSchema(schema);
      const redis = new Redis(TEST_REDIS_URL);
      await dropPrefix(redis, prefix);
      await redis.quit();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function configText(
  options: DeploymentOptions,
  where: { schema: string; prefix: string; dir: string },
): string {
  const { workflow } = options;
  const store =
    options.store === 'sqlite'
      ? `{ kind: sqlite, path: ${join(where.dir, 'erpbridge.sqlite')} }`
      : `{ kind: postgres, url: "${TEST_SERVER_URLS.postgres}", schema: ${where.schema}, poolSize: 4 }`;
  const rateLimit =
    options.requestsPerSecond === null
      ? `{ maxInFlight: ${options.maxInFlight ?? 16} }`
      : `{ requestsPerSecond: ${options.requestsPerSecond}, burst: 1, maxInFlight: ${options.maxInFlight ?? 16} }`;
  return `version: 1
store: ${store}
${options.queue === false ? '' : `queue: { url: "${TEST_REDIS_URL}", prefix: ${where.prefix} }`}
connectors:
  sandbox:
    kind: rest
    baseUrl: \${SANDBOX_URL}
    timeoutMs: 10000
    concurrency: 64
    auth: { kind: bearer, token: "\${SANDBOX_API_KEY}" }
    pagination: { style: page, pageParam: page, sizeParam: page_size, pageSize: 500, itemsPath: data, totalPath: total }
    entities:
      purchase_orders: { path: /api/purchase_orders, keyField: po_number, versionField: updated_at, write: { method: PATCH } }
      suppliers: { path: /api/suppliers, keyField: supplier_id }
    resilience:
      rateLimit: ${rateLimit}
ai: { provider: embedded }
workflows:
  po-urgency:
    connector: sandbox
    profile: sandbox
    task: po-urgency
    source: { filter: { status: open } }
    history: { filter: { status: closed } }
    write: { field: priority, labels: [${workflow.labels.join(', ')}] }
    policy: { mode: ${workflow.policy}, minConfidence: ${workflow.minConfidence ?? 0}, maxChangesPerRun: 100000 }
    batchSize: 500
    applyConcurrency: 8
${workflow.schedule ? `    triggers: { schedule: { cron: "${workflow.schedule}", dryRun: true } }\n` : ''}`;
}

async function spawnWorker(
  configFile: string,
  env: NodeJS.ProcessEnv,
  concurrency: number,
  sweepSeconds: number | undefined,
): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [
      join(PROJECT_ROOT, 'bin/erpbridge.mjs'),
      '--config',
      configFile,
      'worker',
      '--concurrency',
      String(concurrency),
      '--port',
      '0',
      '--shutdown-timeout',
      '20',
      ...(sweepSeconds === undefined ? [] : ['--sweep-interval', String(sweepSeconds)]),
    ],
    { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const timer = setTimeout(() => reject(new Error(`worker did not start within 60 s: ${stderr}`)), 60_000);
    lines.on('line', (line) => {
      stdout += `${line}\n`;
      const match = /health: (http:\/\/\S+)\/healthz/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before starting: ${stderr}`));
    });
  });
  return {
    pid: child.pid ?? -1,
    url,
    child,
    output: () => ({ stdout, stderr }),
    async stop(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      return exited;
    },
  };
}

/** Starts `count` workers one after the other (`concurrency` jobs at once each, default 2). */
export async function startWorkers(
  deployment: Deployment,
  count: number,
  concurrency = 2,
): Promise<WorkerProcess[]> {
  const workers: WorkerProcess[] = [];
  for (let n = 0; n < count; n++) workers.push(await deployment.startWorker({ concurrency }));
  return workers;
}

/** Kills every child process still running (an afterAll safety net). */
export function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_SERVER_URLS.postgres });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

/** One `/api` request as the sandbox logged it, with what the tests count. */
export interface SandboxRequest extends LoggedRequest {
  at: string;
}

/** The sandbox's whole request log, oldest first (paged by id). */
export async function sandboxRequests(sandbox: SandboxProcess): Promise<SandboxRequest[]> {
  const all: SandboxRequest[] = [];
  let since = 0;
  for (;;) {
    const response = await fetch(`${sandbox.url}/_sandbox/requests?since=${since}`);
    const body = (await response.json()) as { requests: SandboxRequest[] };
    const page = body.requests.filter((request) => request.id > since);
    if (page.length === 0) return all;
    all.push(...page);
    since = page.at(-1)?.id ?? since;
  }
}

/** Requests per whole second of arrival, by the second's start (ms since the epoch). */
export function requestsPerSecond(requests: readonly SandboxRequest[]): Map<number, number> {
  const windows = new Map<number, number>();
  for (const request of requests) {
    const second = Math.floor(Date.parse(request.at) / 1000) * 1000;
    windows.set(second, (windows.get(second) ?? 0) + 1);
  }
  return windows;
}

/** The most requests that arrived in any sliding 1-s window (a stricter check than whole seconds). */
export function peakSlidingSecond(requests: readonly SandboxRequest[]): number {
  const times = requests.map((request) => Date.parse(request.at)).sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] ?? 0) - (times[start] ?? 0) >= 1000) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

/** Polls the store until the run has ended (not running, not applying). */
export async function settled(context: CliContext, runId: string, timeoutMs: number): Promise<Run> {
  const run = await awaitRun(context.store, runId, { timeoutMs, pollMs: 250 });
  if (!isRunGoing(run)) return run;
  const counts = await context.store.countChanges(runId);
  throw new Error(`run ${runId} still ${run.state} after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
}
