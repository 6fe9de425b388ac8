/**
 * Converters for the formats legacy ERPs speak: SAP-style `YYYYMMDD` dates, zero-padded keys,
 * decimal commas, blank-padded strings. Each parser throws a FormatError saying what it expected;
 * the mapping adds the record and field.
 */
export class FormatError extends Error {
  override readonly name = 'FormatError';
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `20261104` → `2026-11-04`. Rejects impossible dates such as `20260231`. Pure arithmetic, no Date
 * objects: it runs for every date of every line of every record read.
 */
export function parseCompactDate(value: unknown): string {
  let text = typeof value === 'string' ? value : '';
  if (text.length !== 8) text = text.trim();
  if (text.length !== 8 || !/^\d{8}$/.test(text)) {
    throw new FormatError(`expected a date as YYYYMMDD, got ${JSON.stringify(value)}`);
  }
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(4, 6));
  const day = Number(text.slice(6, 8));
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthDays = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (monthDays === undefined || day < 1 || day > monthDays) {
    throw new FormatError(`${JSON.stringify(value)} is not a calendar date`);
  }
  return `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`;
}

/** `2026-11-04` → `20261104`. */
export function formatCompactDate(isoDate: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDate)) throw new FormatError(`expected YYYY-MM-DD, got ${isoDate}`);
  return isoDate.replaceAll('-', '');
}

/** `0045000123` → `45000123`; an all-zero key stays `0`. Non-digit keys are only trimmed. */
export function stripLeadingZeros(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
  if (text === '') throw new FormatError(`expected a key, got ${JSON.stringify(value)}`);
  if (!/^\d+$/.test(text)) return text;
  return text.replace(/^0+(?=\d)/, '');
}

/** `45000123` → `0045000123` for width 10. A key longer than the width is an error, never cut. */
export function padWithZeros(value: string, width: number): string {
  if (!/^\d+$/.test(value)) return value;
  if (value.length > width) throw new FormatError(`key ${value} is longer than ${width} digits`);
  return value.padStart(width, '0');
}

/**
 * `"12.345,67"` or `"12345,67"` → 12345.67. Also accepts a plain number or a dot-decimal string,
 * since legacy exports mix both. Rejects anything else rather than guessing.
 */
export function parseDecimal(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const text = typeof value === 'string' ? value.trim() : '';
  let normalised: string | undefined;
  if (/^-?\d{1,3}(\.\d{3})*(,\d+)?$/.test(text) || /^-?\d+(,\d+)?$/.test(text)) {
    normalised = text.replaceAll('.', '').replace(',', '.');
  } else if (/^-?\d+(\.\d+)?$/.test(text)) {
    normalised = text;
  }
  if (normalised === undefined)
    throw new FormatError(`expected a decimal number, got ${JSON.stringify(value)}`);
  return Number(normalised);
}

/** Trims the blank padding of fixed-width fields; null and undefined become ''. */
export function trimPadded(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') throw new FormatError(`expected text, got ${JSON.stringify(value)}`);
  return value.trim();
}
