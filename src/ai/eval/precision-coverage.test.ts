import { describe, expect, it } from 'vitest';
import { expectedCalibrationError } from './metrics.ts';
import {
  coverageAt,
  precisionCoverageCurve,
  thinCurve,
  thresholdForPrecision,
} from './precision-coverage.ts';
import { reliability } from './reliability.ts';

describe('precision at coverage', () => {
  const confidences = [0.99, 0.95, 0.95, 0.9, 0.8, 0.6, 0.5, 0.4];
  const correct = [true, true, false, true, true, false, true, false];

  it('has one point per distinct confidence, most confident first, ties together', () => {
    const curve = precisionCoverageCurve(confidences, correct);
    expect(curve.map((point) => point.threshold)).toEqual([0.99, 0.95, 0.9, 0.8, 0.6, 0.5, 0.4]);
    expect(curve[1]).toEqual({ threshold: 0.95, coverage: 3 / 8, precision: 2 / 3, count: 3 });
    expect(curve.at(-1)).toEqual({ threshold: 0.4, coverage: 1, precision: 5 / 8, count: 8 });
  });

  it('picks the cut with the most coverage that keeps the precision, resting on enough answers', () => {
    const curve = precisionCoverageCurve(confidences, correct);
    expect(thresholdForPrecision(curve, 0.8)).toMatchObject({
      threshold: 0.8,
      coverage: 5 / 8,
      precision: 0.8,
    });
    expect(thresholdForPrecision(curve, 1)).toMatchObject({ threshold: 0.99, count: 1 });
    expect(thresholdForPrecision(curve, 1, 2)).toBeNull();
    expect(() => thresholdForPrecision(curve, 0)).toThrow('precision must be in (0, 1], got 0');
  });

  it('measures any threshold, including one no answer reaches', () => {
    expect(coverageAt(confidences, correct, 0.9)).toEqual({ coverage: 0.5, precision: 0.75, count: 4 });
    expect(coverageAt(confidences, correct, 1)).toEqual({ coverage: 0, precision: 0, count: 0 });
    expect(() => coverageAt([0.5], [], 0.5)).toThrow('1 confidences but 0 outcomes');
  });

  it('thins a long curve evenly by coverage and keeps its end', () => {
    const many = Array.from({ length: 1000 }, (_, i) => 1 - i / 1000);
    const curve = precisionCoverageCurve(
      many,
      many.map((_, i) => i % 3 !== 0),
    );
    const thin = thinCurve(curve, 50);
    expect(thin.length).toBeLessThanOrEqual(51);
    expect(thin.at(-1)).toEqual(curve.at(-1));
  });
});

describe('reliability', () => {
  it('bins by confidence and gives the same ECE as expectedCalibrationError', () => {
    const confidences = [0.05, 0.15, 0.55, 0.58, 0.95, 0.97, 1];
    const correct = [false, false, true, false, true, true, true];
    const { bins, ece } = reliability(confidences, correct);
    expect(bins).toHaveLength(10);
    expect(bins[5]).toMatchObject({ from: 0.5, to: 0.6, count: 2, accuracy: 0.5 });
    expect(bins[5]?.confidence).toBeCloseTo(0.565, 10);
    expect(bins[9]).toMatchObject({ count: 3, accuracy: 1 });
    expect(ece).toBeCloseTo(expectedCalibrationError(confidences, correct), 12);
    expect(() => reliability([1.2], [true])).toThrow('confidence 0 must be in 0..1, got 1.2');
  });
});
