import { describe, expect, test } from 'vitest';
import { createMatrix, type DenseMatrix, matrixFromRows, rowOf } from './dense-matrix.ts';
import { seededRandom } from './seeded-random.ts';
import {
  fitSoftmaxRegression,
  softmaxLogits,
  softmaxObjective,
  softmaxProbabilities,
  zeroSoftmaxModel,
} from './softmax-regression.ts';

/** Three well separated Gaussian blobs in 2-D, plus a zero column that must not matter. */
function blobs(perClass: number, seed: number): { x: DenseMatrix; labels: Int32Array } {
  const random = seededRandom(seed);
  const centres = [
    [-3, 0],
    [3, 0],
    [0, 4],
  ];
  const x = createMatrix(perClass * centres.length, 3);
  const labels = new Int32Array(x.rows);
  centres.forEach(([cx = 0, cy = 0], label) => {
    for (let i = 0; i < perClass; i++) {
      const row = label * perClass + i;
      x.data[row * 3] = cx + (random() - 0.5) * 2;
      x.data[row * 3 + 1] = cy + (random() - 0.5) * 2;
      labels[row] = label;
    }
  });
  return { x, labels };
}

function argmaxRow(matrix: DenseMatrix, row: number): number {
  const values = rowOf(matrix, row);
  let best = 0;
  for (let k = 1; k < values.length; k++) if ((values[k] ?? 0) > (values[best] ?? 0)) best = k;
  return best;
}

describe('softmaxObjective', () => {
  test('its gradient matches central finite differences', () => {
    const random = seededRandom(7);
    const x = createMatrix(25, 4);
    for (let p = 0; p < x.data.length; p++) x.data[p] = random() < 0.3 ? 0 : random() * 4 - 2;
    const labels = Int32Array.from({ length: 25 }, () => Math.floor(random() * 3));
    const model = zeroSoftmaxModel(4, 3);
    for (let p = 0; p < model.weights.length; p++) model.weights[p] = random() - 0.5;
    for (let k = 0; k < 3; k++) model.bias[k] = random() - 0.5;
    const l2 = 0.3;

    const { weightGradient, biasGradient } = softmaxObjective(model, x, labels, l2);
    const h = 1e-6;
    const numeric = (parameters: Float64Array, p: number): number => {
      const held = parameters[p] ?? 0;
      parameters[p] = held + h;
      const up = softmaxObjective(model, x, labels, l2).loss;
      parameters[p] = held - h;
      const down = softmaxObjective(model, x, labels, l2).loss;
      parameters[p] = held;
      return (up - down) / (2 * h);
    };
    for (let p = 0; p < model.weights.length; p++) {
      expect(weightGradient[p]).toBeCloseTo(numeric(model.weights, p), 7);
    }
    for (let k = 0; k < 3; k++) expect(biasGradient[k]).toBeCloseTo(numeric(model.bias, k), 7);
  });

  test('is ln(classes) for an all-zero model and no penalty', () => {
    const x = matrixFromRows([
      [1, 2],
      [3, 4],
    ]);
    expect(softmaxObjective(zeroSoftmaxModel(2, 4), x, [0, 3], 1).loss).toBeCloseTo(Math.log(4), 12);
  });
});

