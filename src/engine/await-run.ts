import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from '../store/contract.ts';
import { isRunGoing, type Run } from './run.ts';

/** Where a run someone waits on has got to, read from the store. */
export type RunProgress =
  | { phase: 'extract'; done: number; total: null }
  | { phase: 'apply'; done: number; total: number };

export interface AwaitRunOptions {
  /** Stop waiting after this long and return the run as it is then; absent, wait until it ends. */
  timeoutMs?: number;
  /** How often the store is read. Default 500 ms. */
  pollMs?: number;
  /** Told whenever the run has moved since the last poll (records read, changes settled). */
  onProgress?: (progress: RunProgress) => void;
  /**
   * Told each time the run has not moved for another `stallMs` (default 15 s), with how long
   * it has been still: in a distributed deployment that usually means no worker is running.
   */
  onStall?: (run: Run, stillMs: number) => void;
  stallMs?: number;
  /** Stops waiting (Ctrl-C); the run is returned as it is. */
  signal?: AbortSignal;
}

/** Changes whose apply is over, one way or another. */
const SETTLED_CHANGE_STATES = ['applied', 'conflict', 'failed', 'reverted'] as const;

/**
 * Waits, reading the store, until a run no longer moves (`planned`, `completed`, `failed`,
 * `cancelled`), the timeout passes or the signal aborts, and returns the run as it is then —
 * the caller tells an ended run from one still going by {@link isRunGoing}. A distributed run
 * goes on in the workers whatever the waiter does: nothing here changes it.
 */
export async function awaitRun(store: Store, runId: string, options: AwaitRunOptions = {}): Promise<Run> {
  const pollMs = options.pollMs ?? 500;
  const stallMs = options.stallMs ?? 15_000;
  const deadline =
    options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
  let lastMark = '';
  let movedAt = Date.now();
  let stallsTold = 0;
  for (;;) {
    const run = await store.getRun(runId);
    if (!run) throw new Error(`no run ${runId}; \`erpbridge runs\` lists the runs`);
    if (!isRunGoing(run) || options.signal?.aborted || Date.now() >= deadline) return run;
    const changes = await store.countChanges(runId);
    const settled = SETTLED_CHANGE_STATES.reduce((sum, state) => sum + (changes[state] ?? 0), 0);
    const mark = `${run.state}:${run.stats.read}:${settled}:${changes.approved ?? 0}`;
    if (mark !== lastMark) {
      lastMark = mark;
      movedAt = Date.now();
      stallsTold = 0;
      options.onProgress?.(
        run.state === 'running'
          ? { phase: 'extract', done: run.stats.read, total: null }
          : {
              phase: 'apply',
              done: settled,
              total: settled + (changes.approved ?? 0) + (changes.applying ?? 0),
            },
      );
    } else {
      const still = Date.now() - movedAt;
      if (still >= (stallsTold + 1) * stallMs) {
        stallsTold++;
        options.onStall?.(run, still);
      }
    }
    const wait = Math.min(pollMs, Math.max(0, deadline - Date.now()));
    try {
      await sleep(wait, undefined, options.signal ? { signal: options.signal } : undefined);
    } catch {
      // Aborted: the next read returns the run as it is.
    }
  }
}
