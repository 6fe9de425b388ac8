/**
 * Robust location and scale: the median and the median absolute deviation (MAD), which a few wild
 * values — the anomalies themselves — cannot drag the way they drag a mean and a standard deviation.
 */

/** The median of `values` (not modified); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? upper) + upper) / 2;
}

/** The median absolute deviation from `center` (default: the median). */
export function medianAbsoluteDeviation(values: readonly number[], center = median(values)): number {
  return median(values.map((value) => Math.abs(value - center)));
}

/** 1.4826 × MAD estimates the standard deviation of normally distributed data. */
export const MAD_TO_SIGMA = 1.4826;

/** Location and scale of a sample, robustly. */
export interface RobustSummary {
  count: number;
  median: number;
  /** 1.4826 × MAD, never below `minScale`. */
  scale: number;
}

/** Median and scaled MAD of `values`; the scale is floored at `minScale` so a flat history is no divisor of 0. */
export function robustSummary(values: readonly number[], minScale: number): RobustSummary {
  const center = median(values);
  return {
    count: values.length,
    median: center,
    scale: Math.max(minScale, MAD_TO_SIGMA * medianAbsoluteDeviation(values, center)),
  };
}
