/** A token bucket's state: how many tokens it holds and when that was computed (ms since the epoch). */
export interface TokenBucket {
  tokens: number;
  at: number;
}

/** A token bucket's policy: it holds at most `burst` tokens and gains `perSecond` a second. */
export interface TokenBucketPolicy {
  perSecond: number;
  burst: number;
}

/** The outcome of {@link takeToken}: the new state, and when refused, how long until a token is there. */
export interface TokenTake {
  bucket: TokenBucket;
  allowed: boolean;
  /** 0 when allowed; otherwise the milliseconds until the bucket holds a whole token again. */
  waitMs: number;
}

/** A full bucket at `now`. */
export function fullBucket(policy: TokenBucketPolicy, now: number): TokenBucket {
  return { tokens: policy.burst, at: now };
}

/**
 * Refills the bucket for the time since its state was computed, then takes one token if there is
 * one. Pure: the caller keeps the returned state. A clock that went backwards refills nothing.
 */
export function takeToken(bucket: TokenBucket, policy: TokenBucketPolicy, now: number): TokenTake {
  const elapsedMs = Math.max(0, now - bucket.at);
  const tokens = Math.min(policy.burst, bucket.tokens + (elapsedMs * policy.perSecond) / 1000);
  const at = Math.max(now, bucket.at);
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, at }, allowed: true, waitMs: 0 };
  return { bucket: { tokens, at }, allowed: false, waitMs: ((1 - tokens) * 1000) / policy.perSecond };
}
