import { FormatError } from '../../profiles/legacy-formats.ts';

/**
 * Readers for the values a `sql` connector puts in `VendorRecord.data` (see `row-values.ts`), for
 * the mappings of table-shaped profiles. They accept every form a dialect may produce for the same
 * column — SQLite gives a number where PostgreSQL gives `"12.50"` — and throw a FormatError saying
 * what they expected, which the mapping turns into a validation error naming record and field.
 */

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * A decimal as an integer count of `10^-scale` units, exactly: `"12.50"` at scale 2 → 1250. Sums of
 * money and quantities are done in these units, never in floating point. More decimals than
 * `scale` that are not zero are an error, never rounded away.
 */
export function readScaled(value: unknown, scale: number): number {
  const text = typeof value === 'number' && Number.isFinite(value) ? numberText(value) : value;
  const match = typeof text === 'string' ? DECIMAL.exec(text.trim()) : null;
  if (match === null) throw new FormatError(`expected a decimal number, got ${JSON.stringify(value)}`);
  const [, sign = '', whole = '', fraction = ''] = match;
  if (fraction.length > scale && !/^0*$/.test(fraction.slice(scale))) {
    throw new FormatError(`${JSON.stringify(value)} has more than ${scale} decimals`);
  }
  const units = Number(`${whole}${fraction.slice(0, scale).padEnd(scale, '0')}`);
  if (!Number.isSafeInteger(units)) throw new FormatError(`${JSON.stringify(value)} is too large`);
  return sign === '-' ? -units : units;
}

/** A decimal as a number: `"10.000"` → 10, `12.5` → 12.5. A dot is always the decimal separator here. */
export function readDecimal(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const text = typeof value === 'string' ? value.trim() : '';
  if (!DECIMAL.test(text)) throw new FormatError(`expected a decimal number, got ${JSON.stringify(value)}`);
  return Number(text);
}

/**
 * The date of a DATE/DATETIME/TIMESTAMP value: `"2026-11-04"` or `"2026-11-04 10:15:00"` →
 * `"2026-11-04"`; null stays null. `nullDate` is the value the ERP writes for "no date" (legacy SQL
 * Server tables use `1753-01-01`, the smallest DATETIME); it reads as null too.
 */
export function readDate(value: unknown, nullDate?: string): string | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'string' ? value.trim() : '';
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/.exec(text);
  if (match === null) throw new FormatError(`expected a date or date and time, got ${JSON.stringify(value)}`);
  const date = `${match[1]}-${match[2]}-${match[3]}`;
  return date === nullDate ? null : date;
}

/**
 * A DATETIME/TIMESTAMP value (no time zone; erpbridge's sandboxes write UTC) as ISO 8601 with `Z`:
 * `"2026-11-04 10:15:00"` → `"2026-11-04T10:15:00Z"`. Null stays null.
 */
export function readTimestamp(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'string' ? value.trim() : '';
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?$/.exec(text);
  if (match === null) throw new FormatError(`expected a date and time, got ${JSON.stringify(value)}`);
  return `${match[1]}T${match[2]}${match[3] ?? ''}Z`;
}

/** Text: blank padding (CHAR columns) trimmed; null reads as ''; a number as its digits. */
export function readText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' && Number.isFinite(value)) return numberText(value);
  if (typeof value !== 'string') throw new FormatError(`expected text, got ${JSON.stringify(value)}`);
  return value.trim();
}

/** A number's plain digits, never exponent notation (`1e21` would not read back as a key). */
function numberText(value: number): string {
  if (Number.isInteger(value)) return BigInt(value).toString();
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return value.toFixed(20).replace(/\.?0+$/, '');
}
