import { describe, expect, it } from 'vitest';
import type { Features } from '../contract.ts';
import { LabelMemory } from './label-memory.ts';
import { SparseEncoder } from './sparse-encoder.ts';
import { fitSparseSoftmax, sparseLogits } from './sparse-softmax.ts';

/** Rows whose class is told by one of three words, with a shared noise word and a number. */
function data(count: number): { rows: Features[]; labels: Int32Array } {
  const rows: Features[] = [];
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 3;
    labels[i] = label;
    rows.push({
      numeric: { [`word=${['fuel', 'books', 'food'][label]}`]: 1, 'word=card': 1, size: i % 7 },
      text: '',
    });
  }
  return { rows, labels };
}

describe('SparseEncoder', () => {
  it('keeps names seen often enough, standardises the continuous ones and ignores names it never saw', () => {
    const { rows } = data(30);
    const encoder = SparseEncoder.fit([...rows, { numeric: { 'word=rare': 1 }, text: 'Rare rare words' }], {
      minCount: 2,
      maxFeatures: 100,
      continuous: ['size'],
    });
    expect(encoder.width).toBe(5);
    expect(encoder.nameOf(0)).toBe('word=card');
    expect(encoder.isContinuous(4)).toBe(true);
    expect(encoder.isContinuous(3)).toBe(false);
    const x = encoder.encodeAll([{ numeric: { 'word=fuel': 1, 'word=new': 1, size: 3 }, text: '' }]);
    expect(Array.from(x.columns).map((column) => encoder.nameOf(column))).toEqual(['word=fuel', 'size']);
    const again = SparseEncoder.fromJSON(JSON.parse(JSON.stringify(encoder.toJSON())));
    expect(again.encodeAll(rows)).toEqual(encoder.encodeAll(rows));
  });
});

describe('fitSparseSoftmax', () => {
  it('learns the words, deterministically', () => {
    const { rows, labels } = data(90);
    const encoder = SparseEncoder.fit(rows, { minCount: 1, maxFeatures: 100, continuous: ['size'] });
    const x = encoder.encodeAll(rows);
    const options = { classes: 3, features: encoder.width, slots: 0, epochs: 5 };
    const model = fitSparseSoftmax(x, null, labels, options);
    const logits = sparseLogits(model, x, null);
    for (let row = 0; row < rows.length; row++) {
      const scores = Array.from(logits.subarray(row * 3, row * 3 + 3));
      expect(scores.indexOf(Math.max(...scores))).toBe(labels[row]);
    }
    expect(fitSparseSoftmax(x, null, labels, options).weights).toEqual(model.weights);
    expect(() => fitSparseSoftmax(x, null, labels.subarray(1), options)).toThrow('90 rows but 89 labels');
  });

  it('learns to trust a memory that is right, when the features alone cannot tell', () => {
    const rows: Features[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 200; i++) {
      const shop = `shop${i % 20}`;
      rows.push({ numeric: { [`merchant=${shop}`]: 1, 'anything=1': 1 }, text: '' });
      labels.push((i % 20) % 2);
    }
    const targets = Int32Array.from(labels);
    const memory = LabelMemory.build(rows, targets, 2, [{ prefix: 'merchant=' }], [2, 4]);
    // Features that say nothing: the memory is all there is.
    const encoder = SparseEncoder.fit(rows, { minCount: 1, maxFeatures: 1, continuous: [] });
    const x = encoder.encodeAll(rows);
    const model = fitSparseSoftmax(x, memory.terms(rows, targets), targets, {
      classes: 2,
      features: encoder.width,
      slots: memory.slots,
      epochs: 10,
    });
    expect(model.trust[memory.slotOf(0, 9)]).toBeGreaterThan(2);
    const logits = sparseLogits(
      model,
      encoder.encodeAll([rows[0] as Features]),
      memory.terms([rows[0] as Features]),
    );
    expect((logits[0] ?? 0) - (logits[1] ?? 0)).toBeGreaterThan(1);
  });
});
