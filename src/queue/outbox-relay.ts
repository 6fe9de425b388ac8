import { describeError } from '../errors/index.ts';
import type { OutboxJob, Store } from '../store/contract.ts';

export interface OutboxRelayOptions {
  store: Store;
  /**
   * Hands jobs to the queue. Must be idempotent by job id (BullMQ ignores an id it already holds):
   * a relay that dies between publishing and marking publishes the same rows again.
   */
  publish(jobs: readonly OutboxJob[]): Promise<void>;
  /** Rows read per round. Default 500. */
  batchSize?: number;
  /** Told of a round that failed (store or queue unreachable); the rows wait for the next round. */
  onError?: (error: Error) => void;
  now?: () => Date;
}

/** What a relay has done, for metrics and health. */
export interface RelayFigures {
  /** Rows published by this process (each counted once per publish). */
  published: number;
  /** Rounds that failed. */
  failures: number;
  /** The last failure, or null once a round succeeded after it. */
  lastError: string | null;
}

/**
 * Publishes committed outbox rows to the queue, then marks them sent. A process commits jobs with
 * their state and calls `flush()` at once; `start()` also polls, for rows a process committed and
 * then died before publishing, or that waited out a Redis outage.
 */
export interface OutboxRelay {
  /**
   * Publishes what is unsent now. A call during a round waits for a round that starts after it,
   * so it never returns before rows committed before the call were tried. Never rejects.
   */
  flush(): Promise<void>;
  /** Polls every `intervalMs` (the service and workers run it). Calling it again does nothing. */
  start(intervalMs: number): void;
  /** Stops polling and waits for a round in progress. */
  stop(): Promise<void>;
  figures(): RelayFigures;
}

/** Rounds one flush runs at most, so a store that never marks rows cannot keep it busy forever. */
const MAX_ROUNDS_PER_FLUSH = 50;

export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { store, publish } = options;
  const batchSize = options.batchSize ?? 500;
  const now = options.now ?? (() => new Date());
  const onError = options.onError ?? ((error: Error) => process.emitWarning(error.message));
  const figures: RelayFigures = { published: 0, failures: 0, lastError: null };
  let current: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const round = async (): Promise<void> => {
    try {
      for (let rounds = 0; rounds < MAX_ROUNDS_PER_FLUSH; rounds++) {
        const jobs = await store.listOutboxJobs({ limit: batchSize });
        if (jobs.length === 0) break;
        await publish(jobs);
        figures.published += jobs.length;
        await store.markOutboxJobsSent(
          jobs.map((job) => job.id),
          now().toISOString(),
        );
        if (jobs.length < batchSize) break;
      }
      figures.lastError = null;
    } catch (error) {
      figures.failures++;
      figures.lastError = describeError(error);
      try {
        onError(new Error(`outbox relay: ${describeError(error)}; the rows stay for the next round`));
      } catch {
        // A reporter that throws must not turn a failed round into an unhandled rejection.
      }
    }
  };

  const flush = (): Promise<void> => {
    if (current === null) {
      current = round().finally(() => {
        current = null;
      });
      return current;
    }
    // A round is running and may have read the outbox before the caller's commit: queue one more.
    next ??= current.then(() => {
      next = null;
      return flush();
    });
    return next;
  };

  return {
    flush,
    start(intervalMs) {
      if (timer !== null || stopped) return;
      timer = setInterval(() => void flush(), intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearInterval(timer);
      timer = null;
      await (next ?? current);
    },
    figures: () => ({ ...figures }),
  };
}
