import { describe, expect, it } from 'vitest';
import type { Features } from '../contract.ts';
import { ConfidenceModel, confidenceFeatures } from './confidence-model.ts';
import { LabelMemory } from './label-memory.ts';
import { seededRandom } from './seeded-random.ts';

const row = (merchant: string): Features => ({ numeric: { [`merchant=${merchant}`]: 1 }, text: '' });

describe('confidenceFeatures', () => {
  it('reads the top probability, its margin and whether each key was last coded alike', () => {
    // 'tesco' was coded 0, 0, then 1: its newest line says 1.
    const memory = LabelMemory.build(
      [row('tesco'), row('tesco'), row('tesco')],
      [0, 0, 1],
      3,
      [{ prefix: 'merchant=' }],
      [2],
    );
    const [logit, top, margin, seen, agrees] = confidenceFeatures([0.7, 0.2, 0.1], 0, row('tesco'), memory);
    expect(logit).toBeCloseTo(Math.log(0.7 / 0.3));
    expect(top).toBe(0.7);
    expect(margin).toBeCloseTo(0.5);
    expect([seen, agrees]).toEqual([1, -1]);
    expect(confidenceFeatures([0.3, 0.6, 0.1], 1, row('tesco'), memory).slice(3)).toEqual([1, 1]);
    expect(confidenceFeatures([0.3, 0.6, 0.1], 1, row('aldi'), memory).slice(3)).toEqual([0, 0]);
    expect(confidenceFeatures([0.3, 0.6, 0.1], 1, row('aldi'), null)).toHaveLength(3);
  });
});

describe('ConfidenceModel', () => {
  // Answers are right with probability p when the newest line agreed, much less often when it did not.
  const random = seededRandom(7);
  const rows: number[][] = [];
  const right: boolean[] = [];
  for (let i = 0; i < 2000; i++) {
    const p = 0.5 + 0.5 * random();
    const agrees = random() < 0.7 ? 1 : -1;
    rows.push([Math.log(p / (1 - p)), p, agrees]);
    right.push(random() < (agrees === 1 ? p : p * 0.3));
  }

  it('learns that a disagreeing newest line makes an answer less likely right, and round-trips', () => {
    const model = ConfidenceModel.fit(rows, right, { seed: 1 });
    expect(model.width).toBe(3);
    const agreeing = model.confidence([Math.log(0.9 / 0.1), 0.9, 1]);
    const drifting = model.confidence([Math.log(0.9 / 0.1), 0.9, -1]);
    expect(agreeing).toBeGreaterThan(0.8);
    expect(drifting).toBeLessThan(0.5);
    const restored = ConfidenceModel.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    expect(restored.confidence([0, 0.5, 1])).toBe(model.confidence([0, 0.5, 1]));
  });

  it('refuses to learn from answers that were all right, saying how many', () => {
    expect(() => ConfidenceModel.fit([[1], [2]], [true, true], { seed: 1 })).toThrow(/2 of 2 right/);
    expect(() =>
      ConfidenceModel.fromJSON({
        format: 1,
        mean: [0],
        scale: [1],
        weights: [],
        bias: 0,
        examples: 1,
        rightShare: 1,
      }),
    ).toThrow(/confidence model/);
  });
});
