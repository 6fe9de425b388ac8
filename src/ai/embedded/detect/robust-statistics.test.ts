import { describe, expect, it } from 'vitest';
import { MAD_TO_SIGMA, median, medianAbsoluteDeviation, robustSummary } from './robust-statistics.ts';

describe('robust statistics', () => {
  it('takes the median of odd and even samples without reordering the input', () => {
    const values = [5, 1, 3];
    expect(median(values)).toBe(3);
    expect(values).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('is not dragged by an outlier the way a mean is', () => {
    const prices = [10, 10.5, 9.8, 10.2, 10.1, 1000];
    expect(median(prices)).toBeCloseTo(10.15, 10);
    expect(medianAbsoluteDeviation(prices)).toBeCloseTo(0.25, 10);
  });

  it('floors the scale so that a flat history still divides', () => {
    expect(robustSummary([2, 2, 2, 2], 0.05)).toEqual({ count: 4, median: 2, scale: 0.05 });
    const summary = robustSummary([1, 2, 3, 4, 5], 0.01);
    expect(summary.scale).toBeCloseTo(MAD_TO_SIGMA * 1, 10);
  });
});
