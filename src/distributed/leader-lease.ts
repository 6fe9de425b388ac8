import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { describeError } from '../errors/index.ts';
import { leaderKey } from './redis-keys.ts';
import { warn } from './redis-rate-limiter.ts';
import { integerValue, luaScript, runScript } from './redis-script.ts';

/**
 * A leader lease in Redis: at most one process of a deployment holds it at a time, and when the
 * holder dies another takes it over within `ttlMs + retryEveryMs`.
 *
 * - acquire: `SET key token NX PX ttlMs`, tried every `retryEveryMs` by each follower;
 * - renew: every `renewEveryMs`, a Lua compare-and-extend (PEXPIRE only if the value is still our
 *   token), so a leader never extends a lease that another process has taken since;
 * - release: a Lua compare-and-delete on stop, so a clean shutdown hands over at once.
 *
 * The holder steps down on its own clock (monotonic) once the lease it last renewed would have
 * expired, minus a margin, even when Redis cannot be reached to say so: the process that believes
 * it leads always stops believing it before Redis lets another take over (unless its clock runs
 * slower than Redis's by more than the margin, or it is paused — see README.md for why fires are
 * also fenced).
 */

export interface LeaderLeaseOptions {
  redis: Redis;
  /** The deployment's key prefix: the key is `erpbridge:{prefix}:leader:<name>`. */
  prefix: string;
  /** What is led, e.g. `scheduler`. */
  name: string;
  /** Lease lifetime in ms; 1000–600 000, default 10 000. */
  ttlMs?: number;
  /** How often the leader renews; default a third of `ttlMs`. Must be below `ttlMs / 2`. */
  renewEveryMs?: number;
  /** How often a follower tries to take the lease; default `min(1000, ttlMs / 4)`. */
  retryEveryMs?: number;
  /** Called when this process becomes the leader. Must not throw. */
  onAcquired?: (lease: { token: string }) => void;
  /**
   * Called when this process stops being the leader without having asked to: `taken` (the key
   * holds another token or none: the lease expired and may be someone else's), `expired` (renewals
   * failed until the lease ran out on this process's clock). Not called by {@link LeaderLease.stop}.
   * Must not throw.
   */
  onLost?: (reason: LeaseLossReason) => void;
  /** Told about failed Redis calls (they are retried). Default: a process warning. */
  onError?: (error: Error) => void;
}

/** Why a leader stopped leading on its own. */
export type LeaseLossReason = 'taken' | 'expired';

export interface LeaderLease {
  /** Starts trying to acquire (and then renewing). Calling it again does nothing. */
  start(): void;
  /** Stops, and releases the lease if held (compare-and-delete). Cannot be started again. */
  stop(): Promise<void>;
  /** Whether this process holds the lease now, as far as it knows. */
  readonly isLeader: boolean;
  /** The token of the lease held now; undefined when not leading. */
  readonly token: string | undefined;
  /** The Redis key of the lease. */
  readonly key: string;
}

