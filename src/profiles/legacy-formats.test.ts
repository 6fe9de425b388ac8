import { describe, expect, it } from 'vitest';
import {
  FormatError,
  formatCompactDate,
  padWithZeros,
  parseCompactDate,
  parseDecimal,
  stripLeadingZeros,
  trimPadded,
} from './legacy-formats.ts';

describe('legacy formats', () => {
  it('reads and writes YYYYMMDD dates', () => {
    expect(parseCompactDate('20261104')).toBe('2026-11-04');
    expect(parseCompactDate(' 20240229 ')).toBe('2024-02-29');
    expect(formatCompactDate('2026-11-04')).toBe('20261104');
  });

  it('refuses dates that are not on the calendar or not dates at all', () => {
    expect(() => parseCompactDate('20260231')).toThrow(/not a calendar date/);
    expect(() => parseCompactDate('20250229')).toThrow(/not a calendar date/);
    expect(() => parseCompactDate('19000229')).toThrow(/not a calendar date/);
    expect(parseCompactDate('20000229')).toBe('2000-02-29');
    expect(() => parseCompactDate('20261300')).toThrow(/not a calendar date/);
    expect(() => parseCompactDate('20261100')).toThrow(/not a calendar date/);
    expect(() => parseCompactDate('2026-11-04')).toThrow(FormatError);
    expect(() => parseCompactDate('')).toThrow(/YYYYMMDD/);
    expect(() => parseCompactDate(20261104)).toThrow(/YYYYMMDD/);
  });

  it('strips and restores zero padding', () => {
    expect(stripLeadingZeros('0045000123')).toBe('45000123');
    expect(stripLeadingZeros('0000000000')).toBe('0');
    expect(stripLeadingZeros('A-100 ')).toBe('A-100');
    expect(padWithZeros('45000123', 10)).toBe('0045000123');
    expect(() => padWithZeros('12345678901', 10)).toThrow(/longer than 10/);
    expect(() => stripLeadingZeros('  ')).toThrow(FormatError);
  });

  it('reads decimal commas, thousands dots and plain numbers', () => {
    expect(parseDecimal('12345,67')).toBe(12345.67);
    expect(parseDecimal('12.345,67')).toBe(12345.67);
    expect(parseDecimal('87,5')).toBe(87.5);
    expect(parseDecimal('42')).toBe(42);
    expect(parseDecimal('42.5')).toBe(42.5);
    expect(parseDecimal(3.25)).toBe(3.25);
    expect(() => parseDecimal('12,34,5')).toThrow(/decimal number/);
    expect(() => parseDecimal('abc')).toThrow(FormatError);
    expect(() => parseDecimal(Number.NaN)).toThrow(FormatError);
  });

  it('trims blank padding', () => {
    expect(trimPadded('Bearings 6204     ')).toBe('Bearings 6204');
    expect(trimPadded(null)).toBe('');
    expect(() => trimPadded(5)).toThrow(/expected text/);
  });
});
