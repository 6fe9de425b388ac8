import { join, resolve } from 'node:path';
import type { LoggerOptions } from 'pino';
import { type Sandbox, startSandbox } from '../../sandbox/index.ts';
import { packageRoot } from '../cli/package-root.ts';
import { ConfigError, describeError } from '../errors/index.ts';
import { createMetrics, type Metrics, type MetricsSources } from '../metrics/index.ts';
import { startRunSweeper } from '../queue/run-sweeper.ts';
import type { ResilientConnection } from '../resilience/index.ts';
import { type CliContext, openContext } from '../runtime/context.ts';
import type { Role, Store } from '../store/contract.ts';
import { createScheduler } from '../triggers/index.ts';
import { buildServiceApp } from './app.ts';
import { createApiToken, saveUser } from './auth/access.ts';
import { housekeepingInterval, startHousekeeping } from './housekeeping.ts';
import { backgroundFailure, RunManager } from './run-manager.ts';

export type { Role };

export interface ServiceOptions {
  /** The erpbridge.yaml to serve. */
  configFile: string;
  /** Where the service keeps its state: `<dataDir>/erpbridge.sqlite` (and the sandbox's, with `sandbox`). */
  dataDir: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Also run the bundled sandbox ERP on `dataDir` (the demo's), and point `SANDBOX_URL` and
   * `SANDBOX_API_KEY` at it. Default false.
   */
  sandbox?: boolean;
  /** pino level: `info` by default; `silent` for tests. */
  logLevel?: string;
  /** Serve the console from here; default the package's dist/web. */
  webDir?: string | null;
  /**
   * Require the distributed mode (`queue:` in the config): runs are planned and applied by
   * `erpbridge worker` processes, schedules fire on one service instance (a Redis leader lease),
   * and a sweeper settles runs whose last job's process died. A config with `queue:` is served
   * distributed either way; this makes a config without one an error instead of embedded.
   */
  distributed?: boolean;
  /**
   * Between housekeeping passes (published outbox rows past `store.outboxRetentionDays`, expired
   * sessions); default one hour. The first pass runs a minute after start, or after one interval
   * when that is shorter. Tests set a few milliseconds instead of waiting an hour.
   */
  housekeepingIntervalMs?: number;
}

export interface RunningService {
  /** `http://host:port`, no trailing slash. */
  url: string;
  /** The sandbox ERP's URL when the service runs it. */
  sandboxUrl: string | null;
  /** Whether runs go to workers (`queue:` in the config). */
  distributed: boolean;
  /** Stops taking requests, waits for runs in flight, closes the store and the sandbox. */
  close(): Promise<void>;
}

/** Secrets and other headers that must never reach a log line. */
const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["x-erpbridge-signature"]',
  'res.headers["set-cookie"]',
];

