import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { describeError } from '../errors/index.ts';
import type { RateLimiterSnapshot, RateLimitPermit, SharedRateLimiter } from '../resilience/rate-limit.ts';
import { ResilienceError } from '../resilience/resilience-error.ts';
import type { TokenRate } from '../resilience/token-bucket.ts';
import { integerReply, luaScript, runScript, stringReply } from './redis-script.ts';
import type { Wakeups } from './wakeups.ts';

/**
 * A gate shared by every process through Redis: a semaphore of leased slots, a FIFO queue of
 * tickets, and optionally a token bucket, all decided by one Lua script so a grant is atomic. The
 * rate limiter (`redis-rate-limiter.ts`) and the shared adaptive gate (`redis-adaptive.ts`) are
 * both this gate, configured differently. See README.md for the design.
 *
 * Keys under `base`:
 * - `<base>:holders`      sorted set: permit id → lease expiry (Redis clock, ms). A process renews
 *                         its permits every `leaseMs / 3`; one that dies stops renewing and its
 *                         permits end at expiry, removed by the next script that looks.
 * - `<base>:queue`        sorted set: ticket → when it first asked (Redis clock): the FIFO.
 * - `<base>:queue-expiry` sorted set: ticket → expiry, so a dead process's ticket leaves the queue.
 * - `<base>:bucket`       hash `tokens`, `at`: the token bucket of `token-bucket.ts`, in Lua.
 * - channel `<base>:released`: published when a slot or a ticket is freed.
 */

/** How many slots the gate has: a fixed number, or a number kept in Redis (the shared adaptive limit). */
export type GateCapacity =
  | { kind: 'fixed'; slots: number }
  /** Field `limit` of hash `key`; `initial` while the hash has none. */
  | { kind: 'shared'; key: string; initial: number };

export interface RedisGateOptions {
  redis: Redis;
  wakeups: Wakeups;
  /** Start of the gate's keys, e.g. `erpbridge:{prod}:rate:erp`. */
  base: string;
  /** The connector's name, for messages. */
  connector: string;
  /** Where Redis is (no credentials), for messages. */
  location: string;
  capacity: GateCapacity;
  /** Tokens per second and burst; undefined for slots only. */
  rate?: TokenRate;
  /** How long a permit or ticket lives without renewal, in ms: how soon a dead process's slots return. */
  leaseMs: number;
  /**
   * Longest wait for a slot and a token, in ms; past it the call fails with a `queue-timeout`
   * verdict, nothing sent (as `rateLimit.maxWaitMs` in memory). Undefined: only the caller's signal.
   */
  maxWaitMs?: number;
  /** Told about failures no caller sees (a failed release or renewal). Must not throw. */
  onError: (error: Error) => void;
}

/** What the gate looks like across all processes, from Redis. */
export interface GateUsage {
  /** Permits held by any process whose lease has not expired. */
  inFlight: number;
  /** Tickets waiting in the shared queue (at most one per waiting process and gate). */
  waiting: number;
}

/** A gate: the {@link SharedRateLimiter} contract, a view of all processes, and a way to close it. */
export interface RedisGate extends SharedRateLimiter {
  /** Counts across all processes, from Redis (expired leases not counted). */
  usage(): Promise<GateUsage>;
  /** Makes a waiter for a slot ask Redis again now (a shared limit rose). */
  recheck(): void;
  /**
   * Stops renewing, rejects waiters, and frees this process's permits in Redis. Permits released
   * afterwards only update this process's counts.
   */
  close(): Promise<void>;
}

/** Longest a waiter for a slot sleeps before asking again, in case a `released` message was lost. */
const SLOT_RECHECK_MS = 1000;

/**
 * One attempt of one ticket: drop expired leases and tickets, join the queue, and take a slot (and a
 * token) when the ticket is among the first `free` in the queue. Returns {status, waitMs, held,
 * capacity}: status 1 granted; 0 no slot (waitMs = until the earliest lease could expire); 2 a
 * slot but no token yet (waitMs = until the next token). Same arithmetic as token-bucket.ts.
 */
