import { describe, expect, it } from 'vitest';
import { ErpError } from '../errors/index.ts';
import {
  AdaptiveConcurrencyPolicy,
  type AdaptiveState,
  adaptLimit,
  capacitySignal,
  createAdaptiveLimiter,
  HISTORY_LENGTH,
  initialAdaptiveState,
  median,
  type RequestOutcome,
} from './adaptive-concurrency.ts';
import { ResilienceError } from './resilience-error.ts';

const policy = AdaptiveConcurrencyPolicy.parse({
  enabled: true,
  initial: 4,
  min: 2,
  max: 6,
  window: 3,
  latencyTolerance: 2,
  backoffRatio: 0.5,
});
const success = (latencyMs: number, startedAt = 100): RequestOutcome => ({
  kind: 'success',
  startedAt,
  latencyMs,
});
const overload = (startedAt = 100): RequestOutcome => ({ kind: 'overload', startedAt });

/** Feeds outcomes one by one at clock `now`. */
function run(state: AdaptiveState, outcomes: RequestOutcome[], now = 1000): AdaptiveState {
  return outcomes.reduce((current, outcome) => adaptLimit(current, outcome, policy, now), state);
}

describe('AdaptiveConcurrencyPolicy', () => {
  it('has the documented defaults, off', () => {
    expect(AdaptiveConcurrencyPolicy.parse({})).toEqual({
      enabled: false,
      initial: 1,
      min: 1,
      max: 8,
      window: 10,
      latencyTolerance: 1.5,
      backoffRatio: 0.9,
    });
  });

  it.each([
    [{ min: 5, max: 3, initial: 4 }, 'min (5) must not exceed max (3)'],
    [{ initial: 9 }, 'initial (9) must be between min (1) and max (8)'],
    [{ backoffRatio: 1 }, 'Too big: expected number to be <1'],
    [{ backoffRatio: 0 }, 'Too small: expected number to be >0'],
    [{ latencyTolerance: 0.9 }, 'Too small: expected number to be >=1'],
  ])('%j is refused: %s', (input, message) => {
    const result = AdaptiveConcurrencyPolicy.safeParse(input);
    expect(result.error?.issues[0]?.message).toBe(message);
  });
});

describe('adaptLimit, rule by rule', () => {
  const start = initialAdaptiveState(policy);
  /** Out of slow start: a decrease at 500 left the limit at 4, with a baseline of 10 ms. */
  const steady: AdaptiveState = {
    limit: 4,
    bestP50Ms: 10,
    windowLatencies: [],
    lastDecreaseAt: 500,
    lastChangeAt: 500,
  };
  /** Three successes of `latencyMs`, sent at 600 (after the decrease of `steady`). */
  const window = (latencyMs: number, startedAt = 600) => [1, 2, 3].map(() => success(latencyMs, startedAt));

  it('starts at initial, with no baseline, never changed', () => {
    expect(start).toEqual({
      limit: 4,
      bestP50Ms: null,
      windowLatencies: [],
      lastDecreaseAt: null,
      lastChangeAt: null,
    });
  });

  it('a success only fills the window until it is full', () => {
    expect(run(start, [success(10), success(12)])).toEqual({ ...start, windowLatencies: [10, 12] });
  });

  it('before the first decrease a full, healthy window grows the limit by half and becomes the baseline', () => {
    expect(run(start, [success(10), success(12), success(11)])).toEqual({
      ...start,
      limit: 6,
      bestP50Ms: 11,
      windowLatencies: [],
      lastChangeAt: 1000,
    });
  });

  it('slow start grows by half, at least one: 1, 2, 3, 4, 6, 9, 13, 19, 28, then max', () => {
    const wide = AdaptiveConcurrencyPolicy.parse({ enabled: true, initial: 1, max: 32, window: 1 });
    const limits: number[] = [];
    let state = initialAdaptiveState(wide);
    for (let step = 1; step <= 9; step++) {
      state = adaptLimit(state, success(10, step), wide, step);
      limits.push(state.limit);
    }
    expect(limits).toEqual([2, 3, 4, 6, 9, 13, 19, 28, 32]);
  });

  it('after a decrease a full, healthy window adds one', () => {
    expect(run(steady, window(10))).toEqual({ ...steady, limit: 5, lastChangeAt: 1000 });
  });

  it('increase stops at max', () => {
    let state = steady;
    for (let step = 1; step <= 5; step++) state = run(state, window(10, 1000 + step), 1000 + step);
    expect(state.limit).toBe(6);
  });

  it('a success sent before the last change is ignored: a window judges the limit it was sent under', () => {
    const grown = run(steady, window(10), 1000);
    expect(grown.limit).toBe(5);
    // Sent under the limit of 4, before the increase: says nothing about 5.
    expect(run(grown, window(50, 900), 1100)).toBe(grown);
    // Sent under 5: judged.
    expect(run(grown, window(50, 1000), 1100)).toMatchObject({ limit: 2, lastDecreaseAt: 1100 });
  });

  it('an overload sent before an increase still cuts: only a decrease makes older failures moot', () => {
    const grown = run(steady, window(10), 1000);
    expect(adaptLimit(grown, overload(800), policy, 1100).limit).toBe(2);
  });

  it('a window whose p50 is within latencyTolerance × best is healthy', () => {
    expect(run(steady, window(20)).limit).toBe(5);
  });

  it('a latency rise beyond the tolerance decreases multiplicatively', () => {
    const slow = run(steady, [success(25, 600), success(30, 600), success(21, 600)], 2000);
    expect(slow).toEqual({
      limit: 2,
      bestP50Ms: 10,
      windowLatencies: [],
      lastDecreaseAt: 2000,
      lastChangeAt: 2000,
    });
  });

  it('a faster window lowers the baseline', () => {
    expect(run(steady, [success(4, 600), success(5, 600), success(6, 600)]).bestP50Ms).toBe(5);
  });

  it('an overload decreases at once: floor(limit × backoffRatio), and starts a new window', () => {
    const filling = run(start, [success(10)]);
    expect(adaptLimit(filling, overload(), policy, 2000)).toEqual({
      ...filling,
      limit: 2,
      windowLatencies: [],
      lastDecreaseAt: 2000,
      lastChangeAt: 2000,
    });
  });

  it('the decrease never goes below min', () => {
    const atFloor = { ...start, limit: 2 };
    expect(adaptLimit(atFloor, overload(), policy, 2000).limit).toBe(2);
    const three = { ...start, limit: 3 };
    expect(adaptLimit(three, overload(), policy, 2000).limit).toBe(2);
  });

  it('a burst of overloads from requests sent before the cut decreases once, not once per request', () => {
    const cut = adaptLimit({ ...start, limit: 6 }, overload(100), policy, 1000);
    expect(cut.limit).toBe(3);
    const after = run(cut, [overload(200), overload(900), success(99, 999)], 1100);
    expect(after).toEqual(cut);
    // A request sent after the cut that fails does cut again.
    expect(adaptLimit(cut, overload(1000), policy, 1200).limit).toBe(2);
  });

  it('neutral outcomes change nothing', () => {
    const filling = run(start, [success(10)]);
    expect(adaptLimit(filling, { kind: 'neutral', startedAt: 500 }, policy, 2000)).toBe(filling);
  });

  it('a slow window at the floor re-bases instead: that latency is the new normal', () => {
    const floor = { ...steady, limit: 2 };
    const rebased = run(floor, window(55));
    expect(rebased).toEqual({ ...floor, bestP50Ms: 55, windowLatencies: [] });
    // From there it grows again while latency holds.
    expect(run(rebased, window(60)).limit).toBe(3);
  });
});

