import { describe, expect, it } from 'vitest';
import {
  ebsVersion,
  parseEbsDate,
  parseEbsVersion,
  parseExactDecimal,
  sumOfProducts,
  toNumber,
} from './ebs-values.ts';

describe('EBS values', () => {
  it('reads a DATE column’s calendar day as written, without moving it to UTC', () => {
    expect(parseEbsDate('2026-06-15T00:00:00.000Z')).toBe('2026-06-15');
    expect(parseEbsDate('2026-06-15T23:30:00-05:00')).toBe('2026-06-15');
    expect(parseEbsDate('2028-02-29')).toBe('2028-02-29');
    expect(() => parseEbsDate('2026-02-29T00:00:00Z')).toThrow(/is not a calendar date/);
    expect(() => parseEbsDate('15.06.2026')).toThrow(/expected an xs:dateTime/);
  });

  it('sums quantity × price exactly and reads the result as its decimal text', () => {
    const pair = (quantity: string, price: string) =>
      [parseExactDecimal(quantity), parseExactDecimal(price)] as const;
    expect(toNumber(sumOfProducts([pair('3', '0.1'), pair('0.3', '1')]))).toBe(0.6);
    expect(toNumber(sumOfProducts([pair('21760', '0.06'), pair('113.5', '60.16')]))).toBe(8133.76);
    expect(toNumber(sumOfProducts([]))).toBe(0);
    expect(parseExactDecimal(12.5)).toEqual({ units: 125n, scale: 1 });
    expect(toNumber(parseExactDecimal('-0.05'))).toBe(-0.05);
    expect(() => parseExactDecimal('1e3')).toThrow(/expected an xs:decimal/);
  });

  it('keeps PO_HEADER_ID with LAST_UPDATE_DATE in the version, and reads them back', () => {
    const version = ebsVersion('1000123', '2026-12-01T10:00:00.000Z');
    expect(version).toBe('1000123@2026-12-01T10:00:00.000Z');
    expect(parseEbsVersion(version)).toEqual({
      poHeaderId: '1000123',
      lastUpdateDate: '2026-12-01T10:00:00.000Z',
    });
    expect(parseEbsVersion('"2026-12-01T10:00:00.000Z"')).toBeUndefined();
    expect(parseEbsVersion('1000123@')).toBeUndefined();
  });
});