const ACQUIRE = luaScript(
  'acquire',
  `
local holders, queue, queueExpiry, bucket, limitKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local ticket = ARGV[1]
local capacity = tonumber(ARGV[2])
local leaseMs = tonumber(ARGV[4])
local rps = tonumber(ARGV[5])
local burst = tonumber(ARGV[6])
local keyTtlMs = tonumber(ARGV[7])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
if capacity < 0 then
  capacity = tonumber(redis.call('HGET', limitKey, 'limit')) or tonumber(ARGV[3])
end
redis.call('ZREMRANGEBYSCORE', holders, '-inf', now)
local gone = redis.call('ZRANGEBYSCORE', queueExpiry, '-inf', now, 'LIMIT', 0, 100)
for _, id in ipairs(gone) do
  redis.call('ZREM', queue, id)
  redis.call('ZREM', queueExpiry, id)
end
redis.call('ZADD', queue, 'NX', now, ticket)
redis.call('ZADD', queueExpiry, now + leaseMs, ticket)
redis.call('PEXPIRE', queue, keyTtlMs)
redis.call('PEXPIRE', queueExpiry, keyTtlMs)
local held = redis.call('ZCARD', holders)
local rank = redis.call('ZRANK', queue, ticket)
if rank >= capacity - held then
  local first = redis.call('ZRANGE', holders, 0, 0, 'WITHSCORES')
  local waitMs = leaseMs
  if first[2] then waitMs = math.max(1, math.ceil(tonumber(first[2]) - now)) end
  return {0, waitMs, held, capacity}
end
if rps > 0 then
  local state = redis.call('HMGET', bucket, 'tokens', 'at')
  local tokens = tonumber(state[1]) or burst
  local at = tonumber(state[2]) or now
  if now > at then
    tokens = math.min(burst, tokens + (now - at) * rps / 1000)
    at = now
  end
  if tokens < 1 then
    return {2, math.max(1, math.ceil((1 - tokens) * 1000 / rps)), held, capacity}
  end
  redis.call('HSET', bucket, 'tokens', string.format('%.6f', tokens - 1), 'at', string.format('%.3f', at))
  redis.call('PEXPIRE', bucket, math.ceil(burst * 1000 / rps) + 1000)
end
redis.call('ZREM', queue, ticket)
redis.call('ZREM', queueExpiry, ticket)
redis.call('ZADD', holders, now + leaseMs, ticket)
redis.call('PEXPIRE', holders, keyTtlMs)
return {1, 0, held + 1, capacity}
`,
);

/** Extends the leases of this process's permits and its waiting ticket; returns the permits that were gone. */
const RENEW = luaScript(
  'renew',
  `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local leaseMs = tonumber(ARGV[1])
local missing = {}
for i = 4, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], now + leaseMs, ARGV[i])
  else
    table.insert(missing, ARGV[i])
  end
end
if ARGV[3] ~= '' then redis.call('ZADD', KEYS[3], 'XX', now + leaseMs, ARGV[3]) end
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
return missing
`,
);

/** Frees permits or withdraws tickets; publishes on the channel when anything was freed. */
const RELEASE = luaScript(
  'release',
  `
local freed = 0
for i = 2, #ARGV do
  freed = freed + redis.call('ZREM', KEYS[1], ARGV[i]) + redis.call('ZREM', KEYS[2], ARGV[i])
  redis.call('ZREM', KEYS[3], ARGV[i])
end
if freed > 0 then redis.call('PUBLISH', ARGV[1], 'released') end
return freed
`,
);

/** Live permits and queued tickets. */
const USAGE = luaScript(
  'usage',
  `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
return {redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf'), redis.call('ZCOUNT', KEYS[3], '(' .. now, '+inf')}
`,
);

interface Waiter {
  /** Set when the waiter first asks Redis; a waiter behind the head has none. */
  ticket: string | undefined;
  /** Granted, aborted or failed: the promise is settled. */
  done: boolean;
  grant(permit: RateLimitPermit): void;
  fail(error: unknown): void;
}

/**
 * Makes a gate. Waiters of this process queue locally in FIFO order; only the head asks Redis, with
 * one ticket, so a process holds at most one place in the shared queue and processes take turns.
 * Sleeps are exact: until the next token is due (the script says when), or until a slot is freed
 * (pub/sub) — never a polling loop.
 */
