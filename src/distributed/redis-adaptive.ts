import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { describeError } from '../errors/index.ts';
import {
  type AdaptiveConcurrencyPolicy,
  type AdaptiveLimiter,
  type AdaptiveState,
  adaptLimit,
  HISTORY_LENGTH,
  initialAdaptiveState,
  type LimitPoint,
  type RequestOutcome,
} from '../resilience/adaptive-concurrency.ts';
import { createRedisGate, type GateUsage } from './redis-gate.ts';
import { adaptiveKey, redisLocation } from './redis-keys.ts';
import { checkLease, DEFAULT_LEASE_MS, warn } from './redis-rate-limiter.ts';
import { luaScript, runScript } from './redis-script.ts';
import type { Wakeups } from './wakeups.ts';

/**
 * Adaptive concurrency shared by every worker: one AIMD limit per connector, kept in Redis,
 * computed by the same pure {@link adaptLimit} as in one process, and enforced on the sum of all
 * workers' requests in flight. See README.md ("Shared adaptive concurrency") for the design and its
 * limits.
 *
 * Keys under `erpbridge:{prefix}:adaptive:<connector>`:
 * - `:state:<policy hash>`  hash `state` (the AdaptiveState as JSON), `limit`, `version`. The hash
 *   of the policy is part of the key, so a changed policy starts from `initial` instead of
 *   inheriting a limit judged under other rules. Forgotten after an hour without outcomes.
 * - `:holders`, `:queue`, … the gate (see redis-gate.ts) whose capacity is the `limit` above.
 * - channel `:limit`: `<version>:<limit>` each time the limit changes.
 */

export interface RedisAdaptiveLimiterOptions {
  redis: Redis;
  wakeups: Wakeups;
  prefix: string;
  connector: string;
  /** The connector's `resilience.adaptive`, parsed. */
  policy: AdaptiveConcurrencyPolicy;
  /** The clock the caller stamps outcomes' `startedAt` with (withResilience's `now`); default `Date.now`. */
  now?: () => number;
  /** Lease of a slot in ms; default {@link DEFAULT_LEASE_MS}. */
  leaseMs?: number;
  redisUrl?: string;
  onError?: (error: Error) => void;
}

/** A shared adaptive limiter: the in-process contract, plus a view of all workers and `close`. */
export interface RedisAdaptiveLimiter extends AdaptiveLimiter {
  /** Counts across all workers, from Redis. */
  usage(): Promise<GateUsage>;
  /** Writes the outcomes recorded so far to Redis now; resolves when they are folded in. */
  flush(): Promise<void>;
  /** Flushes, then closes the gate (frees this process's slots). */
  close(): Promise<void>;
}

/** Outcomes are folded into the shared state in batches, at most this long after they happen. */
const FLUSH_DELAY_MS = 10;
/** Attempts of one compare-and-set before the batch waits for the next flush. */
const CAS_ATTEMPTS = 8;
/** Most outcomes kept while Redis cannot be written; the oldest are dropped first. */
const MAX_PENDING = 10_000;
/** The shared state is forgotten after this long without a write. */
const STATE_TTL_MS = 3_600_000;
/**
 * Every worker re-reads the shared limit this often, so its `limit` and history catch up with a
 * change whose message it missed (subscribing, or a reconnect). Enforcement never depends on it:
 * the gate reads the limit in Redis at every grant.
 */
const REFRESH_MS = 1000;

const StoredState = z.strictObject({
  limit: z.int().min(1),
  bestP50Ms: z.number().nullable(),
  windowLatencies: z.array(z.number()),
  lastDecreaseAt: z.number().nullable(),
  lastChangeAt: z.number().nullable(),
});

/** {state JSON or '', version, Redis time in ms}, all as strings. */
const READ = luaScript(
  'adaptive-read',
  `
local values = redis.call('HMGET', KEYS[1], 'state', 'version')
local time = redis.call('TIME')
return {values[1] or '', values[2] or '0', tostring(tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000))}
`,
);