describe('median', () => {
  it.each([
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ])('%j → %d', (values, expected) => {
    expect(median(values)).toBe(expected);
  });
  it('of nothing is an error', () => {
    expect(() => median([])).toThrow(new RangeError('the median of no values is undefined'));
  });
});

describe('capacitySignal', () => {
  it.each<[string, unknown, 'overload' | 'neutral']>([
    ['429', new ErpError('rate_limited', '429', { status: 429 }), 'overload'],
    ['503', new ErpError('transient', '503', { status: 503 }), 'overload'],
    ['timeout', new ErpError('transient', 'did not finish within 10000 ms'), 'overload'],
    ['501 (permanent, still the server)', new ErpError('permanent', '501', { status: 501 }), 'overload'],
    ['404', new ErpError('permanent', '404', { status: 404 }), 'neutral'],
    ['422', new ErpError('validation', '422', { status: 422 }), 'neutral'],
    ['412', new ErpError('conflict', '412', { status: 412 }), 'neutral'],
    ['a cancellation', new DOMException('aborted', 'AbortError'), 'neutral'],
    [
      'a queue timeout, decided without asking the ERP',
      new ResilienceError('rate_limited', 'queue-timeout', 'no slot'),
      'neutral',
    ],
  ])('%s → %s', (_name, error, signal) => {
    expect(capacitySignal(error)).toBe(signal);
  });
});

describe('createAdaptiveLimiter', () => {
  it('keeps the history of limit changes with their times, and tells listeners', () => {
    let clock = 0;
    const limiter = createAdaptiveLimiter(policy, { now: () => clock });
    const heard: number[] = [];
    limiter.onLimitChange((limit) => heard.push(limit));
    for (let request = 0; request < 3; request++) {
      clock += 10;
      limiter.record(success(10, clock));
    }
    clock = 100;
    limiter.record(overload(95));
    expect(limiter.limit).toBe(3);
    expect(limiter.history).toEqual([
      { at: 0, limit: 4 },
      { at: 30, limit: 6 },
      { at: 100, limit: 3 },
    ]);
    expect(heard).toEqual([6, 3]);
  });

  it('keeps at most HISTORY_LENGTH points, dropping the oldest', () => {
    let clock = 0;
    const flapping = AdaptiveConcurrencyPolicy.parse({
      enabled: true,
      initial: 2,
      min: 1,
      max: 2,
      window: 1,
    });
    const limiter = createAdaptiveLimiter(flapping, { now: () => clock });
    for (let step = 0; step < HISTORY_LENGTH * 2; step++) {
      clock++;
      limiter.record(step % 2 === 0 ? overload(clock) : success(1, clock));
    }
    expect(limiter.history).toHaveLength(HISTORY_LENGTH);
    expect(limiter.history[0]?.at).toBeGreaterThan(HISTORY_LENGTH);
  });

  it('its gate admits `limit` requests at once and follows the limit as it moves', async () => {
    let clock = 0;
    const limiter = createAdaptiveLimiter(policy, { now: () => clock });
    const permits = await Promise.all([1, 2, 3, 4].map(() => limiter.acquire()));
    let fifthGranted = false;
    const fifth = limiter.acquire().then((permit) => {
      fifthGranted = true;
      return permit;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(fifthGranted).toBe(false);
    // An overload halves the limit to 2: two releases are not enough for the fifth to start.
    clock = 10;
    limiter.record(overload(5));
    permits[0]?.release();
    permits[1]?.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(fifthGranted).toBe(false);
    permits[2]?.release();
    (await fifth).release();
    expect(fifthGranted).toBe(true);
    permits[3]?.release();
  });
});
