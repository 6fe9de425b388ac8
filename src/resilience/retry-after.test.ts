import { describe, expect, it } from 'vitest';
import { MAX_DELTA_SECONDS, parseHttpDate, parseRetryAfter } from './retry-after.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');

describe('parseRetryAfter: delay-seconds', () => {
  it.each<[string, number]>([
    ['0', 0],
    ['5', 5000],
    ['120', 120_000],
    [' 12 ', 12_000],
    ['007', 7000],
  ])('%j → %i ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it('a number too large to mean anything is capped at 2^31 s, so it stays finite', () => {
    expect(parseRetryAfter('9'.repeat(400), NOW)).toBe(MAX_DELTA_SECONDS * 1000);
    expect(parseRetryAfter(String(MAX_DELTA_SECONDS + 1), NOW)).toBe(MAX_DELTA_SECONDS * 1000);
  });
});

describe('parseRetryAfter: HTTP-date, all three formats', () => {
  it.each<[string, number]>([
    ['Thu, 01 Jan 2026 12:01:00 GMT', 60_000],
    ['Thursday, 01-Jan-26 12:00:10 GMT', 10_000],
    ['Thu Jan  1 12:00:20 2026', 20_000],
    ['Thu Jan 11 12:00:00 2026', 10 * 86_400_000],
  ])('%j → %i ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it('a date in the past means now: 0', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(0);
  });

  it('RFC 850 two-digit years: more than 50 years ahead is the previous century', () => {
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', NOW)).toBe(Date.parse('1994-11-06T08:49:37Z'));
    expect(parseHttpDate('Tuesday, 01-Jan-76 00:00:00 GMT', NOW)).toBe(Date.parse('2076-01-01T00:00:00Z'));
    expect(parseHttpDate('Friday, 01-Jan-77 00:00:00 GMT', NOW)).toBe(Date.parse('1977-01-01T00:00:00Z'));
  });

  it('a leap second is accepted', () => {
    expect(parseHttpDate('Wed, 31 Dec 2025 23:59:60 GMT', NOW)).toBe(Date.parse('2026-01-01T00:00:00Z'));
  });

  it('the day name is not checked against the date (RFC 9110 leniency)', () => {
    expect(parseRetryAfter('Mon, 01 Jan 2026 12:00:30 GMT', NOW)).toBe(30_000);
  });
});

describe('parseRetryAfter: garbage and negatives are undefined', () => {
  it.each<[string | undefined]>([
    [undefined],
    [''],
    ['   '],
    ['-3'],
    ['1.5'],
    ['+5'],
    ['5s'],
    ['soon'],
    ['2026-01-01T12:00:30Z'],
    ['Mon, 2026'],
    ['Thu, 1 2'],
    ['Thu, 01 Jan 2026 12:01:00'],
    ['Thu, 01 Jan 2026 12:01:00 +0200'],
    ['Thu, 01 Jan 2026 12:01:00 PST'],
    ['Thu, 01 Jan 2026 12:01:00 GMT garbage'],
    ['thu, 01 jan 2026 12:01:00 gmt'],
    ['Thu, 31 Feb 2026 12:00:00 GMT'],
    ['Thu, 32 Jan 2026 12:00:00 GMT'],
    ['Thu, 00 Jan 2026 12:00:00 GMT'],
    ['Thu, 01 Foo 2026 12:00:00 GMT'],
    ['Thu, 01 Jan 2026 24:00:00 GMT'],
    ['Thu, 01 Jan 2026 12:60:00 GMT'],
    ['Thu, 01 Jan 2026 12:00:61 GMT'],
    ['Thu,01 Jan 2026 12:00:00 GMT'],
    ['Thu, 01-Jan-26 12:00:10 GMT'],
    ['Thursday, 01 Jan 2026 12:00:10 GMT'],
    ['Thu Jan 1 12:00:20 2026'],
  ])('%j', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});
