/**
 * Values as SAP's RFC-SOAP runtime writes them (its asXML serialisation of ABAP types): DATS as
 * `2026-11-04` with `0000-00-00` for "no date", packed numbers (DEC, QUAN, CURR) with a decimal
 * point and their declared decimals (`10.000`, `12.340000000`), NUMC zero-padded, CHAR trimmed,
 * flags `X` or empty. Unlike the REST sandbox there are no decimal commas here — and `10.000` is
 * ten, not ten thousand, so the REST profile's `parseDecimal` must not read these.
 */
import { FormatError, parseCompactDate } from '../legacy-formats.ts';

/** A DATS value, `YYYY-MM-DD` → the same ISO date (checked to be a calendar date). */
export function parseSapDate(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '' || text === '0000-00-00')
    throw new FormatError(`expected a date, got the initial date ${JSON.stringify(value)}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text))
    throw new FormatError(`expected a date as YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return parseCompactDate(text.replaceAll('-', ''));
}

/** A DATS value, or null for the initial date (`0000-00-00` or empty). */
export function parseOptionalSapDate(value: unknown): string | null {
  const text = typeof value === 'string' ? value.trim() : '';
  return text === '' || text === '0000-00-00' ? null : parseSapDate(text);
}

/**
 * A packed number as integer units of 10^-decimals, exactly: `("12.340000000", 9)` → 12340000000n.
 * More decimals than asked, or anything but `-?digits[.digits]`, is a FormatError.
 */
export function sapDecimalUnits(value: unknown, decimals: number): bigint {
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (match === null)
    throw new FormatError(`expected a decimal number with a point, got ${JSON.stringify(value)}`);
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  if (fraction.length > decimals) {
    throw new FormatError(`expected at most ${decimals} decimals, got ${JSON.stringify(value)}`);
  }
  const units = BigInt(`${match[2]}${fraction.padEnd(decimals, '0')}`);
  return match[1] === '-' ? -units : units;
}

/** A packed number as a JS number: `"10.000"` → 10, `"0.760000000"` → 0.76. */
export function parseSapDecimal(value: unknown): number {
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
  if (!/^-?\d+(\.\d+)?$/.test(text))
    throw new FormatError(`expected a decimal number with a point, got ${JSON.stringify(value)}`);
  return Number(text);
}

/** CHAR: trimmed; empty, null and absent all read as `''` (node-soap gives null for an empty element). */
export function sapText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return String(value);
  throw new FormatError(`expected text, got ${JSON.stringify(value)}`);
}

/** An X/blank flag: true for `X`. */
export function sapFlag(value: unknown): boolean {
  return sapText(value).toUpperCase() === 'X';
}
