import { randomUUID } from 'node:crypto';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { z } from 'zod';
import { deploymentTag, redisLocation } from '../distributed/redis-keys.ts';
import type { JobHandlerOptions, JobInfo, WorkQueue } from '../engine/work-queue.ts';
import { describeError } from '../errors/index.ts';
import type { OutboxJob, Store } from '../store/contract.ts';
import { createOutboxRelay, type RelayFigures } from './outbox-relay.ts';

/** The one BullMQ queue of a deployment; jobs are named by kind (`plan`, `apply`). */
export const QUEUE_NAME = 'jobs';

/**
 * Attempts and backoff per kind of job. Apply jobs are idempotent (claims, the ledger, If-Match,
 * Idempotency-Key), so they retry long enough to ride out a store or ERP outage of a quarter of an
 * hour (2 s doubling: ~17 min over 10 attempts); then their changes fail with dead letters. A plan
 * job resumes where it stopped, but a run that cannot plan three times is better failed and run
 * again by its next trigger.
 */
export const JOB_POLICIES: Readonly<Record<string, { attempts: number; backoffMs: number }>> = {
  plan: { attempts: 3, backoffMs: 5_000 },
  apply: { attempts: 10, backoffMs: 2_000 },
};
const DEFAULT_POLICY = { attempts: 5, backoffMs: 2_000 };

/** A job whose worker died this many times running it is given up (it may be what kills them). */
export const MAX_STALLS = 3;

/** Completed jobs stay this long, so a relay re-publishing a row finds the id taken (BullMQ dedupes by id). */
const KEEP_COMPLETED_SECONDS = 24 * 3600;
const KEEP_FAILED_SECONDS = 7 * 24 * 3600;

export interface DistributedQueueOptions {
  /** `redis://…` from `queue:` in erpbridge.yaml. */
  redisUrl: string;
  /** The deployment's prefix: keys are `erpbridge:{<prefix>}:jobs:…`, beside the ERP budget's. */
  prefix: string;
  /** The store whose outbox the relay publishes. */
  store: Store;
  /** See `QueueConfig`. Default 10 000 ms. */
  lockDurationMs?: number;
  /** See `QueueConfig`. Default 2 000 ms. */
  stalledIntervalMs?: number;
  /** Told of background failures (Redis unreachable, a relay round that failed). Default: a process warning. */
  onError?: (error: Error) => void;
  /** Told of every job this process ran, for metrics and logs. */
  onJob?: (event: JobEvent) => void;
  /** Attempts and backoff by kind, over {@link JOB_POLICIES} (tests shorten them). */
  policies?: Readonly<Record<string, { attempts: number; backoffMs: number }>>;
}

/** One job this process ran. */
export interface JobEvent {
  kind: string;
  id: string;
  attempt: number;
  /** `completed`; `failed` (BullMQ retries it); `gave-up` (its last attempt failed, or it stalled too often). */
  outcome: 'completed' | 'failed' | 'gave-up';
  seconds: number;
  error: string | null;
}

/** A BullMQ worker in this process: takes jobs until stopped. */
export interface QueueWorker {
  /** Jobs running in this process now. */
  active(): number;
  /**
   * Graceful stop: takes no new job, waits up to `timeoutMs` for the running ones, then closes.
   * Jobs still running then are left to their lock: it expires and another worker takes them
   * (BullMQ's stalled check), as after a crash — never two processes at once.
   */
  stop(timeoutMs: number): Promise<{ unfinished: number }>;
}

/** The distributed {@link WorkQueue}: the store's outbox, relayed to BullMQ on Redis, run by workers. */
export interface DistributedQueue extends WorkQueue {
  readonly distributed: true;
  /** Starts taking jobs in this process with at most `concurrency` at once (a worker). */
  work(options: { concurrency: number; name?: string }): QueueWorker;
  /** Polls the outbox every `intervalMs` (the service and workers do; a CLI command flushes). */
  startRelay(intervalMs?: number): void;
  /** Jobs per BullMQ state (waiting, active, delayed, failed, …). */
  counts(): Promise<Record<string, number>>;
  /** Resolves when Redis answers; rejects otherwise. */
  ping(): Promise<void>;
  relayFigures(): RelayFigures;
}

/** A job checked against its kind's schema, ready to run; or what is wrong with it. */
type Prepared =
  | { run(info: JobInfo): Promise<void>; giveUp(error: unknown): Promise<void> }
  | { problem: string };

interface Registered {
  prepare(data: unknown): Prepared;
}

