import type { z } from 'zod';

/**
 * Where the engine's units of work go. Embedded, they run in this process (`createLocalQueue`);
 * distributed, a queue backed by Redis (BullMQ) hands the same jobs to workers on other machines.
 * Jobs are plain JSON, so they can travel; handlers are registered by kind in every process that
 * works, because functions cannot travel, and each job is checked against its kind's schema
 * before its handler sees it, as it would be after crossing a network.
 */
export interface WorkQueue {
  /**
   * False: jobs run in this process and `drain` waits for them. True (distributed): jobs are rows
   * the engine commits with the state they act on (the store's transactional outbox), a relay
   * publishes them, workers anywhere run them, and whichever process ends a run's last job
   * finishes the run; the engine then never waits on `drain`.
   */
  readonly distributed: boolean;
  /** Registers the handler for a kind of job. One handler per kind. */
  handle<Schema extends z.ZodType>(
    kind: string,
    schema: Schema,
    handler: (job: z.infer<Schema>, info: JobInfo) => Promise<void>,
    options?: JobHandlerOptions<z.infer<Schema>>,
  ): void;
  /** Adds jobs of a kind; they start as workers are free. */
  add<Job>(kind: string, jobs: readonly Job[]): Promise<void>;
  /** Resolves when every job added so far has finished; rejects with the first failure, after the others settle. */
  drain(): Promise<void>;
  close(): Promise<void>;
  /**
   * Distributed: publishes the outbox rows committed so far now, instead of at the relay's next
   * poll. Never rejects: rows it could not publish stay in the outbox for the next try.
   */
  flush?(): Promise<void>;
  /**
   * Distributed: of these published job ids, those the queue holds in no state — lost with
   * Redis's data (a restart without persistence, a flush), or removed a day after they ended.
   * The engine publishes them again (`Engine.recoverLostJobs`); every job is safe to run twice.
   */
  missing?(ids: readonly string[]): Promise<string[]>;
}

/** What a handler learns about the job it runs. */
export interface JobInfo {
  /** Distributed: the job's outbox id, the same for every attempt. Locally: a per-queue counter. */
  id: string;
  /** 1 for the first attempt. */
  attempt: number;
}

export interface JobHandlerOptions<Job> {
  /**
   * Distributed: called once when the queue gives a job up for good (its attempts used up, or
   * stalled too often), so its state does not wait forever. Locally the failure reaches `drain`.
   */
  onGiveUp?(job: Job, error: unknown): Promise<void>;
}

/** The embedded queue: jobs run in this process, at most `concurrency` at once, in the order added. */
export function createLocalQueue(options: { concurrency?: number } = {}): WorkQueue {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`queue concurrency must be a whole number ≥ 1, got ${concurrency}`);
  }
  const handlers = new Map<string, (job: unknown, info: JobInfo) => Promise<void>>();
  let started = 0;
  const waiting: { kind: string; job: unknown }[] = [];
  let running = 0;
  let failure: { error: unknown } | null = null;
  let idle: (() => void)[] = [];
  let closed = false;

  const settle = () => {
    if (running > 0 || waiting.length > 0) return;
    const resolvers = idle;
    idle = [];
    for (const resolve of resolvers) resolve();
  };

  const pump = () => {
    while (running < concurrency && waiting.length > 0 && failure === null) {
      const next = waiting.shift();
      if (!next) break;
      const handler = handlers.get(next.kind);
      running++;
      started++;
      const work = handler
        ? handler(next.job, { id: `local-${started}`, attempt: 1 })
        : Promise.reject(new Error(`no handler for jobs of kind "${next.kind}"`));
      work
        .catch((error: unknown) => {
          failure ??= { error };
          // After a failure nothing new starts; what waits is dropped and drain() reports it.
          waiting.length = 0;
        })
        .finally(() => {
          running--;
          pump();
          settle();
        });
    }
  };

  return {
    distributed: false,
    handle(kind, schema, handler) {
      if (handlers.has(kind)) throw new Error(`a handler for jobs of kind "${kind}" is already registered`);
      handlers.set(kind, async (job, info) => handler(schema.parse(job), info));
    },
    async add(kind, jobs) {
      if (closed) throw new Error('the queue is closed');
      for (const job of jobs) waiting.push({ kind, job });
      pump();
    },
    drain() {
      return new Promise<void>((resolve, reject) => {
        idle.push(() => {
          const failed = failure;
          failure = null;
          if (failed) reject(failed.error);
          else resolve();
        });
        settle();
      });
    },
    async close() {
      closed = true;
      await this.drain();
    },
  };
}