/** Starts the HTTP service (API, console, triggers) on a config and a data directory. */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const housekeepingIntervalMs = housekeepingInterval(options.housekeepingIntervalMs);
  let sandbox: Sandbox | null = null;
  let env = options.env ?? process.env;
  if (options.sandbox) {
    sandbox = await startSandbox({ dataDir: options.dataDir, port: 0, logRequests: false });
    env = { ...env, SANDBOX_URL: sandbox.url, SANDBOX_API_KEY: sandbox.apiKey };
  }
  let context: CliContext | null = null;
  // Set once the context exists; the callbacks below only fire after that.
  let metrics: Metrics | null = null;
  try {
    context = await openContext({
      configFile: options.configFile,
      env,
      storePath: join(resolve(options.dataDir), 'erpbridge.sqlite'),
      actor: 'erpbridge-service',
      onConnectorEvent: (event) => {
        if (event.kind === 'request')
          metrics?.observeConnectorLatency(event.connector, event.latencyMs / 1000);
      },
      onAiCall: (call) => metrics?.aiCall(call),
      onWriteOutcomes: (counts) => {
        for (const outcome of ['applied', 'conflict', 'failed'] as const) {
          const count = counts[outcome];
          if (count) metrics?.changeOutcome(outcome, count);
        }
      },
    });
    const openedContext = context;
    const distributed = context.distributed;
    if (options.distributed && distributed === null) {
      throw new ConfigError(
        'serve --distributed needs `queue: redis://host:6379` (and a shared store, `store: postgres://…`)',
        { file: context.loaded.file, key: 'queue' },
      );
    }
    const connections = await openConnections(context);
    const logger: LoggerOptions = {
      level: options.logLevel ?? 'info',
      redact: { paths: REDACTED, censor: '[redacted]' },
    };
    const created = createMetrics(storeSources(context.store, connections), {
      onSourceError: (source, error) =>
        app.log.warn({ source, err: describeError(error) }, 'a metrics source failed'),
    });
    metrics = created;
    const runs = new RunManager(context, {
      onError: (workflow, error) => logBackgroundFailure(app, workflow, error),
      onStarted: (workflow, trigger) => created.runStarted(workflow, trigger),
    });
    const schedulerOptions = {
      schedules: Object.entries(context.loaded.config.workflows).flatMap(([workflow, config]) => {
        const schedule = config.triggers?.schedule;
        if (!schedule) return [];
        return [
          { workflow, cron: schedule.cron, ...(schedule.timezone ? { timezone: schedule.timezone } : {}) },
        ];
      }),
      fire: async (workflow: string) => {
        // A person's run or an apply of the same workflow is going on: this tick waits for the next.
        if (runs.busy(workflow)) return;
        const dryRun = openedContext.loaded.config.workflows[workflow]?.triggers?.schedule?.dryRun ?? false;
        const run = await runs.start({ workflow, dryRun, requestedBy: 'schedule', trigger: 'schedule' });
        await openedContext.audit.record('trigger.schedule', run.id, { workflow }, 'schedule');
        await runs.finished(workflow);
      },
    };
    const onScheduleError = (workflow: string | undefined, error: unknown) =>
      workflow === undefined
        ? app.log.error({ err: describeError(error) }, 'leader scheduler')
        : logBackgroundFailure(app, workflow, error);
    // Distributed: every service instance runs one; only the holder of the Redis lease fires.
    const scheduler =
      distributed === null
        ? createScheduler({ ...schedulerOptions, onError: onScheduleError })
        : (await import('../distributed/index.ts')).createLeaderScheduler({
            ...schedulerOptions,
            redis: distributed.budget().redis,
            prefix: context.loaded.config.queue?.prefix ?? 'default',
            onError: onScheduleError,
          });
    const app = await buildServiceApp(
      {
        context,
        runs,
        webDir: options.webDir === undefined ? join(packageRoot(), 'dist/web') : options.webDir,
        secureCookies: false,
        metrics: created,
        nextScheduled: (workflow) => scheduler.next(workflow),
      },
      { logger },
    );
    await app.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1' });
    scheduler.start();
    // Distributed: publish outbox rows left by a process that died before it could, settle the
    // runs whose last job ended in a process that died before it could finish them, and publish
    // again the jobs of unfinished runs that Redis lost.
    distributed?.queue.startRelay();
    const sweeper =
      distributed === null
        ? null
        : startRunSweeper(openedContext.engine, {
            warn: (message) => app.log.warn(message),
          });
    // Both modes: the outbox (distributed) and sessions (console) would otherwise grow forever.
    const housekeeping = startHousekeeping({
      store: openedContext.store,
      outboxRetentionDays: openedContext.loaded.config.store.outboxRetentionDays,
      log: app.log,
      intervalMs: housekeepingIntervalMs,
    });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const host = options.host ?? '127.0.0.1';
    return {
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      sandboxUrl: sandbox?.url ?? null,
      distributed: distributed !== null,
      async close() {
        await sweeper?.stop();
        await housekeeping.stop();
        await scheduler.stop();
        await app.close();
        await runs.idle();
        await openedContext.close();
        await sandbox?.close();
      },
    };
  } catch (error) {
    await context?.close();
    await sandbox?.close();
    throw error;
  }
}

/** A credential to create without the HTTP API (the CLI, tests, the demo). */
export type CredentialRequest =
  | { kind: 'token'; name: string; role: Role }
  | { kind: 'user'; name: string; role: Role; password: string };

/**
 * Creates an API token or a console user in a data directory's store. Returns the token's secret,
 * which is shown once and stored only as a hash.
 */
export async function createCredential(
  options: { configFile: string; dataDir: string; env?: NodeJS.ProcessEnv; by?: string },
  credential: CredentialRequest,
): Promise<{ token?: string }> {
  const context = await openContext({
    configFile: options.configFile,
    env: options.env ?? process.env,
    storePath: join(resolve(options.dataDir), 'erpbridge.sqlite'),
  });
  try {
    const by = options.by ?? 'erpbridge-cli';
    if (credential.kind === 'token') {
      const { token } = await createApiToken(context.store, context.audit, {
        name: credential.name,
        role: credential.role,
        createdBy: by,
      });
      return { token };
    }
    await saveUser(context.store, context.audit, { ...credential, savedBy: by });
    return {};
  } finally {
    await context.close();
  }
}

/** Opens every configured connector, so health and metrics see them before the first run. */
async function openConnections(context: CliContext): Promise<Map<string, ResilientConnection>> {
  const connections = new Map<string, ResilientConnection>();
  for (const name of Object.keys(context.loaded.config.connectors)) {
    // A connector that cannot open now is reported by /api/connectors; the service still starts.
    const connection = await context.connect(name).catch(() => null);
    if (connection) connections.set(name, connection);
  }
  return connections;
}

/** What /metrics reads at scrape time: the store's counts and the connectors' figures. */
function storeSources(store: Store, connections: Map<string, ResilientConnection>): MetricsSources {
  return {
    runCounts: () => store.countRuns(),
    itemCounts: () => store.countItems(undefined),
    changeCounts: () => store.countChanges(undefined),
    approvalsWaiting: async () => (await store.countChanges(undefined)).pending ?? 0,
    connectors: () => new Map([...connections].map(([name, connection]) => [name, connection.figures()])),
  };
}

/**
 * Logs a run that failed in the background. Such a run may end after the service has closed and
 * its logger with it; the line then goes to stderr instead of being lost or throwing.
 */
function logBackgroundFailure(
  app: { log: { error(object: object, message: string): void } },
  workflow: string,
  error: unknown,
): void {
  try {
    app.log.error({ workflow, err: describeError(error) }, backgroundFailure(workflow, error));
  } catch {
    process.stderr.write(`${backgroundFailure(workflow, error)}\n`);
  }
}
