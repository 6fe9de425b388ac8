import { describe, expect, test } from 'vitest';
import { createPrng, deriveSeed } from './prng.ts';

describe('createPrng', () => {
  test('the same seed gives the same sequence', () => {
    const a = createPrng(42);
    const b = createPrng(42);
    const draws = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(draws);
  });

  test('another seed gives another sequence', () => {
    expect(createPrng(1).next()).not.toBe(createPrng(2).next());
  });

  test('next() stays in [0, 1) and int() in its inclusive range', () => {
    const prng = createPrng(7);
    const seen = new Set<number>();
    for (let index = 0; index < 10_000; index++) {
      const value = prng.next();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
      seen.add(prng.int(3, 6));
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  test('pick() refuses an empty list', () => {
    expect(() => createPrng(1).pick([])).toThrow('cannot pick from an empty list');
  });
});

describe('deriveSeed', () => {
  test('streams of one seed differ, and are stable', () => {
    expect(deriveSeed(42, 'open')).not.toBe(deriveSeed(42, 'history'));
    expect(deriveSeed(42, 'open')).toBe(deriveSeed(42, 'open'));
    expect(deriveSeed(42, 'open')).not.toBe(deriveSeed(43, 'open'));
  });
});
