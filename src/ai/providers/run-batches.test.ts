import { describe, expect, it } from 'vitest';
import { chunk, mapConcurrent } from './run-batches.ts';

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('chunk', () => {
  it('splits in order, the last batch holding the rest', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([1, 2], 5)).toEqual([[1, 2]]);
    expect(chunk([], 3)).toEqual([]);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => chunk([1], 0)).toThrow(new RangeError('batch size must be a positive integer, got 0'));
    expect(() => chunk([1], 1.5)).toThrow(RangeError);
  });
});

describe('mapConcurrent', () => {
  it('keeps input order whatever order the work finishes in', async () => {
    const results = await mapConcurrent([30, 5, 20, 1], 4, async (ms, index) => {
      await sleep(ms);
      return `${index}:${ms}`;
    });
    expect(results).toEqual(['0:30', '1:5', '2:20', '3:1']);
  });

  it('never has more than `concurrency` calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    await mapConcurrent(
      Array.from({ length: 9 }, (_, index) => index),
      3,
      async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await sleep(5);
        inFlight--;
      },
    );
    expect(most).toBe(3);
  });

  it('stops at the first failure: nothing new starts, calls in flight are aborted and awaited', async () => {
    const started: number[] = [];
    const settled: number[] = [];
    const failure = new Error('batch 1 failed');
    const error = await rejectionOf(
      mapConcurrent([0, 1, 2, 3, 4], 2, async (item, _index, signal) => {
        started.push(item);
        try {
          if (item === 1) throw failure;
          await sleep(1_000, signal);
        } finally {
          settled.push(item);
        }
      }),
    );
    expect(error).toBe(failure);
    expect(started).toEqual([0, 1]);
    // Item 0 was aborted and had settled before the promise rejected.
    expect(settled.sort()).toEqual([0, 1]);
  });

  it('rejects with the caller’s abort reason, before or during the work', async () => {
    const reason = new Error('cancelled');
    const controller = new AbortController();
    const pending = mapConcurrent(
      [1, 2, 3],
      1,
      (_item, _index, signal) => sleep(1_000, signal),
      controller.signal,
    );
    controller.abort(reason);
    expect(await rejectionOf(pending)).toBe(reason);

    let called = false;
    const before = mapConcurrent(
      [1],
      1,
      async () => {
        called = true;
      },
      AbortSignal.abort(reason),
    );
    expect(await rejectionOf(before)).toBe(reason);
    expect(called).toBe(false);
  });

  it('refuses a concurrency that is not a positive integer', async () => {
    expect(await rejectionOf(mapConcurrent([1], 0, async () => 1))).toEqual(
      new RangeError('concurrency must be a positive integer, got 0'),
    );
  });
});
