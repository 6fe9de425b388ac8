/**
 * Token-bucket arithmetic, pure: the bucket is a value, the clock a parameter. A bucket holds at
 * most `burst` tokens and gains `requestsPerSecond` of them per second; a request takes one.
 *
 * Consequence worth knowing when an ERP documents "at most L requests per second": in any window
 * of T seconds at most `burst + requestsPerSecond·T` requests start — strictly fewer for a
 * half-open window — so `burst: 1` with `requestsPerSecond: L` never starts more than L requests
 * in any one-second window.
 */

/** The rate a bucket refills at and how many tokens it holds at most. */
export interface TokenRate {
  /** Tokens gained per second; > 0. */
  requestsPerSecond: number;
  /** Most tokens held at once: requests that may start back to back; ≥ 1. */
  burst: number;
}

/** A bucket's content at a moment. */
export interface TokenBucket {
  tokens: number;
  /** Clock reading (ms) the token count is for. */
  at: number;
}

/** What taking a token gave. */
export type TakeResult =
  | { taken: true; bucket: TokenBucket }
  /** No whole token yet: try again in `waitMs` (> 0). */
  | { taken: false; bucket: TokenBucket; waitMs: number };

/** A full bucket at `now`: a fresh limiter lets `burst` requests start at once. */
export function fullBucket(rate: TokenRate, now: number): TokenBucket {
  return { tokens: rate.burst, at: now };
}

/**
 * The bucket at `now`: tokens gained since its reading, never above `burst`. A clock that went
 * backwards gains nothing (and does not lose tokens either).
 */
export function refill(bucket: TokenBucket, rate: TokenRate, now: number): TokenBucket {
  const elapsedMs = Math.max(0, now - bucket.at);
  const tokens = Math.min(rate.burst, bucket.tokens + (elapsedMs * rate.requestsPerSecond) / 1000);
  return { tokens, at: Math.max(now, bucket.at) };
}

/**
 * Takes one token at `now` if a whole one is there; otherwise says how long until there is.
 * `waitMs` is rounded up to a whole millisecond so waking after it always finds the token.
 */
export function takeToken(bucket: TokenBucket, rate: TokenRate, now: number): TakeResult {
  const current = refill(bucket, rate, now);
  if (current.tokens >= 1) return { taken: true, bucket: { tokens: current.tokens - 1, at: current.at } };
  const waitMs = Math.max(1, Math.ceil(((1 - current.tokens) * 1000) / rate.requestsPerSecond));
  return { taken: false, bucket: current, waitMs };
}
