import { hostname } from 'node:os';
import { Cron } from 'croner';
import type { Redis } from 'ioredis';
import { describeError } from '../errors/index.ts';
import { createScheduler, type Scheduler, type WorkflowSchedule } from '../triggers/scheduler.ts';
import { createLeaderLease, type LeaseLossReason } from './leader-lease.ts';
import { fireKey } from './redis-keys.ts';
import { integerValue, luaScript, runScript } from './redis-script.ts';

/**
 * The service's cron schedules, run by exactly one instance of a deployment: the holder of a
 * Redis leader lease. Each instance makes one; the leader runs the ordinary
 * {@link createScheduler}, the others wait to take over. Before each fire the leader claims the
 * fire slot `<workflow>:<scheduled time>` in Redis with SET NX — only while its lease token is
 * still the one in Redis — so a slot fires at most once, even while two instances both believe
 * they lead during a handover.
 */

/** The fire slot a run belongs to: the time the schedule matched. */
export interface FireSlot {
  scheduledAt: Date;
}

export interface LeaderSchedulerOptions {
  redis: Redis;
  /** The deployment's key prefix, the same on every instance. */
  prefix: string;
  schedules: readonly WorkflowSchedule[];
  /** Starts one scheduled run and settles when it has finished, as for {@link createScheduler}. */
  fire: (workflow: string, slot: FireSlot) => Promise<void>;
  /** Name of the lease; default `scheduler`. */
  name?: string;
  /**
   * Lease lifetime in ms, default 10 000: a dead leader is replaced within `ttlMs` + 1 s, and the
   * new leader fires the next tick after that.
   */
  ttlMs?: number;
  /** How often a follower tries to take over; default `min(1000, ttlMs / 4)`. */
  retryEveryMs?: number;
  /** How long a fired slot is remembered, in ms; 60 000–2 592 000 000, default one hour. */
  retentionMs?: number;
  /**
   * Told about a fire that failed (workflow named) or a Redis failure (workflow undefined); the
   * schedule goes on. Default: one line on stderr. Must not throw.
   */
  onError?: (workflow: string | undefined, error: unknown) => void;
  /** Told when this instance starts or stops leading. Must not throw. */
  onLeadership?: (change: { leader: true } | { leader: false; reason: LeaseLossReason }) => void;
}

export interface LeaderScheduler {
  /** Starts competing for the lease. Calling it again does nothing; after {@link stop} it throws. */
  start(): void;
  /**
   * Stops the timers, waits for the fires still running, then releases the lease so another
   * instance takes over at once.
   */
  stop(): Promise<void>;
  /** Whether this instance leads (and so runs the schedules) now. */
  readonly isLeader: boolean;
  /** The schedule's next tick after now, whoever leads then; null when the workflow has none. */
  next(workflow: string): Date | null;
  /** Whether a fire of the workflow started by this instance is running now. */
  running(workflow: string): boolean;
  /**
   * Ticks of this instance that did not fire: the slot had fired already (on another instance,
   * during a handover), the lease was no longer this instance's, or this instance's previous fire
   * of the workflow was still running.
   */
  refused(workflow: string): number;
}

/**
 * A tick is matched to the schedule's latest match up to this long after it, so a timer that fires
 * a little early or late still names the slot it was meant for.
 */
const SLOT_TOLERANCE_MS = 500;

/** Claims a fire slot while the lease token is still ours: 1 claimed, 0 fired already, -1 not leader. */
const CLAIM = luaScript(
  'fire-claim',
  `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
if redis.call('SET', KEYS[2], ARGV[3], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
`,
);

const reportToStderr = (workflow: string | undefined, error: unknown) => {
  console.error(
    workflow === undefined
      ? `leader scheduler: ${describeError(error)}`
      : `scheduled run of ${workflow} failed: ${describeError(error)}`,
  );
};

/**
 * Makes the leader-elected scheduler of one instance.
 *
 * @throws Error naming the workflow for a schedule croner cannot read (as createScheduler), or a
 *   RangeError naming a lease or retention option out of range.
 * @example
 *   const schedules = createLeaderScheduler({
 *     redis: budget.redis, prefix: 'prod', schedules,
 *     fire: (workflow) => runs.startAndWait(workflow, { trigger: 'schedule' }),
 *   });
 *   schedules.start();
 *   // on shutdown:
 *   await schedules.stop();
 */
