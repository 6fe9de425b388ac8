import { DAY_MS } from '../config/schema.ts';
import { describeError } from '../errors/index.ts';
import type { Store } from '../store/contract.ts';

/** Between housekeeping passes: the tables it trims grow by hours, not seconds. */
export const HOUSEKEEPING_INTERVAL_MS = 60 * 60 * 1000;

/** The first pass waits this long (or one interval, when shorter): a service starting has other work first. */
const FIRST_PASS_DELAY_MS = 60 * 1000;

/** The longest delay `setTimeout` takes (about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Where housekeeping reports (the service's pino logger fits). */
export interface HousekeepingLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface HousekeepingOptions {
  store: Store;
  /** Outbox rows published more than this many days ago are deleted (`store.outboxRetentionDays`). */
  outboxRetentionDays: number;
  log: HousekeepingLog;
  /** Default {@link HOUSEKEEPING_INTERVAL_MS}; tests pass a few milliseconds. */
  intervalMs?: number;
  /** Default the system clock. */
  now?: () => Date;
}

export interface Housekeeping {
  /** Stops the timer and waits for a pass in progress, so the store can be closed after it. */
  stop(): Promise<void>;
}

/**
 * Deletes what no one reads any more, once a minute after start and then every hour, in the
 * embedded and the distributed mode alike: outbox rows published more than
 * `outboxRetentionDays` ago (never unsent ones) and console sessions that have expired. What it
 * removed is logged at info (nothing when nothing went); a failure is logged as a warning and the
 * next pass tries again — housekeeping never takes the service down. Every service instance of a
 * deployment runs it; their deletes do not collide (see `Store.pruneOutbox`). The timer is
 * unref'd: it never keeps a process alive.
 *
 * @example
 * const housekeeping = startHousekeeping({ store, outboxRetentionDays: 7, log: app.log });
 * // …
 * await housekeeping.stop();
 */
export function startHousekeeping(options: HousekeepingOptions): Housekeeping {
  const intervalMs = housekeepingInterval(options.intervalMs);
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<void> | null = null;
  let stopped = false;

  const schedule = (delayMs: number) => {
    timer = setTimeout(() => {
      timer = null;
      current = housekeep(options).finally(() => {
        current = null;
        if (!stopped) schedule(intervalMs);
      });
    }, delayMs);
    timer.unref();
  };
  schedule(Math.min(FIRST_PASS_DELAY_MS, intervalMs));

  return {
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await current;
    },
  };
}

/**
 * The interval to use: {@link HOUSEKEEPING_INTERVAL_MS} when none is given. The service checks it
 * before it opens anything.
 *
 * @throws RangeError when it is not a whole number of milliseconds a timer can wait (1 to 2³¹−1)
 */
export function housekeepingInterval(intervalMs: number | undefined): number {
  if (intervalMs === undefined) return HOUSEKEEPING_INTERVAL_MS;
  // Node fires a longer timeout at once (with a warning), which would turn "rarely" into "always".
  if (!Number.isInteger(intervalMs) || intervalMs < 1 || intervalMs > MAX_TIMEOUT_MS)
    throw new RangeError(
      `housekeeping intervalMs must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${intervalMs}`,
    );
  return intervalMs;
}

/**
 * One housekeeping pass: prunes the outbox, then deletes expired sessions; each step logs what it
 * removed, or warns that it failed without stopping the other. Never rejects.
 */
export async function housekeep(options: Omit<HousekeepingOptions, 'intervalMs'>): Promise<void> {
  const { store, outboxRetentionDays, log } = options;
  const now = (options.now ?? (() => new Date()))();
  const sentBefore = new Date(now.getTime() - outboxRetentionDays * DAY_MS).toISOString();
  try {
    const deleted = await store.pruneOutbox(sentBefore);
    if (deleted > 0)
      log.info(
        { outboxRowsDeleted: deleted, sentBefore, outboxRetentionDays },
        `housekeeping: deleted ${deleted} outbox rows published before ${sentBefore} (store.outboxRetentionDays: ${outboxRetentionDays})`,
      );
  } catch (error) {
    log.warn(
      { err: describeError(error), sentBefore },
      'housekeeping: pruning published outbox rows failed; they stay, and the next pass tries again',
    );
  }
  try {
    const deleted = await store.deleteExpiredSessions(now.toISOString());
    if (deleted > 0)
      log.info(
        { expiredSessionsDeleted: deleted },
        `housekeeping: deleted ${deleted} expired console sessions`,
      );
  } catch (error) {
    log.warn(
      { err: describeError(error) },
      'housekeeping: deleting expired console sessions failed; they stay (refused all the same), and the next pass tries again',
    );
  }
}
