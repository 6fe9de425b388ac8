import { describe, expect, test } from 'vitest';
import { fullBucket, takeToken } from './token-bucket.ts';

const policy = { perSecond: 10, burst: 3 };

describe('takeToken', () => {
  test('a full bucket allows `burst` requests at once, then refuses with the wait for one token', () => {
    let bucket = fullBucket(policy, 0);
    const allowed: boolean[] = [];
    for (let index = 0; index < 4; index++) {
      const take = takeToken(bucket, policy, 0);
      allowed.push(take.allowed);
      bucket = take.bucket;
    }
    expect(allowed).toEqual([true, true, true, false]);
    expect(takeToken(bucket, policy, 0)).toMatchObject({ allowed: false, waitMs: 100 });
    expect(takeToken(bucket, policy, 40)).toMatchObject({ allowed: false, waitMs: 60 });
    expect(takeToken(bucket, policy, 100)).toMatchObject({ allowed: true, waitMs: 0 });
  });

  test('refills at the rate, never beyond the burst', () => {
    const empty = { tokens: 0, at: 0 };
    expect(takeToken(empty, policy, 10_000).bucket).toEqual({ tokens: 2, at: 10_000 });
  });

  test('a clock that went backwards refills nothing', () => {
    expect(takeToken({ tokens: 0.5, at: 1000 }, policy, 500)).toMatchObject({ allowed: false, waitMs: 50 });
  });
});
