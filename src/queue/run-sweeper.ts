import { describeError } from '../errors/index.ts';

/** What the sweeper asks of the engine (`Engine.settleRuns`, `Engine.recoverLostJobs`). */
export interface SweptEngine {
  settleRuns(): Promise<number>;
  recoverLostJobs(): Promise<number>;
}

/** How often a distributed process sweeps, by default. */
export const RUN_SWEEP_MS = 30_000;

export interface RunSweeper {
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/**
 * The distributed mode's sweep, every `intervalMs` in the service and in every worker: settle the
 * runs whose last job ended in a process that died before it could finish them, and publish again
 * the jobs of unfinished runs that Redis lost. Any number of processes may sweep at once: settling
 * is a compare-and-set, and a job published twice is one job (BullMQ dedupes by id). A failed
 * sweep is reported and the next one tries again; sweeps never overlap.
 */
export function startRunSweeper(
  engine: SweptEngine,
  options: {
    intervalMs?: number;
    /** Told of jobs published again (Redis lost its data?) and of a sweep that failed. */
    warn: (message: string) => void;
  },
): RunSweeper {
  const intervalMs = options.intervalMs ?? RUN_SWEEP_MS;
  if (!(intervalMs > 0 && intervalMs <= 2 ** 31 - 1)) {
    throw new RangeError(`the run sweep interval must be 1 to 2147483647 ms, got ${intervalMs}`);
  }
  let running: Promise<void> | null = null;
  const sweep = async () => {
    try {
      await engine.settleRuns();
      const recovered = await engine.recoverLostJobs();
      if (recovered > 0) {
        options.warn(
          `published again ${recovered} job${recovered === 1 ? '' : 's'} the queue no longer had ` +
            '(Redis lost its data? run it with appendonly yes)',
        );
      }
    } catch (error) {
      options.warn(`run sweep failed: ${describeError(error)}; the next one tries again`);
    }
  };
  const timer = setInterval(() => {
    if (running !== null) return;
    running = sweep().finally(() => {
      running = null;
    });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
