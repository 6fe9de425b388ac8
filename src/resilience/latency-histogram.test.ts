import { describe, expect, it } from 'vitest';
import { seededRandom } from '../ai/embedded/seeded-random.ts';
import { createLatencyHistogram, MIN_LATENCY_MS } from './latency-histogram.ts';

/** The exact quantile of a sorted list, by the same rank rule (nearest rank). */
function exact(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] ?? 0;
}

describe('latency histogram', () => {
  it('is all zeros while empty', () => {
    expect(createLatencyHistogram().summary()).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });

  it('one value: every quantile is that value', () => {
    const histogram = createLatencyHistogram();
    histogram.record(42);
    expect(histogram.summary()).toEqual({ count: 1, p50: 42, p95: 42, p99: 42, max: 42 });
  });

  it('quantiles within 1 % of the exact ones, over four orders of magnitude', () => {
    const random = seededRandom(3);
    const histogram = createLatencyHistogram();
    // Log-normal-ish latencies from 0.5 ms to about 5 s.
    const values = Array.from({ length: 20_000 }, () => 0.5 * 10 ** (random() * 4));
    for (const value of values) histogram.record(value);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.95, 0.99, 0.999]) {
      const relative = Math.abs(histogram.quantile(q) - exact(sorted, q)) / exact(sorted, q);
      expect(relative).toBeLessThan(0.01);
    }
    expect(histogram.summary().max).toBe(sorted.at(-1));
    expect(histogram.summary().count).toBe(20_000);
  });

  it('sub-resolution and enormous values are kept in the end buckets, quantiles clamped to what was seen', () => {
    const histogram = createLatencyHistogram();
    histogram.record(0);
    histogram.record(0.001);
    histogram.record(1e12);
    expect(histogram.quantile(0)).toBeLessThanOrEqual(MIN_LATENCY_MS);
    expect(histogram.quantile(0.5)).toBeLessThanOrEqual(MIN_LATENCY_MS);
    expect(histogram.quantile(1)).toBe(1e12);
  });

  it('refuses negative, NaN and infinite latencies and quantiles outside [0, 1]', () => {
    const histogram = createLatencyHistogram();
    expect(() => histogram.record(-1)).toThrow(RangeError);
    expect(() => histogram.record(Number.NaN)).toThrow(RangeError);
    expect(() => histogram.record(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => histogram.quantile(1.5)).toThrow(new RangeError('a quantile is between 0 and 1, not 1.5'));
  });
});
