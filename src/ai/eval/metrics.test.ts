import { describe, expect, test } from 'vitest';
import {
  accuracy,
  classMetrics,
  confusionMatrix,
  evaluateClassifications,
  expectedCalibrationError,
  formatConfusionMatrix,
  macroF1,
} from './metrics.ts';

const labels = ['urgent', 'high', 'normal'] as const;
type Label = (typeof labels)[number];

// Hand-made case: 10 examples.
//            predicted: urgent high normal
// truth urgent            2     1     0
// truth high              1     3     0
// truth normal            0     1     2
const truth: Label[] = [
  'urgent',
  'urgent',
  'urgent',
  'high',
  'high',
  'high',
  'high',
  'normal',
  'normal',
  'normal',
];
const predicted: Label[] = [
  'urgent',
  'urgent',
  'high',
  'urgent',
  'high',
  'high',
  'high',
  'high',
  'normal',
  'normal',
];
const expectedMatrix = [
  [2, 1, 0],
  [1, 3, 0],
  [0, 1, 2],
];

describe('confusionMatrix', () => {
  test('rows are the truth, columns the prediction', () => {
    expect(confusionMatrix(truth, predicted, labels)).toEqual(expectedMatrix);
  });

  test('rejects unknown labels, duplicate labels and length mismatches', () => {
    expect(() => confusionMatrix(['urgent'], ['soon'], ['urgent'])).toThrow(
      'predicted[0] is "soon", not one of urgent',
    );
    expect(() => confusionMatrix(['x'], ['urgent'], ['urgent'])).toThrow(
      'truth[0] is "x", not one of urgent',
    );
    expect(() => confusionMatrix(['a'], ['a'], ['a', 'a'])).toThrow('labels must be distinct: a, a');
    expect(() => confusionMatrix(['a'], [], ['a'])).toThrow('truth has 1 labels but predicted has 0');
  });
});

describe('accuracy', () => {
  test('is the diagonal share: 7 of 10', () => {
    expect(accuracy(expectedMatrix)).toBeCloseTo(0.7, 12);
  });

  test('throws for an empty matrix and a ragged one', () => {
    expect(() => accuracy([[0]])).toThrow('accuracy needs at least one example');
    expect(() => accuracy([[1, 2], [3]])).toThrow('confusion matrix row 1 has 1 cells, expected 2');
  });
});

describe('classMetrics', () => {
  test('precision = TP / column sum, recall = TP / row sum, F1 = harmonic mean', () => {
    const [urgent, high, normal] = classMetrics(expectedMatrix, labels);
    // urgent: TP 2, predicted 3, support 3
    expect(urgent).toMatchObject({ label: 'urgent', support: 3 });
    expect(urgent?.precision).toBeCloseTo(2 / 3, 12);
    expect(urgent?.recall).toBeCloseTo(2 / 3, 12);
    expect(urgent?.f1).toBeCloseTo(2 / 3, 12);
    // high: TP 3, predicted 5, support 4 → P 0.6, R 0.75, F1 = 2·0.45/1.35 = 2/3
    expect(high?.precision).toBeCloseTo(0.6, 12);
    expect(high?.recall).toBeCloseTo(0.75, 12);
    expect(high?.f1).toBeCloseTo(2 / 3, 12);
    // normal: TP 2, predicted 2, support 3 → P 1, R 2/3, F1 0.8
    expect(normal?.precision).toBe(1);
    expect(normal?.recall).toBeCloseTo(2 / 3, 12);
    expect(normal?.f1).toBeCloseTo(0.8, 12);
  });

  test('a class never predicted has precision 0, a class never true has recall 0', () => {
    const [a, b] = classMetrics(
      [
        [3, 0],
        [2, 0],
      ],
      ['a', 'b'],
    );
    expect(b).toEqual({ label: 'b', precision: 0, recall: 0, f1: 0, support: 2 });
    expect(a?.recall).toBe(1);
    const [, unseen] = classMetrics(
      [
        [1, 1],
        [0, 0],
      ],
      ['a', 'b'],
    );
    expect(unseen).toEqual({ label: 'b', precision: 0, recall: 0, f1: 0, support: 0 });
  });
});

describe('macroF1', () => {
  test('averages the class F1 scores without weights', () => {
    expect(macroF1(expectedMatrix)).toBeCloseTo((2 / 3 + 2 / 3 + 0.8) / 3, 12);
  });

  test('leaves out a class that neither occurs nor is predicted', () => {
    expect(
      macroF1([
        [2, 0, 0],
        [0, 1, 0],
        [0, 0, 0],
      ]),
    ).toBe(1);
  });

  test('counts a class that is predicted but never occurs, as 0', () => {
    expect(
      macroF1([
        [1, 1],
        [0, 0],
      ]),
    ).toBeCloseTo((2 / 3 + 0) / 2, 12);
  });
});

describe('expectedCalibrationError', () => {
  test('is 0 when each bin’s accuracy equals its confidence', () => {
    expect(expectedCalibrationError([0.5, 0.5, 1, 1], [true, false, true, true])).toBeCloseTo(0, 12);
  });

  test('weights each bin’s gap by its share of predictions', () => {
    // bin 9 (0.9..1]: conf 0.95, 0.95, 1.0 → mean 0.9667, accuracy 1/3 → gap 0.6333, weight 3/4
    // bin 6 (0.6..0.7): conf 0.6 → accuracy 1 → gap 0.4, weight 1/4
    const ece = expectedCalibrationError([0.95, 0.95, 1, 0.6], [true, false, false, true]);
    expect(ece).toBeCloseTo((3 / 4) * Math.abs(1 / 3 - 2.9 / 3) + (1 / 4) * 0.4, 12);
  });

  test('respects the number of bins', () => {
    // One bin: |accuracy − mean confidence| = |0.5 − 0.7| = 0.2
    expect(expectedCalibrationError([0.9, 0.5], [true, false], 1)).toBeCloseTo(0.2, 12);
  });

  test('rejects confidences outside 0..1 and mismatched inputs', () => {
    expect(() => expectedCalibrationError([1.2], [true])).toThrow('confidence 0 must be in 0..1, got 1.2');
    expect(() => expectedCalibrationError([0.5], [])).toThrow('1 confidences but 0 outcomes');
    expect(() => expectedCalibrationError([], [])).toThrow('needs at least one prediction');
    expect(() => expectedCalibrationError([0.5], [true], 0)).toThrow('bins must be an integer ≥ 1, got 0');
  });
});

describe('evaluateClassifications', () => {
  test('bundles accuracy, macro-F1, per-class metrics and the matrix', () => {
    const report = evaluateClassifications(truth, predicted, labels);
    expect(report.examples).toBe(10);
    expect(report.accuracy).toBeCloseTo(0.7, 12);
    expect(report.confusionMatrix).toEqual(expectedMatrix);
    expect(report.perClass.map((metrics) => metrics.label)).toEqual([...labels]);
  });
});

describe('formatConfusionMatrix', () => {
  test('aligns labels left and counts right', () => {
    const table = formatConfusionMatrix(
      [
        [1234, 5],
        [0, 77],
      ],
      ['urgent', 'low'],
    );
    expect(table).toBe(
      [
        'truth \\ predicted  urgent  low',
        'urgent               1234    5',
        'low                     0   77',
      ].join('\n'),
    );
  });

  test('rejects a label count that does not match the matrix', () => {
    expect(() => formatConfusionMatrix([[1]], ['a', 'b'])).toThrow('the matrix has 1 classes but 2 labels');
  });
});