/** Compare-and-set on `version`; publishes `<version>:<limit>` when the limit changed. 1 written, 0 conflict. */
const WRITE = luaScript(
  'adaptive-write',
  `
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if version ~= tonumber(ARGV[1]) then return 0 end
local before = redis.call('HGET', KEYS[1], 'limit')
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'limit', ARGV[3], 'version', version + 1)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if before ~= ARGV[3] then redis.call('PUBLISH', ARGV[5], (version + 1) .. ':' .. ARGV[3]) end
return 1
`,
);

interface Pending {
  outcome: RequestOutcome;
  /** When it was recorded, on the caller's clock. */
  at: number;
}

/**
 * Makes the shared adaptive limiter of one connector.
 *
 * - `acquire` takes a slot of a Redis gate whose capacity is the shared limit: all workers' requests
 *   in flight together stay within it (a lowered limit lets no new request in until enough end).
 * - `record` queues the outcome; within {@link FLUSH_DELAY_MS} a batch is folded into the shared
 *   state with `adaptLimit` (read, fold, compare-and-set on a version; again on conflict). So a
 *   window of `policy.window` successes is filled by all workers together, and one 429 from any
 *   worker cuts the limit for all.
 * - `limit`, `history` and `onLimitChange` follow the shared limit (pub/sub, and every read).
 *
 * Times are put on Redis's clock before they are compared (offset measured at each read), so
 * workers on machines whose clocks differ still agree which requests a limit change concerns.
 */
