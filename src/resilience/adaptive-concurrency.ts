import { z } from 'zod';
import { ErpError } from '../errors/index.ts';
import { createRateLimiter, type RateLimitPermit } from './rate-limit.ts';
import { ResilienceError } from './resilience-error.ts';

/**
 * Adaptive concurrency (AIMD): how many requests one connector keeps in flight, found by watching
 * the ERP. Additive increase while it answers fast, multiplicative decrease when it pushes back —
 * the way TCP finds a link's capacity, with a faster start until the first decrease. Off by
 * default.
 *
 * `latencyTolerance` is relative to the best window median seen, so it means "× the healthy
 * latency" only when a window ran at a low limit: `initial: 1` measures the unloaded ERP first.
 *
 * The defaults, and why (measured by `npm run bench:resilience` against the sandbox's app-server
 * model: 50 ms alone, + 2 ms per other request, a queue past 16 in flight):
 * - `initial: 1`, so the first window measures the unloaded ERP and the tolerance means
 *   "× healthy". Starting at 4 took the 4-in-flight latency as the baseline and the p95 reached 2.2×.
 * - `window: 10`: the climb from 1 costs a window per step; 10 successes judge a median well
 *   enough and the ramp takes about 1 s. With 20 the ramp took 3 s and cost 9 % of the throughput.
 * - `latencyTolerance: 1.5`: the limit settles just below the knee (about 14 in flight, p95 1.5×,
 *   87 % of the best fixed throughput). With 2 the median may double, and the p95 went past 2×.
 * - `backoffRatio: 0.9`: a latency rise is a soft signal and the limit should step back a little,
 *   not halve (halving sawed between 12 and 24 and lost a quarter of the throughput). A burst of
 *   429s or 5xx still cuts fast: each window of pushback cuts again.
 *
 * @example
 *   adaptive: { enabled: true, initial: 1, min: 1, max: 8, window: 10, latencyTolerance: 1.5, backoffRatio: 0.9 }
 */
export const AdaptiveConcurrencyPolicy = z
  .strictObject({
    /** Default false: the limit is `rateLimit.maxInFlight`, fixed. */
    enabled: z.boolean().default(false),
    /** Limit to start at. Default 1. */
    initial: z.int().min(1).max(1024).default(1),
    /** Floor of the limit. Default 1. */
    min: z.int().min(1).max(1024).default(1),
    /** Cap of the limit; not above `rateLimit.maxInFlight`. Default 8. */
    max: z.int().min(1).max(1024).default(8),
    /** Successful requests judged together; the limit moves at most once per window. Default 10. */
    window: z.int().min(1).max(10_000).default(10),
    /**
     * A window is healthy when its median latency is at most this many times the best window
     * median seen. 1–100, default 1.5.
     */
    latencyTolerance: z.number().min(1).max(100).default(1.5),
    /** Factor applied to the limit on a decrease, strictly between 0 and 1. Default 0.9. */
    backoffRatio: z.number().gt(0).lt(1).default(0.9),
  })
  .superRefine((policy, context) => {
    if (policy.min > policy.max) {
      context.addIssue({
        code: 'custom',
        path: ['min'],
        message: `min (${policy.min}) must not exceed max (${policy.max})`,
      });
    }
    if (policy.initial < policy.min || policy.initial > policy.max) {
      context.addIssue({
        code: 'custom',
        path: ['initial'],
        message: `initial (${policy.initial}) must be between min (${policy.min}) and max (${policy.max})`,
      });
    }
  });
export type AdaptiveConcurrencyPolicy = z.infer<typeof AdaptiveConcurrencyPolicy>;

/** The limiter's memory between two requests. */
export interface AdaptiveState {
  limit: number;
  /** Lowest window median latency seen, in ms; null before the first full window. */
  bestP50Ms: number | null;
  /** Latencies (ms) of the successes in the current window. */
  windowLatencies: readonly number[];
  /** When the limit last went down (clock ms); null if never — the limit is still in slow start. */
  lastDecreaseAt: number | null;
  /** When the limit last changed, up or down (clock ms); null if never. */
  lastChangeAt: number | null;
}

