import { describe, expect, test } from 'vitest';
import { stratifiedSplit } from './stratified-split.ts';

describe('stratifiedSplit', () => {
  const targets = Int32Array.from([...Array(80).fill(0), ...Array(15).fill(1), ...Array(5).fill(2)]);

  test('holds out each label in proportion and uses every index once', () => {
    const { train, validation } = stratifiedSplit(targets, 0.2, 7);
    const count = (indices: Int32Array, label: number) =>
      Array.from(indices).filter((i) => targets[i] === label).length;
    expect([0, 1, 2].map((label) => count(validation, label))).toEqual([16, 3, 1]);
    expect([...train, ...validation].sort((a, b) => a - b)).toEqual(Array.from(targets.keys()));
  });

  test('is deterministic for a seed and differs between seeds', () => {
    const first = stratifiedSplit(targets, 0.2, 7);
    expect(stratifiedSplit(targets, 0.2, 7)).toEqual(first);
    expect(Array.from(stratifiedSplit(targets, 0.2, 8).validation)).not.toEqual(Array.from(first.validation));
  });

  test('keeps a single example of a label in training', () => {
    const { validation } = stratifiedSplit(Int32Array.from([0, 0, 0, 0, 0, 1]), 0.2, 1);
    expect(Array.from(validation).includes(5)).toBe(false);
  });

  test('rejects a share outside (0, 1) and an empty validation split', () => {
    expect(() => stratifiedSplit(targets, 1, 1)).toThrow(
      'validationShare must be between 0 and 1 (exclusive), got 1',
    );
    expect(() => stratifiedSplit(Int32Array.from([0, 1]), 0.2, 1)).toThrow('the validation split is empty');
  });
});
