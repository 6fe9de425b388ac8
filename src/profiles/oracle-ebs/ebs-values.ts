/**
 * How Oracle E-Business Suite values arrive through SOA Suite's database adapter, and how they
 * become canonical ones. The adapter writes DATE columns as xs:dateTime in the database server's
 * zone (`2026-06-15T00:00:00.000Z`, `2026-06-15T14:03:10+02:00`), NUMBER columns as xs:decimal with
 * a dot, VARCHAR2 columns as written, and NULL as `xsi:nil` (the SOAP client leaves such an element
 * out). Each parser throws a FormatError saying what it expected; the mapping adds record and field.
 */
import { FormatError } from '../legacy-formats.ts';

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The calendar date of a DATE column, as EBS holds it: `2026-06-15T14:03:10+02:00` → `2026-06-15`.
 * The date part as written, never shifted to UTC — an EBS date has no zone, the adapter only adds
 * the server's, and the buyer's need-by date is the day in EBS.
 */
export function parseEbsDate(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : '';
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?$/.exec(
    text,
  );
  if (!match)
    throw new FormatError(
      `expected an xs:dateTime such as 2026-06-15T00:00:00Z, got ${JSON.stringify(value)}`,
    );
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthDays = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (monthDays === undefined || day < 1 || day > monthDays) {
    throw new FormatError(`${JSON.stringify(value)} is not a calendar date`);
  }
  return text.slice(0, 10);
}

/** A DATE column that may be NULL (left out). */
export function parseOptionalEbsDate(value: unknown): string | null {
  return value === undefined || value === null || value === '' ? null : parseEbsDate(value);
}

/** An exact decimal: digits and the position of the point, so sums and products lose nothing. */
export interface ExactDecimal {
  units: bigint;
  scale: number;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** `"113.5"` → { units: 1135n, scale: 1 }. Accepts a number too (the SOAP client converts some types). */
export function parseExactDecimal(value: unknown): ExactDecimal {
  const text =
    typeof value === 'number' && Number.isFinite(value)
      ? String(value)
      : typeof value === 'string'
        ? value.trim()
        : '';
  const match = DECIMAL.exec(text);
  if (!match) throw new FormatError(`expected an xs:decimal such as 12.5, got ${JSON.stringify(value)}`);
  const fraction = match[3] ?? '';
  const units = BigInt(`${match[2]}${fraction}`);
  return { units: match[1] === '-' ? -units : units, scale: fraction.length };
}

/** An xs:decimal as a number: `"41.25"` → 41.25. */
export function parseEbsNumber(value: unknown): number {
  return toNumber(parseExactDecimal(value));
}

/** The number an exact decimal is closest to, through its decimal text so `12345.67` reads as written. */
export function toNumber(decimal: ExactDecimal): number {
  const negative = decimal.units < 0n;
  const digits = (negative ? -decimal.units : decimal.units).toString().padStart(decimal.scale + 1, '0');
  const text =
    decimal.scale === 0 ? digits : `${digits.slice(0, -decimal.scale)}.${digits.slice(-decimal.scale)}`;
  return Number(negative ? `-${text}` : text);
}

/** Σ quantity × price, exactly: how an order's amount is computed from PO_LINES_ALL (EBS keeps no header total). */
export function sumOfProducts(pairs: ReadonlyArray<readonly [ExactDecimal, ExactDecimal]>): ExactDecimal {
  const scale = pairs.reduce((widest, [a, b]) => Math.max(widest, a.scale + b.scale), 0);
  let units = 0n;
  for (const [a, b] of pairs) units += a.units * b.units * 10n ** BigInt(scale - a.scale - b.scale);
  return { units, scale };
}

/** A VARCHAR2 column: text as written, trimmed; NULL (left out) is ''. */
export function ebsText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') throw new FormatError(`expected text, got ${JSON.stringify(value)}`);
  return value.trim();
}

/** A key column (PO_HEADER_ID, SEGMENT1, VENDOR_ID) as text; it must be there. */
export function ebsKey(value: unknown): string {
  const text = ebsText(value);
  if (text === '') throw new FormatError(`expected a value, got ${JSON.stringify(value ?? null)}`);
  return text;
}

/**
 * The version erpbridge keeps for a purchase order: `PO_HEADER_ID@LAST_UPDATE_DATE`, e.g.
 * `1000123@2026-12-01T10:00:00.000Z`. LAST_UPDATE_DATE is the lock (UPDATE_PO_HEADER refuses a
 * stale one, as Forms and OAF do); the header id travels with it because the update takes
 * P_PO_HEADER_ID while the order's canonical id is its number (SEGMENT1), so a planned change
 * carries everything its update needs — `plan --wire` renders it without asking EBS.
 */
export function ebsVersion(poHeaderId: string, lastUpdateDate: string): string {
  return `${poHeaderId}@${lastUpdateDate}`;
}

/** The parts of an {@link ebsVersion}, or undefined when the text is not one. */
export function parseEbsVersion(version: string): { poHeaderId: string; lastUpdateDate: string } | undefined {
  const at = version.indexOf('@');
  if (at <= 0) return undefined;
  const poHeaderId = version.slice(0, at);
  const lastUpdateDate = version.slice(at + 1);
  if (!/^\d+$/.test(poHeaderId) || lastUpdateDate === '') return undefined;
  return { poHeaderId, lastUpdateDate };
}

/** Rows the adapter writes as one element or as a repeated one; none when left out. */
export function rowsOf(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

/** A plain object's property, or undefined. */
export function field(row: unknown, name: string): unknown {
  return typeof row === 'object' && row !== null && !Array.isArray(row) ? Reflect.get(row, name) : undefined;
}