export function createLeaderScheduler(options: LeaderSchedulerOptions): LeaderScheduler {
  const { redis, prefix, schedules } = options;
  const onError = options.onError ?? reportToStderr;
  const retentionMs = options.retentionMs ?? 3_600_000;
  if (!Number.isInteger(retentionMs) || retentionMs < 60_000 || retentionMs > 2_592_000_000) {
    throw new RangeError(
      `retentionMs must be a whole number of ms from 60000 (a minute) to 2592000000 (30 days), not ${retentionMs}`,
    );
  }
  // Checks every schedule now, the way the plain scheduler does; this one never starts.
  createScheduler({ schedules, fire: async () => undefined });
  const crons = new Map(
    schedules.map((schedule) => [
      schedule.workflow,
      new Cron(schedule.cron, schedule.timezone === undefined ? {} : { timezone: schedule.timezone }),
    ]),
  );
  /** Fires started by this instance, across leadership terms: a new term never overlaps an old fire. */
  const running = new Map<string, Promise<void>>();
  const refusedCounts = new Map<string, number>();
  let current: Scheduler | undefined;
  let phase: 'created' | 'started' | 'stopped' = 'created';

  const refuse = (workflow: string) => refusedCounts.set(workflow, (refusedCounts.get(workflow) ?? 0) + 1);

  const claimedFire = async (workflow: string): Promise<void> => {
    const cron = crons.get(workflow);
    const scheduledAt = cron?.previousRuns(1, new Date(Date.now() + SLOT_TOLERANCE_MS))[0];
    const token = lease.token;
    if (scheduledAt === undefined || token === undefined || running.has(workflow)) {
      refuse(workflow);
      return;
    }
    const record = JSON.stringify({
      token,
      host: hostname(),
      pid: process.pid,
      firedAt: new Date().toISOString(),
    });
    const claimed = integerValue(
      CLAIM,
      await runScript(
        redis,
        CLAIM,
        [lease.key, fireKey(prefix, workflow, scheduledAt)],
        [token, retentionMs, record],
      ),
    );
    if (claimed !== 1) {
      refuse(workflow);
      return;
    }
    const fired = options.fire(workflow, { scheduledAt });
    const settled = fired.then(
      () => undefined,
      () => undefined,
    );
    running.set(workflow, settled);
    try {
      await fired;
    } finally {
      running.delete(workflow);
    }
  };

  const lease = createLeaderLease({
    redis,
    prefix,
    name: options.name ?? 'scheduler',
    ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }),
    ...(options.retryEveryMs === undefined ? {} : { retryEveryMs: options.retryEveryMs }),
    onAcquired: () => {
      if (phase !== 'started') return;
      current = createScheduler({
        schedules,
        fire: claimedFire,
        onError: (workflow, error) => onError(workflow, error),
      });
      current.start();
      options.onLeadership?.({ leader: true });
    },
    onLost: (reason) => {
      const term = current;
      current = undefined;
      // Fires already running finish; a fire that has not claimed its slot yet finds the lease gone.
      void term?.stop();
      options.onLeadership?.({ leader: false, reason });
    },
    onError: (error) => onError(undefined, error),
  });

  return {
    start() {
      if (phase === 'stopped')
        throw new Error('this leader scheduler was stopped; create a new one to start again');
      if (phase === 'started') return;
      phase = 'started';
      lease.start();
    },
    async stop() {
      if (phase === 'stopped') return;
      phase = 'stopped';
      const term = current;
      current = undefined;
      await term?.stop();
      await Promise.all(running.values());
      await lease.stop();
    },
    get isLeader() {
      return lease.isLeader && current !== undefined;
    },
    next(workflow) {
      return crons.get(workflow)?.nextRun(new Date()) ?? null;
    },
    running(workflow) {
      return running.has(workflow);
    },
    refused(workflow) {
      return refusedCounts.get(workflow) ?? 0;
    },
  };
}
