import { describe, expect, test } from 'vitest';
import { createMatrix, type DenseMatrix } from './dense-matrix.ts';
import {
  appendScoreBins,
  classScores,
  fitScoreBins,
  scoreBinsFromState,
  scoreBinsToState,
  scoreBinWidth,
} from './score-bins.ts';
import { seededRandom } from './seeded-random.ts';
import { fitSoftmaxRegression, softmaxLogits } from './softmax-regression.ts';

/**
 * Three classes by thresholds on s = a − 2b (at 0 and 3, over a range of about 40), with 4 % of
 * labels moved to a neighbour: a narrow middle class, which a linear score blurs because noisy
 * labels far from it pull its slopes flat.
 */
function diagonalSteps(rows: number, seed: number): { x: DenseMatrix; labels: Int32Array } {
  const random = seededRandom(seed);
  const x = createMatrix(rows, 2);
  const labels = new Int32Array(rows);
  for (let row = 0; row < rows; row++) {
    const a = random() * 40 - 3;
    const b = random() * 2;
    x.data[row * 2] = a;
    x.data[row * 2 + 1] = b;
    const s = a - 2 * b;
    const label = s < 0 ? 0 : s < 3 ? 1 : 2;
    labels[row] = random() < 0.04 ? (label === 1 ? (random() < 0.5 ? 0 : 2) : 1) : label;
  }
  return { x, labels };
}

function accuracy(logits: DenseMatrix, labels: Int32Array): number {
  let correct = 0;
  for (let row = 0; row < logits.rows; row++) {
    let best = 0;
    for (let k = 1; k < logits.cols; k++) {
      if ((logits.data[row * logits.cols + k] ?? 0) > (logits.data[row * logits.cols + best] ?? 0)) best = k;
    }
    if (best === labels[row]) correct++;
  }
  return correct / logits.rows;
}

describe('score bins', () => {
  const train = diagonalSteps(6_000, 1);
  const test_ = diagonalSteps(3_000, 2);
  const options = { classes: 3, seed: 3 };
  const bins = fitScoreBins(train.x, train.labels, [0, 1], 24, options);

  test('let a linear model draw sharp steps along a learned direction', () => {
    const plain = fitSoftmaxRegression(train.x, train.labels, options).model;
    const sharpened = fitSoftmaxRegression(
      appendScoreBins(bins, train.x).expanded,
      train.labels,
      options,
    ).model;
    const plainAccuracy = accuracy(softmaxLogits(plain, test_.x), test_.labels);
    const binnedAccuracy = accuracy(
      softmaxLogits(sharpened, appendScoreBins(bins, test_.x).expanded),
      test_.labels,
    );
    // 4 % of labels are noise, so 0.96 is the ceiling.
    expect(plainAccuracy).toBeLessThan(0.92);
    expect(binnedAccuracy).toBeGreaterThan(0.945);
  });

  test('append one bin per class to every row', () => {
    const { expanded, indices } = appendScoreBins(bins, test_.x);
    expect(expanded.cols).toBe(2 + scoreBinWidth(bins));
    expect(indices.length).toBe(test_.x.rows * 3);
    for (let row = 0; row < 10; row++) {
      const appended = expanded.data.subarray(row * expanded.cols + 2, (row + 1) * expanded.cols);
      expect(appended.reduce((sum, value) => sum + value, 0)).toBe(3);
    }
  });

  test('scores are per-class log-odds', () => {
    const scores = classScores(bins, test_.x);
    const logits = softmaxLogits(bins.model, test_.x);
    const [z0 = 0, z1 = 0, z2 = 0] = logits.data.subarray(0, 3);
    const p0 = Math.exp(z0) / (Math.exp(z0) + Math.exp(z1) + Math.exp(z2));
    expect(scores.data[0]).toBeCloseTo(Math.log(p0 / (1 - p0)), 10);
  });

  test('survive a JSON round trip and reject arrays that do not fit', () => {
    const state = JSON.parse(JSON.stringify(scoreBinsToState(bins)));
    const restored = scoreBinsFromState(state, 2);
    expect(Array.from(appendScoreBins(restored, test_.x).expanded.data)).toEqual(
      Array.from(appendScoreBins(bins, test_.x).expanded.data),
    );
    expect(() => scoreBinsFromState({ ...state, weights: [1] }, 2)).toThrow(
      'score bins: 1 weights and 3 edge lists do not fit 2 columns × 3 classes',
    );
    expect(() => scoreBinsFromState(state, 1)).toThrow(
      'score bins read a column outside the 1 encoded columns',
    );
  });

  test('need continuous columns and at least two quantiles', () => {
    expect(() => fitScoreBins(train.x, train.labels, [], 24, options)).toThrow(
      'at least one continuous column',
    );
    expect(() => fitScoreBins(train.x, train.labels, [0], 1, options)).toThrow(
      'score quantiles must be an integer ≥ 2, got 1',
    );
  });
});
