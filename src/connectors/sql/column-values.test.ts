import { describe, expect, it } from 'vitest';
import { FormatError } from '../../profiles/legacy-formats.ts';
import { readDate, readDecimal, readScaled, readText, readTimestamp } from './column-values.ts';
import { keyParts, keyText } from './record-keys.ts';
import { normaliseValue } from './row-values.ts';

describe('column values', () => {
  it('reads decimals exactly, whichever form the driver gave', () => {
    expect(readScaled('12.50', 2)).toBe(1250);
    expect(readScaled(12.5, 2)).toBe(1250);
    expect(readScaled('10.000', 3)).toBe(10_000);
    expect(readScaled('-0.07', 2)).toBe(-7);
    expect(readScaled('12.5000', 2)).toBe(1250);
    expect(() => readScaled('12.505', 2)).toThrow(FormatError);
    expect(() => readScaled('12,50', 2)).toThrow(/expected a decimal number, got "12,50"/);
    expect(readDecimal('10.000')).toBe(10);
    expect(readDecimal(0.18)).toBe(0.18);
    expect(() => readDecimal(null)).toThrow(FormatError);
  });

  it('reads dates and times of every dialect, and the ERP’s "no date"', () => {
    expect(readDate('2026-11-04')).toBe('2026-11-04');
    expect(readDate('2026-11-04 10:15:30')).toBe('2026-11-04');
    expect(readDate('2026-11-04 00:00:00.000')).toBe('2026-11-04');
    expect(readDate('1753-01-01 00:00:00', '1753-01-01')).toBeNull();
    expect(readDate(null)).toBeNull();
    expect(() => readDate('20261104')).toThrow(FormatError);
    expect(readTimestamp('2026-11-04 10:15:30')).toBe('2026-11-04T10:15:30Z');
    expect(readTimestamp('2026-11-04T10:15:30.123')).toBe('2026-11-04T10:15:30.123Z');
  });

  it('reads text with CHAR padding trimmed and numbers as digits', () => {
    expect(readText('JSMITH      ')).toBe('JSMITH');
    expect(readText(null)).toBe('');
    expect(readText(45000123)).toBe('45000123');
    expect(() => readText(true)).toThrow(FormatError);
  });

  it('normalises what drivers return', () => {
    expect(normaliseValue(12n)).toBe(12);
    expect(normaliseValue(2n ** 60n)).toBe('1152921504606846976');
    expect(normaliseValue(new Date('2026-11-04T10:15:30.000Z'))).toBe('2026-11-04 10:15:30');
    expect(normaliseValue(new Date('2026-11-04T10:15:30.120Z'))).toBe('2026-11-04 10:15:30.120');
    expect(normaliseValue(Uint8Array.from([0, 0, 7, 209]))).toBe('000007d1');
    expect(normaliseValue(undefined)).toBeNull();
  });

  it('makes key texts that survive the round trip', () => {
    expect(keyText(['0045000123'])).toBe('0045000123');
    expect(keyText([45000123])).toBe('45000123');
    expect(keyText(['V/1', 45000123])).toBe('V%2F1/45000123');
    expect(keyParts('V%2F1/45000123', 2)).toEqual(['V/1', '45000123']);
    expect(keyText(['V1', null])).toBeUndefined();
    expect(keyParts('only-one', 2)).toBeUndefined();
    expect(keyParts('bad%/x', 2)).toBeUndefined();
  });
});
