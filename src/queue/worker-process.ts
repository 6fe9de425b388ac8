import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { loadConfig } from '../config/load.ts';
import { ConfigError, describeError } from '../errors/index.ts';
import { createMetrics, type Metrics } from '../metrics/index.ts';
import type { ResilientConnection } from '../resilience/index.ts';
import { type CliContext, openContext } from '../runtime/context.ts';
import type { JobEvent } from './bullmq-queue.ts';
import { type QueueMetrics, registerQueueMetrics } from './queue-metrics.ts';
import { startRunSweeper } from './run-sweeper.ts';

export interface WorkerProcessOptions {
  configFile: string;
  /** Jobs run at once in this process. */
  concurrency: number;
  /** Serve /healthz and /metrics on this port (0: any free one); null: no HTTP server. */
  port: number | null;
  /** Address for /healthz and /metrics; default 127.0.0.1 (they carry no authentication). */
  host?: string;
  env?: NodeJS.ProcessEnv;
  /** One line per notable event (a job that failed or was given up, Redis down); default stderr. */
  log?: (line: string) => void;
  /**
   * How often this worker settles orphaned runs and publishes again the jobs Redis lost, as the
   * service does (`startRunSweeper`), so a deployment of workers alone recovers too. Default 30 s.
   */
  sweepIntervalMs?: number;
}

export interface RunningWorker {
  /** The worker's name in BullMQ: `<host>:<pid>`. */
  name: string;
  /** `http://host:port` of /healthz and /metrics, or null without a port. */
  url: string | null;
  /**
   * Graceful stop: takes no new job, waits up to `timeoutMs` for the running ones, then closes the
   * queue, the connections and the store. Jobs still running return to the queue when their lock
   * expires (another worker takes them; nothing is applied twice: claims, ledger, If-Match).
   */
  stop(timeoutMs: number): Promise<{ unfinished: number }>;
}

/** Longest a health check waits for the store or Redis. */
const HEALTH_TIMEOUT_MS = 2000;

/**
 * `erpbridge worker`: opens the configuration's store and queue, takes plan and apply jobs with at
 * most `concurrency` at once, relays the outbox, and serves its health and metrics.
 *
 * @throws ConfigError when the configuration has no `queue:` (a worker needs the distributed mode).
 */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<RunningWorker> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Checked before anything opens: a worker without a queue would only create an empty store.
  const configured = loadConfig(options.configFile, options.env ?? process.env);
  if (configured.config.queue === undefined) throw noQueue(configured.file);
  const name = `${hostname()}:${process.pid}`;
  let metrics: Metrics | null = null;
  let queueMetrics: QueueMetrics | null = null;
  const onJob = (event: JobEvent) => {
    queueMetrics?.jobEnded(event);
    if (event.outcome !== 'completed') {
      log(
        `${event.kind} job ${event.id} attempt ${event.attempt} ${event.outcome === 'failed' ? 'failed (it will be retried)' : 'was given up'}: ${event.error ?? ''}`,
      );
    }
  };
  const context: CliContext = await openContext({
    configFile: options.configFile,
    ...(options.env ? { env: options.env } : {}),
    actor: `worker:${name}`,
    onJob,
    onDistributedError: (error) => log(describeError(error)),
    onConnectorEvent: (event) => {
      if (event.kind === 'request') metrics?.observeConnectorLatency(event.connector, event.latencyMs / 1000);
    },
    onAiCall: (call) => metrics?.aiCall(call),
    onWriteOutcomes: (counts) => {
      for (const outcome of ['applied', 'conflict', 'failed'] as const) {
        const count = counts[outcome];
        if (count) metrics?.changeOutcome(outcome, count);
      }
    },
  });
  const queue = context.distributed?.queue ?? null;
  if (queue === null) {
    await context.close();
    throw noQueue(context.loaded.file);
  }
  const connections = await openConnections(context);
  metrics = createMetrics({
    runCounts: () => context.store.countRuns(),
    itemCounts: () => context.store.countItems(undefined),
    changeCounts: () => context.store.countChanges(undefined),
    approvalsWaiting: async () => (await context.store.countChanges(undefined)).pending ?? 0,
    connectors: () =>
      new Map([...connections].map(([connector, connection]) => [connector, connection.figures()])),
  });
  queue.startRelay();
  const worker = queue.work({ concurrency: options.concurrency, name });
  const sweeper = startRunSweeper(context.engine, {
    ...(options.sweepIntervalMs === undefined ? {} : { intervalMs: options.sweepIntervalMs }),
    warn: log,
  });
  queueMetrics = registerQueueMetrics(metrics.registry, {
    running: () => worker.active(),
    counts: () => queue.counts(),
    relay: () => queue.relayFigures(),
  });
  const server =
    options.port === null
      ? null
      : await serveHealth(options.port, options.host ?? '127.0.0.1', {
          metrics,
          health: async () => {
            const problems: string[] = [];
            await within(context.store.listRuns({ limit: 1 }), 'the store').catch((error: unknown) =>
              problems.push(describeError(error)),
            );
            await within(queue.ping(), 'Redis').catch((error: unknown) =>
              problems.push(describeError(error)),
            );
            return { problems, active: worker.active(), concurrency: options.concurrency, name };
          },
        });
  let stopping: Promise<{ unfinished: number }> | null = null;
  return {
    name,
    url: server ? urlOf(server, options.host ?? '127.0.0.1') : null,
    stop(timeoutMs) {
      stopping ??= (async () => {
        await sweeper.stop();
        const result = await worker.stop(timeoutMs);
        await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
        await context.close();
        return result;
      })();
      return stopping;
    },
  };
}

