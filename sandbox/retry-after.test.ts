import { describe, expect, test } from 'vitest';
import { retryAfterValue } from './retry-after.ts';

const NOW = Date.parse('2025-06-15T10:00:00.000Z');

describe('retryAfterValue', () => {
  test('seconds round up, and never say 0', () => {
    expect(retryAfterValue(1200, NOW, 'seconds')).toBe('2');
    expect(retryAfterValue(1000, NOW, 'seconds')).toBe('1');
    expect(retryAfterValue(5, NOW, 'seconds')).toBe('1');
  });

  test('an HTTP-date is the first whole second at or after the wait', () => {
    expect(retryAfterValue(1200, NOW, 'http-date')).toBe('Sun, 15 Jun 2025 10:00:02 GMT');
    expect(retryAfterValue(1000, NOW + 500, 'http-date')).toBe('Sun, 15 Jun 2025 10:00:02 GMT');
  });
});
