import { describe, expect, it } from 'vitest';
import { fullBucket, refill, type TokenBucket, takeToken } from './token-bucket.ts';

const rate = { requestsPerSecond: 10, burst: 3 };

describe('token bucket, with a fake clock', () => {
  it('starts full: burst requests may start at once', () => {
    let bucket = fullBucket(rate, 0);
    for (let request = 0; request < 3; request++) {
      const take = takeToken(bucket, rate, 0);
      expect(take.taken).toBe(true);
      bucket = take.bucket;
    }
    expect(takeToken(bucket, rate, 0)).toEqual({ taken: false, bucket: { tokens: 0, at: 0 }, waitMs: 100 });
  });

  it('refills at requestsPerSecond, never above burst', () => {
    const empty: TokenBucket = { tokens: 0, at: 1000 };
    expect(refill(empty, rate, 1050).tokens).toBeCloseTo(0.5);
    expect(refill(empty, rate, 1100).tokens).toBeCloseTo(1);
    expect(refill(empty, rate, 60_000).tokens).toBe(3);
  });

  it('says how long until the next whole token, rounded up to a millisecond', () => {
    const take = takeToken({ tokens: 0.25, at: 0 }, rate, 0);
    expect(take).toMatchObject({ taken: false, waitMs: 75 });
    const third = { requestsPerSecond: 3, burst: 1 };
    // 333.33… ms to a token: wait 334, and at 334 the token is there.
    const waiting = takeToken({ tokens: 0, at: 0 }, third, 0);
    expect(waiting).toMatchObject({ taken: false, waitMs: 334 });
    expect(takeToken(waiting.bucket, third, 334).taken).toBe(true);
  });

  it('fractional rates: 0.5 per second is one every 2 s', () => {
    const slow = { requestsPerSecond: 0.5, burst: 1 };
    expect(takeToken({ tokens: 0, at: 0 }, slow, 0)).toMatchObject({ waitMs: 2000 });
    expect(takeToken({ tokens: 0, at: 0 }, slow, 1999).taken).toBe(false);
    expect(takeToken({ tokens: 0, at: 0 }, slow, 2000).taken).toBe(true);
  });

  it('a clock going backwards neither adds nor removes tokens', () => {
    expect(refill({ tokens: 1.5, at: 5000 }, rate, 4000)).toEqual({ tokens: 1.5, at: 5000 });
  });

  it('over a simulated minute, starts never exceed burst + rate·T in any window T', () => {
    const steady = { requestsPerSecond: 20, burst: 1 };
    let bucket = fullBucket(steady, 0);
    const starts: number[] = [];
    // A greedy client asking every millisecond.
    for (let now = 0; now < 60_000; now++) {
      const take = takeToken(bucket, steady, now);
      bucket = take.bucket;
      if (take.taken) starts.push(now);
    }
    expect(starts.length).toBe(1 + 20 * 60 - 1);
    for (let first = 0; first < starts.length; first++) {
      const start = starts[first] ?? 0;
      const inWindow = starts.filter((at) => at >= start && at < start + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(20);
    }
  });
});
