import type { SharedBudget } from '../distributed/index.ts';
import type { Store } from '../store/contract.ts';
import type { DistributedQueue, JobEvent } from './bullmq-queue.ts';
import type { QueueConfig } from './queue-config.ts';

/** What a process of a distributed deployment shares with the others through Redis. */
export interface DistributedRuntime {
  /** The job queue (outbox relay, BullMQ producer, and a worker when `work()` is called). */
  queue: DistributedQueue;
  /** Each ERP's request budget, shared by every process: pass it to the connectors. Opened on first call. */
  budget(): SharedBudget;
  /** Closes the queue, then the budget. Close the connections that use the budget first. */
  close(): Promise<void>;
}

export interface DistributedHooks {
  /** Told of each job this process ran (metrics, logs). */
  onJob?: (event: JobEvent) => void;
  /** Told of background failures: Redis unreachable, a relay round that failed, a lease lost. */
  onError?: (error: Error) => void;
}

/**
 * The distributed side of a process, from `queue:` in erpbridge.yaml; null without one (the
 * embedded mode). BullMQ and ioredis are loaded only then (about 0.4 s of startup the embedded CLI
 * does not pay), and nothing connects until first used, so a command that never enqueues
 * (creating a token) opens no Redis connection.
 */
export async function openDistributed(
  config: QueueConfig | undefined,
  store: Store,
  hooks: DistributedHooks = {},
): Promise<DistributedRuntime | null> {
  if (config === undefined) return null;
  const [{ createDistributedQueue }, { createSharedBudget }] = await Promise.all([
    import('./bullmq-queue.ts'),
    import('../distributed/index.ts'),
  ]);
  let budget: SharedBudget | null = null;
  const queue = createDistributedQueue({
    redisUrl: config.url,
    prefix: config.prefix,
    store,
    lockDurationMs: config.lockDurationMs,
    stalledIntervalMs: config.stalledIntervalMs,
    ...(hooks.onJob ? { onJob: hooks.onJob } : {}),
    ...(hooks.onError ? { onError: hooks.onError } : {}),
  });
  return {
    queue,
    budget() {
      budget ??= createSharedBudget({
        redisUrl: config.url,
        prefix: config.prefix,
        ...(hooks.onError ? { onError: hooks.onError } : {}),
      });
      return budget;
    },
    async close() {
      await queue.close();
      await budget?.close();
    },
  };
}
