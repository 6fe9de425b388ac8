import { describe, expect, test } from 'vitest';
import { etagOf, ifMatchSatisfied, nextUpdatedAt } from './record-version.ts';

describe('record version', () => {
  const current = etagOf('2025-01-01T10:00:00.000Z');

  test('the ETag is updated_at in double quotes', () => {
    expect(current).toBe('"2025-01-01T10:00:00.000Z"');
  });

  test('If-Match matches by strong comparison, in a list or as *', () => {
    expect(ifMatchSatisfied(current, current)).toBe(true);
    expect(ifMatchSatisfied(`"x", ${current}`, current)).toBe(true);
    expect(ifMatchSatisfied('*', current)).toBe(true);
    expect(ifMatchSatisfied(`W/${current}`, current)).toBe(false);
    expect(ifMatchSatisfied('"2025-01-01T10:00:00.001Z"', current)).toBe(false);
    expect(ifMatchSatisfied('2025-01-01T10:00:00.000Z', current)).toBe(false);
  });

  test('updated_at strictly increases, by 1 ms when the clock has not moved on', () => {
    const previous = '2025-01-01T10:00:00.000Z';
    expect(nextUpdatedAt(previous, Date.parse(previous))).toBe('2025-01-01T10:00:00.001Z');
    expect(nextUpdatedAt(previous, Date.parse(previous) - 5000)).toBe('2025-01-01T10:00:00.001Z');
    expect(nextUpdatedAt(previous, Date.parse('2025-02-01T00:00:00.000Z'))).toBe('2025-02-01T00:00:00.000Z');
  });
});