/** How one request ended, as far as capacity is concerned. */
export type RequestOutcome =
  | { kind: 'success'; startedAt: number; latencyMs: number }
  /** 429, 5xx, timeout or dropped connection: the ERP is pushing back. */
  | { kind: 'overload'; startedAt: number }
  /** Says nothing about capacity: a 404, a validation error, a cancellation. */
  | { kind: 'neutral'; startedAt: number };

/** The state a limiter starts in. */
export function initialAdaptiveState(policy: AdaptiveConcurrencyPolicy): AdaptiveState {
  return {
    limit: policy.initial,
    bestP50Ms: null,
    windowLatencies: [],
    lastDecreaseAt: null,
    lastChangeAt: null,
  };
}

/**
 * The state after one request ended. Pure. Rules, in order:
 *
 * 1. A request started before the last decrease is ignored: it was sent under the old limit and
 *    that limit has already been cut, so a burst of failures cuts once, not once per request.
 * 2. A success started before the last change of the limit, up or down, is ignored too: a window
 *    judges the limit its requests were sent under. Otherwise, once windows fill faster than a
 *    round trip, the limit keeps rising on the latency of a lower one and overshoots.
 * 3. `neutral` changes nothing.
 * 4. `overload`: decrease — `limit = max(min, floor(limit · backoffRatio))` — and start a new window.
 * 5. `success` adds its latency to the window. When the window holds `window` latencies, its
 *    median p50 is judged against the best median seen (which it may lower):
 *    - `p50 ≤ latencyTolerance · best`: increase, up to `max` — by half (at least one) until the
 *      first decrease, by one after it. The faster start (TCP's slow start, gentler) lets a limit
 *      that starts low reach the ERP's capacity in a few windows instead of one window per step;
 *      growing by half rather than doubling overshoots that capacity by at most half, for one window;
 *    - otherwise latency rose: decrease as in rule 4. Already at `min`, the window's p50 becomes
 *      the new best instead — the ERP is slower now even at the floor, and that is the new normal
 *      (without this a permanently slower ERP would hold the limit at `min` forever).
 *    Either way a new window starts.
 */
export function adaptLimit(
  state: AdaptiveState,
  outcome: RequestOutcome,
  policy: AdaptiveConcurrencyPolicy,
  now: number,
): AdaptiveState {
  if (state.lastDecreaseAt !== null && outcome.startedAt < state.lastDecreaseAt) return state;
  switch (outcome.kind) {
    case 'neutral':
      return state;
    case 'overload':
      return decrease(state, policy, now);
    case 'success': {
      if (state.lastChangeAt !== null && outcome.startedAt < state.lastChangeAt) return state;
      const windowLatencies = [...state.windowLatencies, outcome.latencyMs];
      if (windowLatencies.length < policy.window) return { ...state, windowLatencies };
      const p50 = median(windowLatencies);
      const best = state.bestP50Ms === null ? p50 : Math.min(state.bestP50Ms, p50);
      if (p50 <= policy.latencyTolerance * best) {
        const slowStart = state.lastDecreaseAt === null;
        const step = slowStart ? Math.max(1, Math.floor(state.limit / 2)) : 1;
        const limit = Math.min(policy.max, state.limit + step);
        return {
          ...state,
          limit,
          bestP50Ms: best,
          windowLatencies: [],
          lastChangeAt: limit === state.limit ? state.lastChangeAt : now,
        };
      }
      if (state.limit <= policy.min) return { ...state, bestP50Ms: p50, windowLatencies: [] };
      return decrease({ ...state, bestP50Ms: best }, policy, now);
    }
  }
}

