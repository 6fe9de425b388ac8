import { z } from 'zod';
import { fullBucket, type TokenBucket, type TokenRate, takeToken } from './token-bucket.ts';

/**
 * How fast and how many at once one connector may call its ERP: data, with documented defaults.
 *
 * @example
 *   rateLimit: { requestsPerSecond: 20, burst: 1, maxInFlight: 8, maxWaitMs: 60000 }
 */
export const RateLimitPolicy = z.strictObject({
  /**
   * Requests started per second (a token bucket; fractions allowed, 0.5 is one every 2 s), or `null`
   * for no rate limit — only `maxInFlight` then. Default null.
   */
  requestsPerSecond: z.number().gt(0).max(100_000).nullable().default(null),
  /**
   * Requests that may start back to back when tokens have piled up. 1 (default) spreads requests
   * evenly: at most `requestsPerSecond` in any one-second window. The price of that guarantee: a
   * full bucket cannot bank the time a timer fires late, so a saturated limiter reaches about 97 %
   * of the rate (48.5 of 50/s measured). `burst: 2` recovers it and may start two back to back.
   */
  burst: z.int().min(1).max(100_000).default(1),
  /** Requests in flight at once. 1–1024, default 8. */
  maxInFlight: z.int().min(1).max(1024).default(8),
  /**
   * Longest wait for a slot and a token, in ms; a call that waits longer fails with a
   * `queue-timeout` verdict (kind `rate_limited`) without being sent. 1–3 600 000, default 60 000.
   */
  maxWaitMs: z.int().min(1).max(3_600_000).default(60_000),
});
export type RateLimitPolicy = z.infer<typeof RateLimitPolicy>;

/** Proof of a granted request slot; release it exactly once when the request ends, whatever happened. */
export interface RateLimitPermit {
  /** Frees the slot. Idempotent; never throws. */
  release(): void;
}

/** What a limiter is doing now, for figures. */
export interface RateLimiterSnapshot {
  inFlight: number;
  waiting: number;
  /** Most requests in flight at once since the limiter was made. */
  peakInFlight: number;
}

/**
 * The seam for a limiter shared by every worker of a deployment: this process's
 * {@link createRateLimiter} implements it in memory; `src/distributed/redis-rate-limiter.ts`
 * implements it in Redis (a token bucket and a leased semaphore) so all workers together respect
 * one ERP's limits. `withResilience` accepts any implementation.
 */
export interface SharedRateLimiter {
  /**
   * Waits, first come first served, for an in-flight slot and then a token. Rejects with
   * `signal.reason` when `signal` aborts first; the waiter then leaves the queue at once.
   */
  acquire(signal?: AbortSignal): Promise<RateLimitPermit>;
  /** This process's view of the limiter. */
  snapshot(): RateLimiterSnapshot;
}

/** Options of the in-memory limiter. */
export interface RateLimiterOptions {
  /** Requests started per second, or null for none. */
  requestsPerSecond: number | null;
  /** Tokens held at most; see {@link RateLimitPolicy}. */
  burst: number;
  /** Slots: a number, or a function read at each decision (adaptive concurrency moves it). */
  maxInFlight: number | (() => number);
  /** Clock in ms; default `performance.now`, which never goes backwards. */
  now?: () => number;
}

interface Waiter {
  grant(permit: RateLimitPermit): void;
}

/**
 * An in-memory {@link SharedRateLimiter}: a token bucket for the rate and a counter for the slots,
 * behind one FIFO queue. The head of the queue waits for a slot, then for a token; nobody behind
 * it overtakes, so a call waits at most as long as the calls before it.
 *
 * The token is taken at the moment the request may start, never earlier, so requests leave at the
 * bucket's pace even when they queued for a slot.
 *
 * @example
 *   const limiter = createRateLimiter({ requestsPerSecond: 20, burst: 1, maxInFlight: 8 });
 *   const permit = await limiter.acquire(signal);
 *   try { await erp.get('purchase_orders', '4500000012'); } finally { permit.release(); }
 */
export function createRateLimiter(options: RateLimiterOptions): SharedRateLimiter {
  const now = options.now ?? (() => performance.now());
  const slots = typeof options.maxInFlight === 'number' ? constant(options.maxInFlight) : options.maxInFlight;
  const rate: TokenRate | undefined =
    options.requestsPerSecond === null
      ? undefined
      : { requestsPerSecond: options.requestsPerSecond, burst: options.burst };
  let bucket: TokenBucket | undefined = rate === undefined ? undefined : fullBucket(rate, now());
  const queue: Waiter[] = [];
  let inFlight = 0;
  let peakInFlight = 0;
  let tokenTimer: NodeJS.Timeout | undefined;

  const permit = (): RateLimitPermit => {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        inFlight--;
        pump();
      },
    };
  };

  /** Grants the head of the queue whatever it can have now; sets a timer for the next token. */
  const pump = (): void => {
    while (queue.length > 0 && tokenTimer === undefined) {
      if (inFlight >= slots()) return; // a release will pump again
      if (rate !== undefined && bucket !== undefined) {
        const take = takeToken(bucket, rate, now());
        bucket = take.bucket;
        if (!take.taken) {
          tokenTimer = setTimeout(() => {
            tokenTimer = undefined;
            pump();
          }, take.waitMs);
          return;
        }
      }
      const head = queue.shift();
      if (head === undefined) return;
      inFlight++;
      peakInFlight = Math.max(peakInFlight, inFlight);
      head.grant(permit());
    }
  };

  const acquire = (signal?: AbortSignal): Promise<RateLimitPermit> =>
    new Promise<RateLimitPermit>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
        if (queue.length === 0 && tokenTimer !== undefined) {
          clearTimeout(tokenTimer);
          tokenTimer = undefined;
        }
        reject(signal?.reason);
        // The head may have left: the next one may be grantable now.
        pump();
      };
      const waiter: Waiter = {
        grant: (granted) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(granted);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
      pump();
    });

  return {
    acquire,
    snapshot: () => ({ inFlight, waiting: queue.length, peakInFlight }),
  };
}

function constant(value: number): () => number {
  return () => value;
}