export function createRedisGate(options: RedisGateOptions): RedisGate {
  const { redis, base, connector, location, leaseMs, onError } = options;
  const keys = {
    holders: `${base}:holders`,
    queue: `${base}:queue`,
    queueExpiry: `${base}:queue-expiry`,
    bucket: `${base}:bucket`,
  };
  const channel = `${base}:released`;
  const keyTtlMs = leaseMs * 3;
  const capacityArgs =
    options.capacity.kind === 'fixed'
      ? { slots: options.capacity.slots, initial: options.capacity.slots, limitKey: `${base}:limit` }
      : { slots: -1, initial: options.capacity.initial, limitKey: options.capacity.key };
  const instance = randomUUID();
  let sequence = 0;

  const queue: Waiter[] = [];
  /** Permit ids this process holds in Redis (renewed by the heartbeat). */
  const held = new Set<string>();
  let inFlight = 0;
  let peakInFlight = 0;
  let driving = false;
  /** The waiter whose ticket is being decided by Redis right now. */
  let asking: Waiter | undefined;
  /** Ends the head's current sleep; `forSlot` says whether a freed slot is what it waits for. */
  let sleeping: { wake: () => void; forSlot: boolean } | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let closed = false;

  const wake = (onlyForSlot: boolean) => {
    if (sleeping === undefined || (onlyForSlot && !sleeping.forSlot)) return;
    sleeping.wake();
  };
  const stopListening = options.wakeups.subscribe(channel, () => wake(true));

  const sleep = (ms: number, forSlot: boolean) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        sleeping = undefined;
        resolve();
      }
      sleeping = { wake: done, forSlot };
    });

  const redisFailure = (error: unknown): ResilienceError =>
    new ResilienceError(
      'transient',
      'queue-timeout',
      `connector ${connector}: the shared request budget in Redis (${location}) could not be asked for a slot: ${describeError(error)}; nothing was sent`,
      {
        connector,
        cause: error,
        hint: `every worker takes this ERP's budget from Redis at ${location}; check that it is running and reachable`,
      },
    );

  const closedError = (): Error =>
    new Error(`connector ${connector}: the shared request budget was closed; nothing was sent`);

  /** Frees permits or withdraws tickets in Redis; failures are reported, the lease ends them anyway. */
  const free = (ids: readonly string[]) => {
    if (closed || ids.length === 0) return;
    runScript(redis, RELEASE, [keys.holders, keys.queue, keys.queueExpiry], [channel, ...ids]).catch(
      (error: unknown) =>
        onError(
          new Error(
            `connector ${connector}: could not free ${ids.length} shared slot(s) in Redis (${location}): ${describeError(error)}; they return when their lease ends (${leaseMs} ms)`,
          ),
        ),
    );
    // Sent on the same connection before any later ask, so the head's next ask sees the slot free.
    wake(true);
  };

  const permitFor = (id: string): RateLimitPermit => {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        inFlight--;
        held.delete(id);
        free([id]);
      },
    };
  };

  const beat = async () => {
    heartbeat = undefined;
    if (closed) return;
    const head = queue[0];
    const ticket = head?.ticket ?? '';
    if (held.size > 0 || ticket !== '') {
      const ids = [...held];
      try {
        const reply = await runScript(
          redis,
          RENEW,
          [keys.holders, keys.queue, keys.queueExpiry],
          [leaseMs, keyTtlMs, ticket, ...ids],
        );
        const missing = stringReply(RENEW, reply);
        if (missing.length > 0) {
          onError(
            new Error(
              `connector ${connector}: ${missing.length} shared slot lease(s) expired before they were renewed (this process was stalled for more than ${leaseMs} ms); the shared in-flight limit may be exceeded until those requests end`,
            ),
          );
          // Not renewed again: another process may already hold the slot.
          for (const id of missing) held.delete(id);
        }
      } catch (error) {
        onError(
          new Error(
            `connector ${connector}: could not renew shared slot leases in Redis (${location}): ${describeError(error)}; retrying`,
          ),
        );
      }
    }
    scheduleBeat();
  };

  const scheduleBeat = () => {
    if (closed || heartbeat !== undefined || (held.size === 0 && queue.length === 0)) return;
    heartbeat = setTimeout(() => void beat(), Math.max(1, Math.floor(leaseMs / 3)));
    heartbeat.unref();
  };

  /** Asks Redis for the head of the queue until the queue is empty; one drive at a time. */
  const drive = async () => {
    if (driving) return;
    driving = true;
    try {
      while (!closed) {
        const head = queue[0];
        if (head === undefined) return;
        head.ticket ??= `${instance}:${++sequence}`;
        const ticket = head.ticket;
        let reply: number[];
        asking = head;
        try {
          reply = integerReply(
            ACQUIRE,
            await runScript(
              redis,
              ACQUIRE,
              [keys.holders, keys.queue, keys.queueExpiry, keys.bucket, capacityArgs.limitKey],
              [
                ticket,
                capacityArgs.slots,
                capacityArgs.initial,
                leaseMs,
                options.rate?.requestsPerSecond ?? 0,
                options.rate?.burst ?? 1,
                keyTtlMs,
              ],
            ),
            4,
          );
        } catch (error) {
          if (!head.done) {
            queue.shift();
            head.fail(redisFailure(error));
          }
          continue;
        } finally {
          asking = undefined;
        }
        const [status = 0, waitMs = SLOT_RECHECK_MS] = reply;
        if (head.done) {
          // Aborted while Redis decided: give back what it got, a slot or a place in the queue.
          free([ticket]);
          continue;
        }
        if (status === 1) {
          queue.shift();
          inFlight++;
          peakInFlight = Math.max(peakInFlight, inFlight);
          held.add(ticket);
          scheduleBeat();
          head.grant(permitFor(ticket));
          continue;
        }
        scheduleBeat();
        if (status === 2) await sleep(waitMs, false);
        else await sleep(Math.min(waitMs, SLOT_RECHECK_MS), true);
      }
    } finally {
      driving = false;
    }
  };

  const queueTimeout = (maxWaitMs: number): ResilienceError =>
    new ResilienceError(
      'rate_limited',
      'queue-timeout',
      `connector ${connector}: no shared request slot within ${maxWaitMs} ms (${queue.length} waiting here, ${inFlight} in flight here); nothing was sent`,
      {
        connector,
        hint: `more work than the ERP's limits allow across all workers; send less at once, or raise connectors.${connector}.resilience.rateLimit`,
      },
    );

  const acquire = (signal?: AbortSignal): Promise<RateLimitPermit> =>
    new Promise<RateLimitPermit>((resolve, reject) => {
      if (closed) {
        reject(closedError());
        return;
      }
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      const leave = (reason: unknown) => {
        if (waiter.done) return;
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
        settle();
        reject(reason);
        // A ticket Redis is deciding on is given back by drive when the answer comes.
        if (waiter.ticket !== undefined && asking !== waiter) free([waiter.ticket]);
        if (index === 0) wake(false);
      };
      const onAbort = () => leave(signal?.reason);
      const settle = () => {
        waiter.done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        ticket: undefined,
        done: false,
        grant: (permit) => {
          settle();
          resolve(permit);
        },
        fail: (error) => {
          settle();
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const { maxWaitMs } = options;
      if (maxWaitMs !== undefined) timer = setTimeout(() => leave(queueTimeout(maxWaitMs)), maxWaitMs);
      queue.push(waiter);
      void drive();
    });

  return {
    acquire,
    snapshot: (): RateLimiterSnapshot => ({ inFlight, waiting: queue.length, peakInFlight }),
    async usage() {
      const [inFlightAll = 0, waitingAll = 0] = integerReply(
        USAGE,
        await runScript(redis, USAGE, [keys.holders, keys.queue, keys.queueExpiry], []),
        2,
      );
      return { inFlight: inFlightAll, waiting: waitingAll };
    },
    recheck: () => wake(true),
    async close() {
      if (closed) return;
      const ids = [...held];
      const tickets = queue.flatMap((waiter) => (waiter.ticket === undefined ? [] : [waiter.ticket]));
      for (const waiter of queue.splice(0)) waiter.fail(closedError());
      wake(false);
      stopListening();
      clearTimeout(heartbeat);
      heartbeat = undefined;
      held.clear();
      closed = true;
      if (ids.length + tickets.length === 0) return;
      try {
        await runScript(
          redis,
          RELEASE,
          [keys.holders, keys.queue, keys.queueExpiry],
          [channel, ...ids, ...tickets],
        );
      } catch (error) {
        onError(
          new Error(
            `connector ${connector}: could not free this process's shared slots in Redis (${location}) on close: ${describeError(error)}; they return when their lease ends (${leaseMs} ms)`,
          ),
        );
      }
    },
  };
}
