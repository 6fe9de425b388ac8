import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRateLimiter, type RateLimitPermit, RateLimitPolicy } from './rate-limit.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const now = () => Date.now();

/** Starts `count` acquisitions and records when and in which order each is granted. */
function contenders(acquire: () => Promise<RateLimitPermit>, count: number) {
  const granted: { index: number; at: number; permit: RateLimitPermit }[] = [];
  for (let index = 0; index < count; index++) {
    void acquire().then((permit) => granted.push({ index, at: Date.now(), permit }));
  }
  return granted;
}

describe('RateLimitPolicy', () => {
  it('has the documented defaults: no rate, 8 in flight, 60 s wait', () => {
    expect(RateLimitPolicy.parse({})).toEqual({
      requestsPerSecond: null,
      burst: 1,
      maxInFlight: 8,
      maxWaitMs: 60_000,
    });
  });

  it.each([
    { requestsPerSecond: 0 },
    { requestsPerSecond: -1 },
    { burst: 0 },
    { maxInFlight: 0 },
    { maxInFlight: 2.5 },
  ])('%j is refused', (input) => {
    expect(RateLimitPolicy.safeParse(input).success).toBe(false);
  });
});

describe('createRateLimiter', () => {
  it('admits maxInFlight at once; the rest wait and are served first come, first served', async () => {
    const limiter = createRateLimiter({ requestsPerSecond: null, burst: 1, maxInFlight: 2, now });
    const granted = contenders(() => limiter.acquire(), 5);
    await vi.advanceTimersByTimeAsync(0);
    expect(granted.map((grant) => grant.index)).toEqual([0, 1]);
    expect(limiter.snapshot()).toEqual({ inFlight: 2, waiting: 3, peakInFlight: 2 });
    granted[1]?.permit.release();
    await vi.advanceTimersByTimeAsync(0);
    granted[0]?.permit.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(granted.map((grant) => grant.index)).toEqual([0, 1, 2, 3]);
    expect(limiter.snapshot()).toEqual({ inFlight: 2, waiting: 1, peakInFlight: 2 });
  });

  it('releasing twice frees one slot only', async () => {
    const limiter = createRateLimiter({ requestsPerSecond: null, burst: 1, maxInFlight: 1, now });
    const granted = contenders(() => limiter.acquire(), 3);
    await vi.advanceTimersByTimeAsync(0);
    granted[0]?.permit.release();
    granted[0]?.permit.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(granted.map((grant) => grant.index)).toEqual([0, 1]);
    expect(limiter.snapshot().inFlight).toBe(1);
  });

  it('spaces starts by the token rate: 10/s with burst 1 is one every 100 ms', async () => {
    const limiter = createRateLimiter({ requestsPerSecond: 10, burst: 1, maxInFlight: 100, now });
    const granted = contenders(() => limiter.acquire(), 4);
    await vi.advanceTimersByTimeAsync(350);
    expect(granted.map((grant) => grant.at)).toEqual([0, 100, 200, 300]);
  });

  it('a burst starts at once after an idle period, then the rate applies', async () => {
    const limiter = createRateLimiter({ requestsPerSecond: 10, burst: 3, maxInFlight: 100, now });
    const granted = contenders(() => limiter.acquire(), 5);
    await vi.advanceTimersByTimeAsync(250);
    expect(granted.map((grant) => grant.at)).toEqual([0, 0, 0, 100, 200]);
  });

  it('takes the token only when a slot is free, so requests that queued for a slot still leave at the rate', async () => {
    const limiter = createRateLimiter({ requestsPerSecond: 10, burst: 5, maxInFlight: 1, now });
    const granted = contenders(() => limiter.acquire(), 3);
    await vi.advanceTimersByTimeAsync(0);
    // The first holds its slot a long time; tokens pile up to the burst meanwhile.
    await vi.advanceTimersByTimeAsync(2000);
    granted[0]?.permit.release();
    await vi.advanceTimersByTimeAsync(0);
    granted[1]?.permit.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(granted.map((grant) => [grant.index, grant.at])).toEqual([
      [0, 0],
      [1, 2000],
      [2, 2000],
    ]);
  });

  it('reads a maxInFlight function at each decision (adaptive concurrency moves it)', async () => {
    let slots = 1;
    const limiter = createRateLimiter({ requestsPerSecond: null, burst: 1, maxInFlight: () => slots, now });
    const granted = contenders(() => limiter.acquire(), 4);
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toHaveLength(1);
    slots = 3;
    granted[0]?.permit.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(granted.map((grant) => grant.index)).toEqual([0, 1, 2, 3]);
  });

  it('an aborted waiter leaves the queue at once, rejected with the reason, and the next one moves up', async () => {
    const limiter = createRateLimiter({ requestsPerSecond: null, burst: 1, maxInFlight: 1, now });
    const first = await limiter.acquire();
    const controller = new AbortController();
    const abandoned = limiter.acquire(controller.signal);
    const next = limiter.acquire();
    const reason = new Error('the run was cancelled');
    controller.abort(reason);
    await expect(abandoned).rejects.toBe(reason);
    expect(limiter.snapshot().waiting).toBe(1);
    first.release();
    await expect(next).resolves.toBeDefined();
  });

  it('an aborted head waiting for a token hands its turn to the next without waiting for the timer', async () => {
    const limiter = createRateLimiter({ requestsPerSecond: 1, burst: 1, maxInFlight: 10, now });
    await limiter.acquire();
    const controller = new AbortController();
    const abandoned = limiter.acquire(controller.signal);
    controller.abort(new Error('gone'));
    await expect(abandoned).rejects.toThrow('gone');
    expect(limiter.snapshot()).toMatchObject({ waiting: 0, inFlight: 1 });
    const granted = contenders(() => limiter.acquire(), 1);
    await vi.advanceTimersByTimeAsync(999);
    expect(granted).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(granted.map((grant) => grant.at)).toEqual([1000]);
  });

  it('an already aborted signal rejects without queueing', async () => {
    const limiter = createRateLimiter({ requestsPerSecond: null, burst: 1, maxInFlight: 1, now });
    const reason = new Error('cancelled before');
    await expect(limiter.acquire(AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(limiter.snapshot()).toEqual({ inFlight: 0, waiting: 0, peakInFlight: 0 });
  });
});