function decrease(state: AdaptiveState, policy: AdaptiveConcurrencyPolicy, now: number): AdaptiveState {
  const limit = Math.max(policy.min, Math.floor(state.limit * policy.backoffRatio));
  return { ...state, limit, windowLatencies: [], lastDecreaseAt: now, lastChangeAt: now };
}

/** The median of a non-empty list (mean of the two middle values for an even count). Pure. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('the median of no values is undefined');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? upper) + upper) / 2;
}

/**
 * What an error says about capacity. Pure: an ErpError that is `rate_limited` or `transient`
 * (429, 5xx, timeouts, resets) or carries a 5xx status is `overload`; anything else — a 404, a
 * validation error, the caller's own cancellation, a verdict of this layer reached without asking
 * the ERP (a queue timeout) — is `neutral`.
 */
export function capacitySignal(error: unknown): 'overload' | 'neutral' {
  if (!(error instanceof ErpError) || error instanceof ResilienceError) return 'neutral';
  if (error.retryable) return 'overload';
  const { status } = error.context;
  return status !== undefined && status >= 500 ? 'overload' : 'neutral';
}

/** One point of the limit's history: from `at` (clock ms) on, the limit was `limit`. */
export interface LimitPoint {
  at: number;
  limit: number;
}

/** Most points kept in a limiter's history; older ones are dropped first. */
export const HISTORY_LENGTH = 1000;

/** A live adaptive limiter: the current limit, its history, and a gate that admits `limit` at a time. */
export interface AdaptiveLimiter {
  /** Requests admitted at once now. */
  readonly limit: number;
  /** The limit's changes, oldest first, starting with the initial limit; at most {@link HISTORY_LENGTH}. */
  readonly history: readonly LimitPoint[];
  /** Feeds one request's outcome to {@link adaptLimit}. */
  record(outcome: RequestOutcome): void;
  /**
   * Waits (FIFO) until fewer than `limit` requests are in flight. Rejects with `signal.reason` when
   * `signal` aborts first.
   */
  acquire(signal?: AbortSignal): Promise<RateLimitPermit>;
  /** Registers a listener for limit changes; returns the function that removes it. */
  onLimitChange(listener: (limit: number) => void): () => void;
}

/**
 * A stateful AIMD limiter around {@link adaptLimit}.
 *
 * @param now clock in ms, for history and the decrease rule; default `Date.now`. Outcomes'
 *   `startedAt` must come from the same clock.
 * @example
 *   const adaptive = createAdaptiveLimiter(policy);
 *   const permit = await adaptive.acquire(signal);
 *   const startedAt = Date.now();
 *   try { await call(); adaptive.record({ kind: 'success', startedAt, latencyMs: Date.now() - startedAt }); }
 *   catch (error) { adaptive.record({ kind: capacitySignal(error), startedAt }); throw error; }
 *   finally { permit.release(); }
 */
export function createAdaptiveLimiter(
  policy: AdaptiveConcurrencyPolicy,
  options: { now?: () => number } = {},
): AdaptiveLimiter {
  const now = options.now ?? Date.now;
  let state = initialAdaptiveState(policy);
  const history: LimitPoint[] = [{ at: now(), limit: state.limit }];
  const listeners = new Set<(limit: number) => void>();
  const gate = createRateLimiter({ requestsPerSecond: null, burst: 1, maxInFlight: () => state.limit, now });

  return {
    get limit() {
      return state.limit;
    },
    history,
    record(outcome) {
      const at = now();
      const next = adaptLimit(state, outcome, policy, at);
      const changed = next.limit !== state.limit;
      state = next;
      if (!changed) return;
      history.push({ at, limit: next.limit });
      if (history.length > HISTORY_LENGTH) history.splice(0, history.length - HISTORY_LENGTH);
      for (const listener of listeners) listener(next.limit);
    },
    acquire: (signal) => gate.acquire(signal),
    onLimitChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