function noQueue(file: string): ConfigError {
  return new ConfigError(
    'erpbridge worker takes jobs from a queue: add `queue: redis://host:6379` (and a shared store, `store: postgres://…`)',
    { file, key: 'queue' },
  );
}

/** Opens every configured connector so /metrics shows them before the first job. */
async function openConnections(context: CliContext): Promise<Map<string, ResilientConnection>> {
  const connections = new Map<string, ResilientConnection>();
  for (const connector of Object.keys(context.loaded.config.connectors)) {
    // One that cannot open now is opened again by the job that needs it (and fails there, with its reason).
    const connection = await context.connect(connector).catch(() => null);
    if (connection) connections.set(connector, connection);
  }
  return connections;
}

interface HealthReport {
  problems: string[];
  active: number;
  concurrency: number;
  name: string;
}

/** /healthz (200 when the store and Redis answer, else 503 with the reasons) and /metrics. */
function serveHealth(
  port: number,
  host: string,
  sources: { metrics: Metrics; health: () => Promise<HealthReport> },
): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const answer = async () => {
      if (request.method === 'GET' && path === '/healthz') {
        const report = await sources.health();
        const healthy = report.problems.length === 0;
        response.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json; charset=utf-8' });
        response.end(
          JSON.stringify({
            status: healthy ? 'ok' : 'unhealthy',
            worker: report.name,
            jobsRunning: report.active,
            concurrency: report.concurrency,
            ...(healthy ? {} : { problems: report.problems }),
          }),
        );
        return;
      }
      if (request.method === 'GET' && path === '/metrics') {
        const text = await sources.metrics.render();
        response.writeHead(200, { 'content-type': sources.metrics.contentType });
        response.end(text);
        return;
      }
      response.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      response.end(
        JSON.stringify({ error: 'not_found', message: 'a worker serves GET /healthz and GET /metrics' }),
      );
    };
    answer().catch((error: unknown) => {
      if (!response.headersSent)
        response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify({ error: 'internal', message: describeError(error) }));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function urlOf(server: Server, host: string): string {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** `promise`, or a rejection naming `what` after HEALTH_TIMEOUT_MS. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what} did not answer within ${HEALTH_TIMEOUT_MS} ms`)),
          HEALTH_TIMEOUT_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