/**
 * The distributed queue. Jobs are rows the engine commits with their state (the store's outbox);
 * the relay publishes them to BullMQ with the row's id as job id, so a row published twice is one
 * job; workers (`work`) run them with BullMQ's locks, retries and stalled-job recovery.
 * Connections to Redis open on first use.
 *
 * @example
 *   const queue = createDistributedQueue({ redisUrl: 'redis://127.0.0.1:6379', prefix: 'prod', store });
 *   const engine = new Engine({ ...deps, queue }); // registers its job handlers
 *   queue.startRelay();
 *   const worker = queue.work({ concurrency: 4 });
 *   // on SIGTERM:
 *   await worker.stop(30_000);
 *   await queue.close();
 */
export function createDistributedQueue(options: DistributedQueueOptions): DistributedQueue {
  const { redisUrl, store } = options;
  const location = redisLocation(redisUrl);
  const prefix = deploymentTag(options.prefix);
  const lockDuration = options.lockDurationMs ?? 10_000;
  const stalledInterval = options.stalledIntervalMs ?? 2_000;
  const onError = options.onError ?? ((error: Error) => process.emitWarning(error.message));
  const handlers = new Map<string, Registered>();
  const workers: { worker: Worker; redis: Redis }[] = [];
  /** Ids added through `add`, for `drain`. */
  const added = new Set<string>();
  let producer: { redis: Redis; queue: Queue } | null = null;
  let relayTimer = false;
  let closed = false;
  let outage = false;

  const reportRedis = (error: Error) => {
    // ioredis reconnects on its own: one report per outage, not one per attempt.
    if (outage) return;
    outage = true;
    onError(new Error(`Redis at ${location} (job queue) failed: ${describeError(error)}; reconnecting`));
  };
  const connect = (name: string, forWorker: boolean): Redis => {
    const redis = new Redis(redisUrl, {
      connectionName: `erpbridge-${name}`,
      // A worker's blocking connection must wait through outages; the producer fails fast so the
      // relay's round ends and the rows wait in the outbox.
      maxRetriesPerRequest: forWorker ? null : 2,
    });
    redis.on('error', reportRedis);
    redis.on('ready', () => {
      outage = false;
    });
    return redis;
  };
  const opened = () => {
    if (closed) throw new Error('the job queue is closed');
    if (producer === null) {
      const redis = connect('producer', false);
      const queue = new Queue(QUEUE_NAME, { connection: redis, prefix });
      queue.on('error', reportRedis);
      producer = { redis, queue };
    }
    return producer.queue;
  };

  const publish = async (jobs: readonly OutboxJob[]): Promise<void> => {
    await opened().addBulk(
      jobs.map((job) => {
        const policy = options.policies?.[job.kind] ?? JOB_POLICIES[job.kind] ?? DEFAULT_POLICY;
        return {
          name: job.kind,
          data: job.payload,
          opts: {
            jobId: job.id,
            attempts: policy.attempts,
            backoff: { type: 'exponential', delay: policy.backoffMs },
            removeOnComplete: { age: KEEP_COMPLETED_SECONDS },
            removeOnFail: { age: KEEP_FAILED_SECONDS },
          },
        };
      }),
    );
  };
  const relay = createOutboxRelay({ store, publish, onError });

  const giveUp = async (
    kind: string,
    prepared: { giveUp(error: unknown): Promise<void> },
    error: unknown,
  ) => {
    try {
      await prepared.giveUp(error);
    } catch (giveUpError) {
      onError(
        new Error(
          `could not record that a ${kind} job was given up (${describeError(error)}): ${describeError(giveUpError)}`,
        ),
      );
    }
  };

  const runJob = async (job: Job): Promise<void> => {
    const started = performance.now();
    const id = job.id ?? '(no id)';
    const attempt = job.attemptsMade + 1;
    const report = (outcome: JobEvent['outcome'], error: unknown = null) =>
      options.onJob?.({
        kind: job.name,
        id,
        attempt,
        outcome,
        seconds: (performance.now() - started) / 1000,
        error: error === null ? null : describeError(error),
      });
    const registered = handlers.get(job.name);
    if (!registered) {
      const error = new UnrecoverableError(`no handler for jobs of kind "${job.name}" in this worker`);
      report('gave-up', error);
      throw error;
    }
    const prepared = registered.prepare(job.data);
    if ('problem' in prepared) {
      const error = new UnrecoverableError(
        `job ${id} (${job.name}) does not match its kind's schema: ${prepared.problem}`,
      );
      report('gave-up', error);
      throw error;
    }
    if (job.stalledCounter >= MAX_STALLS) {
      const error = new UnrecoverableError(
        `job ${id} (${job.name}) stalled ${job.stalledCounter} times: the workers running it died or lost its lock`,
      );
      await giveUp(job.name, prepared, error);
      report('gave-up', error);
      throw error;
    }
    try {
      await prepared.run({ id, attempt });
      report('completed');
    } catch (error) {
      const last = attempt >= (job.opts.attempts ?? 1);
      if (last) await giveUp(job.name, prepared, error);
      report(last ? 'gave-up' : 'failed', error);
      throw error;
    }
  };

  const drain = async (): Promise<void> => {
    const queue = opened();
    const seen = new Set<string>();
    let failure: Error | null = null;
    while (added.size > 0) {
      await relay.flush();
      for (const id of [...added]) {
        const state = await queue.getJobState(id);
        if (state === 'completed' || (state === 'unknown' && seen.has(id))) added.delete(id);
        else if (state === 'failed') {
          added.delete(id);
          const job = await queue.getJob(id);
          failure ??= new Error(`job ${id} failed: ${job?.failedReason ?? 'unknown reason'}`);
        } else if (state !== 'unknown') seen.add(id);
      }
      if (added.size > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (failure) throw failure;
  };

  return {
    distributed: true,
    handle(kind, schema, handler, handlerOptions?: JobHandlerOptions<z.infer<typeof schema>>) {
      if (handlers.has(kind)) throw new Error(`a handler for jobs of kind "${kind}" is already registered`);
      handlers.set(kind, {
        prepare(data) {
          const parsed = schema.safeParse(data);
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            return { problem: `${issue?.path.join('.') || '(job)'}: ${issue?.message ?? 'invalid'}` };
          }
          const job = parsed.data;
          return {
            run: (info) => handler(job, info),
            giveUp: async (error) => handlerOptions?.onGiveUp?.(job, error),
          };
        },
      });
    },
    async add(kind, jobs) {
      const createdAt = new Date().toISOString();
      const rows = jobs.map((payload) => ({ id: `${kind}-${randomUUID()}`, kind, payload, createdAt }));
      await store.addOutboxJobs(rows);
      for (const row of rows) added.add(row.id);
      await relay.flush();
    },
    drain,
    flush: () => relay.flush(),
    async missing(ids) {
      const queue = opened();
      const states = await Promise.all(ids.map((id) => queue.getJobState(id)));
      return ids.filter((_id, i) => states[i] === 'unknown');
    },
    startRelay(intervalMs = 1000) {
      if (relayTimer) return;
      relayTimer = true;
      relay.start(intervalMs);
      void relay.flush();
    },
    work({ concurrency, name }) {
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
        throw new RangeError(`worker concurrency must be a whole number from 1 to 256, got ${concurrency}`);
      }
      if (closed) throw new Error('the job queue is closed');
      const redis = connect('worker', true);
      const running = new Set<Promise<void>>();
      const tracked = (job: Job) => {
        const work = runJob(job);
        const settled = work.then(
          () => undefined,
          () => undefined,
        );
        running.add(settled);
        void settled.finally(() => running.delete(settled));
        return work;
      };
      const worker = new Worker(QUEUE_NAME, tracked, {
        connection: redis,
        prefix,
        concurrency,
        lockDuration,
        stalledInterval,
        // BullMQ would fail a job after this many stalls without telling its handler; ours gives up first.
        maxStalledCount: MAX_STALLS + 1,
        ...(name === undefined ? {} : { name }),
      });
      worker.on('error', reportRedis);
      workers.push({ worker, redis });
      return {
        active: () => running.size,
        async stop(timeoutMs) {
          // Take no new job; BullMQ's close() would wait for the running ones without a bound.
          await worker.pause(true);
          let timer: NodeJS.Timeout | undefined;
          const timedOut = new Promise<'timeout'>((resolve) => {
            timer = setTimeout(() => resolve('timeout'), timeoutMs);
          });
          try {
            const ended = await Promise.race([
              Promise.allSettled([...running]).then(() => 'idle' as const),
              timedOut,
            ]);
            const unfinished = ended === 'idle' ? 0 : running.size;
            // Force: stop renewing the locks of what still runs; they expire and another worker
            // takes those jobs, after this process has exited.
            await worker.close(unfinished > 0);
            return { unfinished };
          } finally {
            clearTimeout(timer);
          }
        },
      };
    },
    async counts() {
      return opened().getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed');
    },
    async ping() {
      opened();
      await producer?.redis.ping();
    },
    relayFigures: () => relay.figures(),
    async close() {
      if (closed) return;
      await relay.stop();
      closed = true;
      await Promise.all(workers.map(({ worker }) => worker.close()));
      await Promise.all(workers.map(({ redis }) => redis.quit().catch(() => redis.disconnect())));
      if (producer !== null) {
        await producer.queue.close();
        await producer.redis.quit().catch(() => producer?.redis.disconnect());
      }
    },
  };
}
