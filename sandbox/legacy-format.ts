/**
 * The legacy ERP's field formats: fixed-width blank-padded text, zero-padded numbers, and decimal
 * numbers written with a decimal comma. Amounts are kept in integer minor units until formatted, so
 * a total is exactly the sum of its lines.
 */

/** Left-aligns `text` in a field of `width` characters: blank-padded, cut when longer. */
export function blankPad(text: string, width: number): string {
  return text.length >= width ? text.slice(0, width) : text.padEnd(width, ' ');
}

/** `zeroPad(42, 10)` → `"0000000042"`. */
export function zeroPad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * Formats an integer count of minor units with a decimal comma:
 * `formatDecimalComma(1234567, 2)` → `"12345,67"`, `formatDecimalComma(875, 1)` → `"87,5"`.
 */
export function formatDecimalComma(minorUnits: number, decimals: number): string {
  if (!Number.isInteger(minorUnits))
    throw new RangeError(`minor units must be an integer, got ${minorUnits}`);
  const sign = minorUnits < 0 ? '-' : '';
  const digits = String(Math.abs(minorUnits)).padStart(decimals + 1, '0');
  if (decimals === 0) return `${sign}${digits}`;
  return `${sign}${digits.slice(0, -decimals)},${digits.slice(-decimals)}`;
}

/**
 * Parses a decimal-comma number into integer minor units: `parseDecimalComma("87,5", 1)` → 875.
 * Throws a RangeError when the text is not such a number or has more decimals than asked for.
 */
export function parseDecimalComma(text: string, decimals: number): number {
  const match = /^(-?)(\d+)(?:,(\d+))?$/.exec(text.trim());
  if (!match) throw new RangeError(`expected a decimal-comma number, got "${text}"`);
  const fraction = match[3] ?? '';
  if (fraction.length > decimals) {
    throw new RangeError(`"${text}" has more than ${decimals} decimals`);
  }
  const units = Number(`${match[2]}${fraction.padEnd(decimals, '0')}`);
  return match[1] === '-' ? -units : units;
}
