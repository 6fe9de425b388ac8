import { describe, expect, test } from 'vitest';
import { compactFromDay, dayFromCompact, dayFromIso, isIsoDate, isoFromDay } from './calendar.ts';
import { blankPad, formatDecimalComma, parseDecimalComma, zeroPad } from './legacy-format.ts';

describe('legacy formats', () => {
  test('blankPad pads and cuts to the width', () => {
    expect(blankPad('JSMITH', 10)).toBe('JSMITH    ');
    expect(blankPad('a very long supplier name that does not fit', 10)).toBe('a very lon');
  });

  test('zeroPad', () => {
    expect(zeroPad(45_000_001, 10)).toBe('0045000001');
  });

  test('decimal comma round-trips minor units', () => {
    expect(formatDecimalComma(1_234_567, 2)).toBe('12345,67');
    expect(formatDecimalComma(5, 2)).toBe('0,05');
    expect(formatDecimalComma(875, 1)).toBe('87,5');
    expect(formatDecimalComma(10_000, 3)).toBe('10,000');
    expect(parseDecimalComma('12345,67', 2)).toBe(1_234_567);
    expect(parseDecimalComma('87,5', 1)).toBe(875);
    expect(parseDecimalComma('14', 1)).toBe(140);
  });

  test('decimal comma rejects what it cannot read', () => {
    expect(() => parseDecimalComma('12.5', 1)).toThrow('expected a decimal-comma number, got "12.5"');
    expect(() => parseDecimalComma('1,234', 2)).toThrow('"1,234" has more than 2 decimals');
    expect(() => formatDecimalComma(1.5, 2)).toThrow('minor units must be an integer');
  });
});

describe('calendar', () => {
  test('ISO and compact dates convert through day numbers', () => {
    const day = dayFromIso('2025-03-01');
    expect(dayFromCompact('20250228')).toBe(day - 1);
    expect(compactFromDay(day + 30)).toBe('20250331');
    expect(isoFromDay(day)).toBe('2025-03-01');
  });

  test('dates that do not exist are refused', () => {
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(() => dayFromIso('2025-13-01')).toThrow('expected a date as YYYY-MM-DD, got "2025-13-01"');
    expect(() => dayFromCompact('2025-01-01')).toThrow('expected a date as YYYYMMDD');
  });
});
