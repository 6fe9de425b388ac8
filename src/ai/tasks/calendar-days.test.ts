import { describe, expect, test } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import { calendarDaysBetween } from './calendar-days.ts';

describe('calendarDaysBetween', () => {
  test('counts calendar days, across month ends, leap days and DST changes', () => {
    expect(calendarDaysBetween('2025-02-27', '2025-03-01')).toBe(2);
    expect(calendarDaysBetween('2024-02-27', '2024-03-01')).toBe(3);
    expect(calendarDaysBetween('2025-03-29', '2025-03-31')).toBe(2);
    expect(calendarDaysBetween('2025-01-10', '2025-01-03')).toBe(-7);
    expect(calendarDaysBetween('2025-01-10', '2025-01-10')).toBe(0);
  });

  test('rejects what is not a real YYYY-MM-DD date, as a validation error', () => {
    const error = captureError(() => calendarDaysBetween('2025-02-30', '2025-03-01'));
    expect(error).toBeInstanceOf(ErpError);
    expect(error).toMatchObject({
      kind: 'validation',
      message: '"2025-02-30" is not a calendar date as YYYY-MM-DD',
    });
    expect(() => calendarDaysBetween('2025-01-01', '20250101')).toThrow(ErpError);
    expect(() => calendarDaysBetween('2025-01-01', '20250101')).toThrow('"20250101" is not a calendar date');
  });
});

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}