describe('fitSoftmaxRegression', () => {
  test('learns a separable three-class problem and gives confident, normalised probabilities', () => {
    const { x, labels } = blobs(100, 3);
    const { model, loss } = fitSoftmaxRegression(x, labels, { classes: 3 });
    const probabilities = softmaxProbabilities(softmaxLogits(model, x));
    let correct = 0;
    for (let row = 0; row < x.rows; row++) {
      if (argmaxRow(probabilities, row) === labels[row]) correct++;
      const sum = rowOf(probabilities, row).reduce((total, p) => total + p, 0);
      expect(sum).toBeCloseTo(1, 12);
    }
    expect(correct).toBe(x.rows);
    expect(loss).toBeLessThan(0.1);
  });

  test('is deterministic: the same data and seed give bit-identical weights', () => {
    const { x, labels } = blobs(50, 11);
    const first = fitSoftmaxRegression(x, labels, { classes: 3, epochs: 5, seed: 9 });
    const second = fitSoftmaxRegression(x, labels, { classes: 3, epochs: 5, seed: 9 });
    expect(Array.from(second.model.weights)).toEqual(Array.from(first.model.weights));
    expect(Array.from(second.model.bias)).toEqual(Array.from(first.model.bias));
    const reseeded = fitSoftmaxRegression(x, labels, { classes: 3, epochs: 5, seed: 10 });
    expect(Array.from(reseeded.model.weights)).not.toEqual(Array.from(first.model.weights));
  });

  test('reaches the optimum: the full-batch gradient is near zero after training', () => {
    const random = seededRandom(5);
    const x = createMatrix(400, 3);
    const labels = new Int32Array(400);
    for (let row = 0; row < 400; row++) {
      const a = random() * 2 - 1;
      const b = random() * 2 - 1;
      x.data[row * 3] = a;
      x.data[row * 3 + 1] = b;
      x.data[row * 3 + 2] = a * b;
      // Noisy labels keep the optimum finite, so the gradient there is exactly zero.
      labels[row] = random() < 0.8 ? (a + b > 0 ? 1 : 0) : random() < 0.5 ? 2 : 0;
    }
    const { model } = fitSoftmaxRegression(x, labels, { classes: 3, l2: 1e-3, epochs: 1000, batchSize: 400 });
    const { weightGradient, biasGradient } = softmaxObjective(model, x, labels, 1e-3);
    const largest = Math.max(...weightGradient.map(Math.abs), ...biasGradient.map(Math.abs));
    expect(largest).toBeLessThan(1e-3);
  });

  test('a stronger L2 penalty gives smaller weights', () => {
    const { x, labels } = blobs(50, 4);
    const norm = (l2: number): number =>
      fitSoftmaxRegression(x, labels, { classes: 3, l2 }).model.weights.reduce((s, w) => s + w * w, 0);
    expect(norm(1)).toBeLessThan(norm(1e-4));
  });

  test('a feature that is always zero keeps a zero weight', () => {
    const { x, labels } = blobs(30, 8);
    const { model } = fitSoftmaxRegression(x, labels, { classes: 3, l2: 0.01 });
    expect(Array.from(model.weights.subarray(2 * 3, 3 * 3))).toEqual([0, 0, 0]);
  });

  test('rejects bad options and labels before training', () => {
    const x = matrixFromRows([[1], [2]]);
    expect(() => fitSoftmaxRegression(x, [0, 1], { classes: 1 })).toThrow(
      /classes must be an integer ≥ 2, got 1/,
    );
    expect(() => fitSoftmaxRegression(x, [0, 1], { classes: 2, epochs: 0 })).toThrow(/epochs must be/);
    expect(() => fitSoftmaxRegression(x, [0, 1], { classes: 2, l2: -1 })).toThrow(/l2 must be/);
    expect(() => fitSoftmaxRegression(x, [0, 2], { classes: 2 })).toThrow(
      /label 1 must be an integer in 0..1, got 2/,
    );
    expect(() => fitSoftmaxRegression(x, [0], { classes: 2 })).toThrow(/expected 2 labels, got 1/);
    const nan = matrixFromRows([[Number.NaN], [1]]);
    expect(() => fitSoftmaxRegression(nan, [0, 1], { classes: 2 })).toThrow(
      /feature 0 of row 0 is not finite/,
    );
  });
});

describe('softmaxProbabilities', () => {
  test('is stable for large logits and honours the temperature', () => {
    const logits = matrixFromRows([[1000, 1000 + Math.log(3)]]);
    const [low, high] = softmaxProbabilities(logits).data;
    expect(low).toBeCloseTo(0.25, 12);
    expect(high).toBeCloseTo(0.75, 12);
    const softened = softmaxProbabilities(logits, 2).data;
    expect(softened[1]).toBeCloseTo(Math.sqrt(3) / (1 + Math.sqrt(3)), 12);
    expect(() => softmaxProbabilities(logits, 0)).toThrow(/temperature must be a finite number > 0/);
  });

  test('logits reject rows of the wrong width', () => {
    expect(() => softmaxLogits(zeroSoftmaxModel(3, 2), matrixFromRows([[1, 2]]))).toThrow(
      /the model expects 3 features, the rows have 2/,
    );
  });
});