/** Extends the lease only if it is still ours: 1 extended, 0 not ours. */
const RENEW = luaScript(
  'lease-renew',
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`,
);

/** Deletes the lease only if it is still ours: 1 deleted, 0 not ours. */
const RELEASE = luaScript(
  'lease-release',
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
);

/**
 * Makes a leader lease; nothing is sent before {@link LeaderLease.start}.
 *
 * @throws RangeError naming the option for a ttl, renewal or retry interval out of range.
 * @example
 *   const lease = createLeaderLease({
 *     redis, prefix: 'prod', name: 'scheduler', ttlMs: 10_000,
 *     onAcquired: () => scheduler.start(),
 *     onLost: (reason) => void scheduler.stop(),
 *   });
 *   lease.start();
 *   // on shutdown:
 *   await lease.stop();
 */
export function createLeaderLease(options: LeaderLeaseOptions): LeaderLease {
  const { redis } = options;
  const key = leaderKey(options.prefix, options.name);
  const ttlMs = options.ttlMs ?? 10_000;
  if (!Number.isInteger(ttlMs) || ttlMs < 1000 || ttlMs > 600_000) {
    throw new RangeError(`ttlMs must be a whole number from 1000 to 600000 (ms), not ${ttlMs}`);
  }
  const renewEveryMs = options.renewEveryMs ?? Math.floor(ttlMs / 3);
  if (!Number.isInteger(renewEveryMs) || renewEveryMs < 1 || renewEveryMs >= ttlMs / 2) {
    throw new RangeError(
      `renewEveryMs must be a whole number of ms below half of ttlMs (${ttlMs}), so one failed renewal does not lose the lease; not ${renewEveryMs}`,
    );
  }
  const retryEveryMs = options.retryEveryMs ?? Math.min(1000, Math.floor(ttlMs / 4));
  if (!Number.isInteger(retryEveryMs) || retryEveryMs < 1 || retryEveryMs > ttlMs) {
    throw new RangeError(
      `retryEveryMs must be a whole number of ms from 1 to ttlMs (${ttlMs}), not ${retryEveryMs}`,
    );
  }
  /** Stepping down this long before the lease runs out on our clock covers timer and clock drift. */
  const marginMs = Math.min(1000, Math.floor(ttlMs / 10));
  const onError = options.onError ?? warn;

  let phase: 'created' | 'running' | 'stopped' = 'created';
  let token: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  /** The attempt in progress, so stop() can wait for it. */
  let attempt: Promise<void> | undefined;

  const report = (what: string, error: unknown) =>
    onError(new Error(`leader lease ${key}: ${what}: ${describeError(error)}; trying again`));

  const lose = (reason: LeaseLossReason) => {
    if (token === undefined) return;
    token = undefined;
    clearTimeout(deadline);
    deadline = undefined;
    options.onLost?.(reason);
  };

  /** Arms the step-down at the end of the lease as measured from `sentAt` (before the request left). */
  const holdUntil = (sentAt: number) => {
    clearTimeout(deadline);
    const left = sentAt + ttlMs - marginMs - performance.now();
    deadline = setTimeout(() => lose('expired'), Math.max(0, left));
    deadline.unref();
  };

  const step = async () => {
    const sentAt = performance.now();
    if (token === undefined) {
      const candidate = randomUUID();
      try {
        const answer = await redis.set(key, candidate, 'PX', ttlMs, 'NX');
        if (answer === 'OK' && phase === 'running') {
          token = candidate;
          holdUntil(sentAt);
          options.onAcquired?.({ token: candidate });
        } else if (answer === 'OK') {
          // Stopped while asking: hand it straight back.
          await runScript(redis, RELEASE, [key], [candidate]);
        }
      } catch (error) {
        report('could not try to acquire', error);
      }
      return;
    }
    const held = token;
    try {
      const renewed = integerValue(RENEW, await runScript(redis, RENEW, [key], [held, ttlMs]));
      if (token !== held) return;
      if (renewed === 1) holdUntil(sentAt);
      else lose('taken');
    } catch (error) {
      // The deadline timer steps down if this goes on until the lease would have expired.
      report('could not renew', error);
    }
  };

  const loop = () => {
    if (phase !== 'running') return;
    attempt = step().finally(() => {
      attempt = undefined;
      if (phase !== 'running') return;
      timer = setTimeout(loop, token === undefined ? retryEveryMs : renewEveryMs);
    });
  };

  return {
    key,
    get isLeader() {
      return token !== undefined;
    },
    get token() {
      return token;
    },
    start() {
      if (phase === 'stopped')
        throw new Error(`leader lease ${key} was stopped; create a new one to start again`);
      if (phase === 'running') return;
      phase = 'running';
      loop();
    },
    async stop() {
      if (phase === 'stopped') return;
      phase = 'stopped';
      clearTimeout(timer);
      await attempt;
      clearTimeout(deadline);
      deadline = undefined;
      const held = token;
      token = undefined;
      if (held === undefined) return;
      try {
        await runScript(redis, RELEASE, [key], [held]);
      } catch (error) {
        onError(
          new Error(
            `leader lease ${key}: could not release on stop: ${describeError(error)}; another process takes over when it expires (${ttlMs} ms)`,
          ),
        );
      }
    },
  };
}