export function createRedisAdaptiveLimiter(options: RedisAdaptiveLimiterOptions): RedisAdaptiveLimiter {
  const { redis, policy, connector } = options;
  const now = options.now ?? Date.now;
  const onError = options.onError ?? warn;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  checkLease(leaseMs);
  const location = options.redisUrl === undefined ? 'Redis' : redisLocation(options.redisUrl);
  const base = adaptiveKey(options.prefix, connector);
  const stateKey = `${base}:state:${policyHash(policy)}`;
  const limitChannel = `${base}:limit`;
  const gate = createRedisGate({
    redis,
    wakeups: options.wakeups,
    base,
    connector,
    location,
    capacity: { kind: 'shared', key: stateKey, initial: policy.initial },
    leaseMs,
    onError,
  });

  let limit = policy.initial;
  /** Version of the shared state `limit` was read from; older news is ignored. */
  let seenVersion = -1;
  const history: LimitPoint[] = [{ at: now(), limit }];
  const listeners = new Set<(limit: number) => void>();
  let pending: Pending[] = [];
  let flushTimer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;

  const observe = (version: number, observed: number) => {
    if (version <= seenVersion) return;
    seenVersion = version;
    if (observed === limit) return;
    const rose = observed > limit;
    limit = observed;
    history.push({ at: now(), limit });
    if (history.length > HISTORY_LENGTH) history.splice(0, history.length - HISTORY_LENGTH);
    for (const listener of listeners) listener(limit);
    if (rose) gate.recheck();
  };

  const stopListening = options.wakeups.subscribe(limitChannel, (message) => {
    const [version, value] = message.split(':').map(Number);
    if (
      Number.isInteger(version) &&
      Number.isInteger(value) &&
      version !== undefined &&
      value !== undefined
    ) {
      observe(version, value);
    }
  });

  /** The shared state, its version, and (Redis clock − caller's clock) in ms. */
  const read = async (): Promise<{ state: AdaptiveState; version: number; offset: number }> => {
    const reply = await runScript(redis, READ, [stateKey], []);
    const localNow = now();
    if (!Array.isArray(reply) || reply.length !== 3 || !reply.every((value) => typeof value === 'string')) {
      throw new Error(`Redis script ${READ.name} answered ${JSON.stringify(reply)}, not three strings`);
    }
    const [json = '', versionText = '0', redisNow = '0'] = reply;
    const version = Number(versionText);
    let state = initialAdaptiveState(policy);
    if (json !== '') {
      const parsed = StoredState.safeParse(safeJson(json));
      if (parsed.success) state = parsed.data;
      else
        onError(
          new Error(
            `connector ${connector}: the shared adaptive state in ${stateKey} is unreadable; starting again from initial ${policy.initial}`,
          ),
        );
    }
    if (json !== '') observe(version, state.limit);
    return { state, version, offset: Number(redisNow) - localNow };
  };

  const fold = (state: AdaptiveState, batch: readonly Pending[], offset: number): AdaptiveState => {
    let next = state;
    for (const { outcome, at } of batch) {
      const shifted: RequestOutcome = { ...outcome, startedAt: outcome.startedAt + offset };
      // Never earlier than the last change: outcomes from several workers arrive out of order.
      const when = Math.max(at + offset, next.lastChangeAt ?? Number.NEGATIVE_INFINITY);
      next = adaptLimit(next, shifted, policy, when);
    }
    return next;
  };

  const writeBatch = async (batch: readonly Pending[]): Promise<boolean> => {
    for (let attempt = 1; attempt <= CAS_ATTEMPTS; attempt++) {
      const { state, version, offset } = await read();
      const next = fold(state, batch, offset);
      const written = await runScript(
        redis,
        WRITE,
        [stateKey],
        [version, JSON.stringify(next), next.limit, STATE_TTL_MS, limitChannel],
      );
      if (written === 1) {
        observe(version + 1, next.limit);
        return true;
      }
    }
    return false;
  };

  const flush = async (): Promise<void> => {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    if (flushing !== undefined) {
      await flushing;
      if (pending.length > 0) await flush();
      return;
    }
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    flushing = (async () => {
      try {
        if (!(await writeBatch(batch))) pending = [...batch, ...pending];
      } catch (error) {
        pending = [...batch, ...pending].slice(-MAX_PENDING);
        onError(
          new Error(
            `connector ${connector}: could not share ${batch.length} request outcome(s) through Redis (${location}): ${describeError(error)}; kept for the next attempt`,
          ),
        );
      } finally {
        flushing = undefined;
      }
    })();
    await flushing;
    if (pending.length > 0) scheduleFlush();
  };

  const scheduleFlush = () => {
    if (flushTimer !== undefined) return;
    flushTimer = setTimeout(() => void flush(), FLUSH_DELAY_MS);
    flushTimer.unref();
  };

  let refreshFailed = false;
  const refresh = () => {
    read().then(
      () => {
        refreshFailed = false;
      },
      (error: unknown) => {
        // One report per outage; the gate itself reports failures to the calls it cannot admit.
        if (refreshFailed) return;
        refreshFailed = true;
        onError(
          new Error(
            `connector ${connector}: could not read the shared adaptive limit from Redis (${location}): ${describeError(error)}; keeping ${limit}`,
          ),
        );
      },
    );
  };
  // Start from what the other workers have learnt already, and keep up with them.
  refresh();
  const refresher = setInterval(refresh, REFRESH_MS);
  refresher.unref();

  return {
    get limit() {
      return limit;
    },
    history,
    record(outcome) {
      if (outcome.kind === 'neutral') return;
      pending.push({ outcome, at: now() });
      scheduleFlush();
    },
    acquire: (signal) => gate.acquire(signal),
    onLimitChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    usage: () => gate.usage(),
    flush,
    async close() {
      clearInterval(refresher);
      await flush();
      stopListening();
      await gate.close();
    },
  };
}

/** A short, stable hash of the policy: a changed policy gets a fresh shared state. */
function policyHash(policy: AdaptiveConcurrencyPolicy): string {
  const ordered = Object.fromEntries(Object.entries(policy).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify(ordered)).digest('hex').slice(0, 12);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // An unparseable state is reported by the caller as unreadable, like one of the wrong shape.
    return undefined;
  }
}
