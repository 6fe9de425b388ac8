import { seededRandom, shuffleInPlace } from './seeded-random.ts';

/**
 * Splits example indices into train and validation label by label, so a rare label is held out in
 * proportion. Deterministic for a given seed. A label with a single example stays in training.
 *
 * @param targets class index of each example
 * @param validationShare share of each label's examples to hold out, rounded, in (0, 1)
 * @throws RangeError when the share is out of range or the validation split comes out empty
 */
export function stratifiedSplit(
  targets: Int32Array,
  validationShare: number,
  seed: number,
): { train: Int32Array; validation: Int32Array } {
  if (!(validationShare > 0 && validationShare < 1)) {
    throw new RangeError(`validationShare must be between 0 and 1 (exclusive), got ${validationShare}`);
  }
  const random = seededRandom(seed);
  const byLabel = new Map<number, number[]>();
  targets.forEach((label, i) => {
    const indices = byLabel.get(label) ?? [];
    indices.push(i);
    byLabel.set(label, indices);
  });
  const train: number[] = [];
  const validation: number[] = [];
  for (const label of [...byLabel.keys()].sort((a, b) => a - b)) {
    const indices = shuffleInPlace(Int32Array.from(byLabel.get(label) ?? []), random);
    const held = Math.round(indices.length * validationShare);
    indices.forEach((index, position) => {
      (position < held ? validation : train).push(index);
    });
  }
  if (validation.length === 0) {
    throw new RangeError('the validation split is empty: add examples or raise validationShare');
  }
  return { train: Int32Array.from(train).sort(), validation: Int32Array.from(validation).sort() };
}
