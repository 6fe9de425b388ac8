import { describe, expect, test } from 'vitest';
import { CRITICAL_NOTES, NEUTRAL_NOTES } from './catalogue.ts';
import {
  isCritical,
  isOnBoundary,
  slackDays,
  slackThousandths,
  URGENCY_LABELS,
  type UrgencyInputs,
  urgencyLabel,
  withLabelNoise,
} from './hidden-rules.ts';
import { createPrng } from './prng.ts';

// A supplier with lead 10 days at 90 % on time has an effective lead of 10 × (1 + 2 × 0.1) = 12 days,
// so the slack is simply days − 12.
const base: UrgencyInputs = {
  daysUntilNeed: 40,
  leadTimeDays: 10,
  onTimePct: 90,
  notes: '',
  totalAmount: 20_000,
};
const withSlack = (slack: number, extra: Partial<UrgencyInputs> = {}): UrgencyInputs => ({
  ...base,
  daysUntilNeed: 12 + slack,
  ...extra,
});

describe('slack', () => {
  test('is days minus lead × (1 + 2 × (1 − rel))', () => {
    expect(slackDays(withSlack(8))).toBe(8);
    expect(slackDays({ daysUntilNeed: 30, leadTimeDays: 14, onTimePct: 87.5 })).toBe(30 - 14 * 1.25);
    expect(slackDays({ daysUntilNeed: -5, leadTimeDays: 60, onTimePct: 55 })).toBe(-5 - 60 * 1.9);
  });

  test('is computed exactly, in thousandths of a day', () => {
    // In floating point 10 × (1 + 2 × (1 − 0.9)) is 11.999999999999998; exactly it is 12.
    expect(slackThousandths({ daysUntilNeed: 12, leadTimeDays: 10, onTimePct: 90 })).toBe(0);
    expect(slackThousandths({ daysUntilNeed: 20, leadTimeDays: 7, onTimePct: 93.5 })).toBe(20_000 - 7910);
  });

  test('isOnBoundary flags exactly the thresholds', () => {
    expect([0, 10_000, 12_000, 45_000].every(isOnBoundary)).toBe(true);
    expect([1, -1, 11_999, 45_001].some(isOnBoundary)).toBe(false);
  });
});

describe('critical notes', () => {
  test.each([
    'LINE DOWN',
    'line down at plant 3',
    'risk of Production Stoppage',
    'customer escalation - key account',
    'Expedite please',
    'RUSH order',
  ])('"%s" is critical', (notes) => {
    expect(isCritical(notes)).toBe(true);
  });

  test('every critical note of the catalogue is critical, and no neutral one is', () => {
    expect(CRITICAL_NOTES.every(isCritical)).toBe(true);
    expect(NEUTRAL_NOTES.some(isCritical)).toBe(false);
    expect(isCritical('')).toBe(false);
  });

  test('blank padding does not matter', () => {
    expect(isCritical('expedite please'.padEnd(60))).toBe(true);
  });
});

describe('urgencyLabel, rule by rule', () => {
  test('urgent when the slack is negative', () => {
    expect(urgencyLabel(withSlack(-1))).toBe('urgent');
    expect(urgencyLabel({ ...base, daysUntilNeed: -3 })).toBe('urgent');
  });

  test('a slack of exactly 0 is not urgent', () => {
    expect(urgencyLabel(withSlack(0))).toBe('high');
  });

  test('urgent when critical and the slack is under 10', () => {
    expect(urgencyLabel(withSlack(9, { notes: 'LINE DOWN' }))).toBe('urgent');
    expect(urgencyLabel(withSlack(9))).toBe('high');
  });

  test('critical with a slack of 10 or more is high, however much slack there is', () => {
    expect(urgencyLabel(withSlack(10, { notes: 'rush order' }))).toBe('high');
    expect(urgencyLabel(withSlack(100, { notes: 'rush order', totalAmount: 50 }))).toBe('high');
  });

  test('high when the slack is under 12', () => {
    expect(urgencyLabel(withSlack(11))).toBe('high');
    expect(urgencyLabel(withSlack(12))).toBe('normal');
  });

  test('low when the slack is over 45 and the total under 10000', () => {
    expect(urgencyLabel(withSlack(46, { totalAmount: 9999.99 }))).toBe('low');
    expect(urgencyLabel(withSlack(46, { totalAmount: 10_000 }))).toBe('normal');
    expect(urgencyLabel(withSlack(45, { totalAmount: 100 }))).toBe('normal');
  });

  test('normal otherwise', () => {
    expect(urgencyLabel(withSlack(30))).toBe('normal');
    expect(urgencyLabel(withSlack(200))).toBe('normal');
  });

  test('unreliable suppliers need more slack', () => {
    // A 10-day supplier: 25 days is plenty at 99 % on time; 19 days is too few at 50 % (20 days effective).
    expect(urgencyLabel({ ...base, daysUntilNeed: 25, onTimePct: 99 })).toBe('normal');
    expect(urgencyLabel({ ...base, daysUntilNeed: 19, onTimePct: 50 })).toBe('urgent');
  });
});

describe('withLabelNoise', () => {
  test('flips about 3 % of labels, always to a neighbour', () => {
    const prng = createPrng(99);
    const draws = 100_000;
    let flips = 0;
    for (let index = 0; index < draws; index++) {
      const label = URGENCY_LABELS[index % 4] ?? 'normal';
      const noisy = withLabelNoise(label, prng);
      if (noisy !== label) {
        flips++;
        expect(Math.abs(URGENCY_LABELS.indexOf(noisy) - URGENCY_LABELS.indexOf(label))).toBe(1);
      }
    }
    expect(flips / draws).toBeGreaterThan(0.027);
    expect(flips / draws).toBeLessThan(0.033);
  });

  test('urgent can only become high, and low only normal', () => {
    const prng = createPrng(5);
    const fromUrgent = new Set(Array.from({ length: 2000 }, () => withLabelNoise('urgent', prng, 1)));
    const fromLow = new Set(Array.from({ length: 2000 }, () => withLabelNoise('low', prng, 1)));
    const fromHigh = new Set(Array.from({ length: 2000 }, () => withLabelNoise('high', prng, 1)));
    expect([...fromUrgent]).toEqual(['high']);
    expect([...fromLow]).toEqual(['normal']);
    expect([...fromHigh].sort()).toEqual(['normal', 'urgent']);
  });
});
