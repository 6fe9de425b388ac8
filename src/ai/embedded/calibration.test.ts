import { describe, expect, test } from 'vitest';
import { expectedCalibrationError } from '../eval/metrics.ts';
import { fitTemperature, negativeLogLikelihood } from './calibration.ts';
import { createMatrix, type DenseMatrix, matrixFromRows, rowOf } from './dense-matrix.ts';
import { seededRandom } from './seeded-random.ts';
import { softmaxProbabilities } from './softmax-regression.ts';

/**
 * Two-class rows whose true probability of class 1 is sigmoid(z), but whose logits claim
 * sigmoid(3z): an over-confident model. The right temperature is therefore 3.
 */
function overconfident(rows: number, seed: number): { logits: DenseMatrix; labels: Int32Array } {
  const random = seededRandom(seed);
  const logits = createMatrix(rows, 2);
  const labels = new Int32Array(rows);
  for (let row = 0; row < rows; row++) {
    const z = random() * 6 - 3;
    logits.data[row * 2 + 1] = 3 * z;
    labels[row] = random() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { logits, labels };
}

function ece(logits: DenseMatrix, labels: Int32Array, temperature: number): number {
  const probabilities = softmaxProbabilities(logits, temperature);
  const confidences: number[] = [];
  const correct: boolean[] = [];
  for (let row = 0; row < logits.rows; row++) {
    const [p0 = 0, p1 = 0] = rowOf(probabilities, row);
    confidences.push(Math.max(p0, p1));
    correct.push((p1 > p0 ? 1 : 0) === labels[row]);
  }
  return expectedCalibrationError(confidences, correct);
}

describe('fitTemperature', () => {
  test('recovers the temperature of an over-confident model and lowers NLL and ECE', () => {
    const { logits, labels } = overconfident(20_000, 1);
    const fit = fitTemperature(logits, labels);
    expect(fit.temperature).toBeGreaterThan(2.8);
    expect(fit.temperature).toBeLessThan(3.2);
    expect(fit.nllAfter).toBeLessThan(fit.nllBefore);
    expect(ece(logits, labels, fit.temperature)).toBeLessThan(0.02);
    expect(ece(logits, labels, 1)).toBeGreaterThan(0.05);
  });

  test('finds the minimum: nearby temperatures are no better', () => {
    const { logits, labels } = overconfident(2_000, 2);
    const { temperature, nllAfter } = fitTemperature(logits, labels);
    expect(negativeLogLikelihood(logits, labels, temperature * 1.01)).toBeGreaterThanOrEqual(nllAfter);
    expect(negativeLogLikelihood(logits, labels, temperature / 1.01)).toBeGreaterThanOrEqual(nllAfter);
  });

  test('rejects an empty validation set and a bad range', () => {
    expect(() => fitTemperature(createMatrix(0, 2), [])).toThrow('needs at least one validation row');
    expect(() => fitTemperature(matrixFromRows([[0, 1]]), [1], { min: 2, max: 1 })).toThrow(
      'the temperature range must satisfy 0 < min < max, got 2..1',
    );
  });
});

describe('negativeLogLikelihood', () => {
  test('equals −ln p of the true class, by hand', () => {
    const logits = matrixFromRows([[0, Math.log(3)]]);
    expect(negativeLogLikelihood(logits, [1], 1)).toBeCloseTo(-Math.log(0.75), 12);
    expect(negativeLogLikelihood(logits, [0], 1)).toBeCloseTo(-Math.log(0.25), 12);
  });

  test('rejects a label outside the classes', () => {
    expect(() => negativeLogLikelihood(matrixFromRows([[0, 1]]), [2], 1)).toThrow(
      'label 0 must be an integer in 0..1, got 2',
    );
  });
});
