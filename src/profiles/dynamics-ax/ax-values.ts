import { FormatError } from '../legacy-formats.ts';

/**
 * Readers for values as Dynamics AX 2012's AIF documents carry them, after node-soap parsed the
 * answer: text (an absent or nil field is empty), dates `YYYY-MM-DD` (AX's empty date is
 * 1900-01-01), decimals with a point (`1234.5`, kept as text by the SOAP client so nothing is
 * rounded), integers that node-soap may already have made numbers (`xs:int` RecVersion), and
 * child entities that are a list or, for one entity, sometimes a lone object. Each throws a
 * FormatError saying what it expected; the mapping adds the record and field.
 */

/** AX's `dateNull()`: a date field nobody filled in. */
export const AX_NULL_DATE = '1900-01-01';

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A nil element as node-soap reads it: `{ attributes: { 'xsi:nil': 'true' } }` or `{ $value: … }`. */
function isNilNode(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const attributes: unknown = Reflect.get(value, 'attributes');
  if (typeof attributes !== 'object' || attributes === null) return false;
  return Object.entries(attributes).some(([name, flag]) => /(^|:)nil$/.test(name) && String(flag) === 'true');
}

/** Text, trimmed; absent, null or nil is `''`. Numbers (node-soap's `xs:int`) become their digits. */
export function axText(value: unknown): string {
  if (value === undefined || value === null || isNilNode(value)) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new FormatError(`expected text, got ${JSON.stringify(value)}`);
}

/** Text that must be there. */
export function axRequiredText(value: unknown): string {
  const text = axText(value);
  if (text === '') throw new FormatError('expected a value, got none');
  return text;
}

/** `2026-11-04` (or `2026-11-04T00:00:00`, as AX writes a UtcDateTime) → `2026-11-04`. */
export function axDate(value: unknown): string {
  const text = axText(value);
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?)?$/.exec(text);
  if (!match) throw new FormatError(`expected a date as YYYY-MM-DD, got ${JSON.stringify(value)}`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthDays = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (monthDays === undefined || day < 1 || day > monthDays) {
    throw new FormatError(`${JSON.stringify(value)} is not a calendar date`);
  }
  return `${match[1]}-${match[2]}-${match[3]}`;
}

/** A date that may be empty: blank or AX's null date 1900-01-01 → null. */
export function axOptionalDate(value: unknown): string | null {
  if (axText(value) === '') return null;
  const date = axDate(value);
  return date === AX_NULL_DATE ? null : date;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** `1234.5` → 1234.5; a number node-soap already converted passes as it is. */
export function axDecimal(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const text = axText(value);
  if (!DECIMAL.test(text))
    throw new FormatError(`expected a decimal number such as 1234.5, got ${JSON.stringify(value)}`);
  return Number(text);
}

/**
 * An amount in integer hundredths, exactly: `1234.5` → 123450. Amounts are added in integers so a
 * total of many lines is the same number the ERP's own sum is, to the cent.
 */
export function axCents(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : axText(value);
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new FormatError(`expected an amount such as 1234.5, got ${JSON.stringify(value)}`);
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  if (fraction.length > 2) throw new FormatError(`${JSON.stringify(value)} has more than 2 decimals`);
  const cents = Number(match[2]) * 100 + Number(fraction.padEnd(2, '0'));
  if (!Number.isSafeInteger(cents)) throw new FormatError(`${JSON.stringify(value)} is too large`);
  return match[1] === '-' ? -cents : cents;
}

/** A child entity list: node-soap gives an array, or a lone object for a single entity; absent → []. */
export function axEntities(value: unknown): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  const list: unknown[] = Array.isArray(value) ? value : [value];
  return list.map((entity, index) => {
    if (!isRecord(entity)) {
      throw new FormatError(`entity ${index + 1} is not a record: ${JSON.stringify(entity)}`);
    }
    return entity;
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
