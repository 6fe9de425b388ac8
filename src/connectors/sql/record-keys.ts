import type { ColumnValue } from './row-values.ts';

/**
 * A record's key as text, and back. One key column: its value as text (`0045000123`, `45000123`).
 * Several: the values joined by `/`, each with `%` and `/` percent-encoded, so any value survives
 * the round trip (`VENDOR 1/45000123` → `VENDOR 1%2F45000123`… for a vendor id holding a slash).
 */

/** The key text of a row's key values; undefined when one of them is null or empty. */
export function keyText(values: readonly ColumnValue[]): string | undefined {
  const parts: string[] = [];
  for (const value of values) {
    if (value === null || value === '') return undefined;
    parts.push(valueText(value));
  }
  if (parts.length === 1) return parts[0];
  return parts.map((part) => part.replaceAll('%', '%25').replaceAll('/', '%2F')).join('/');
}

/** The key values of a key text for `count` key columns; undefined when it has another shape. */
export function keyParts(text: string, count: number): string[] | undefined {
  if (text === '') return undefined;
  if (count === 1) return [text];
  const parts = text.split('/');
  if (parts.length !== count || parts.some((part) => part === '')) return undefined;
  try {
    return parts.map((part) => decodeURIComponent(part));
  } catch {
    // A stray "%" that is no escape: not a key this connector made.
    return undefined;
  }
}

/** A value as key or version text: numbers in plain digits, never exponent notation. */
export function valueText(value: Exclude<ColumnValue, null>): string {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value).toString();
  return String(value);
}
