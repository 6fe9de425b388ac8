import { describe, expect, test } from 'vitest';
import { type Contribution, describeValue, explainPrediction, strengthOf } from './explanation.ts';

const numeric = (display: string, effect: number): Contribution => ({
  feature: display,
  name: display,
  value: 0,
  effect,
  display,
  kind: 'numeric',
});

describe('strengthOf', () => {
  test('uses the documented thresholds on the absolute effect', () => {
    expect([2, -2.5, 1.99, 0.75, 0.74, -0.1].map(strengthOf)).toEqual([
      'strong',
      'strong',
      'moderate',
      'moderate',
      'weak',
      'weak',
    ]);
  });
});

describe('describeValue', () => {
  test('prints each format the way a buyer reads it', () => {
    expect(describeValue('days of slack', -4)).toBe('days of slack -4');
    expect(describeValue('expected late days', 3.26)).toBe('expected late days 3.3');
    expect(describeValue('supplier lead time', 21.84, 'days')).toBe('supplier lead time 21.8 days');
    expect(describeValue('supplier on-time rate', 0.624, 'percent')).toBe('supplier on-time rate 62%');
    expect(describeValue('already overdue', 1, 'flag')).toBe('already overdue');
    expect(describeValue('already overdue', 0, 'flag')).toBe('not already overdue');
    expect(describeValue('order amount', Math.log1p(12_345), 'log1p')).toBe('order amount 12,345');
  });
});

describe('explainPrediction', () => {
  test('names the three strongest supporting contributions, text without a strength', () => {
    const text: Contribution = {
      feature: 'flag:urgentNote',
      name: 'urgent note',
      value: 1,
      effect: 0.9,
      display: 'notes mention "line down"',
      kind: 'text',
    };
    const line = explainPrediction('urgent', 0.934, [
      numeric('order amount 900', 0.2),
      text,
      numeric('days of slack -4', 3.1),
      numeric('lead time 40', -1.5),
      numeric('supplier on-time rate 62%', 1.2),
    ]);
    expect(line).toBe(
      'urgent (0.93): days of slack -4 (strong), supplier on-time rate 62% (moderate), notes mention "line down"',
    );
  });

  test('names a phrase once even when a flag and a token both carry it', () => {
    const phrase = (feature: string, effect: number): Contribution => ({
      feature,
      name: feature,
      value: 1,
      effect,
      display: 'notes mention "rush"',
      kind: 'text',
    });
    expect(
      explainPrediction('urgent', 0.99, [
        phrase('flag:rushNote', 5),
        phrase('text:rush', 1),
        numeric('days left 3', 0.5),
      ]),
    ).toBe('urgent (0.99): notes mention "rush", days left 3 (weak)');
  });

  test('says so when nothing pushes toward the label', () => {
    expect(explainPrediction('normal', 0.5, [numeric('days of slack 20', -0.3)])).toBe(
      'normal (0.50): no single feature stands out',
    );
  });
});
