/**
 * Conversions from the sandbox's legacy wire formats (`YYYYMMDD`, decimal commas, prices as JSON
 * numbers) to what the SOAP personalities write, exact to the last digit: amounts travel as
 * integer minor units, never as floating-point arithmetic.
 */
import { parseDecimalComma } from '../legacy-format.ts';
import type { PurchaseOrderLineRecord } from '../records.ts';

/** `20250615` → `2025-06-15`. */
export function isoDateOf(compact: string): string {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(compact);
  if (!match) throw new RangeError(`expected a date as YYYYMMDD, got "${compact}"`);
  return `${match[1]}-${match[2]}-${match[3]}`;
}

/** Formats integer minor units with a decimal point: `(1234567, 2)` → `"12345.67"`, `(5, 0)` → `"5"`. */
export function decimalOf(minorUnits: number, decimals: number): string {
  if (!Number.isSafeInteger(minorUnits))
    throw new RangeError(`minor units must be an integer, got ${minorUnits}`);
  const sign = minorUnits < 0 ? '-' : '';
  const digits = String(Math.abs(minorUnits)).padStart(decimals + 1, '0');
  return decimals === 0
    ? `${sign}${digits}`
    : `${sign}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/** A decimal without trailing zeros: `"12.3400"` → `"12.34"`, `"10.000"` → `"10"`. */
export function canonicalDecimal(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** Re-expresses integer minor units of `from` decimals in `to` decimals (`to` ≥ `from`). */
export function rescale(minorUnits: number, from: number, to: number): number {
  if (to < from) throw new RangeError(`cannot rescale from ${from} to fewer decimals (${to}) exactly`);
  return minorUnits * 10 ** (to - from);
}

/** A line's figures in integer minor units: quantity in thousandths, price and amount in cents. */
export interface LineFigures {
  quantityMilli: number;
  priceCents: number;
  /** Quantity × price, in cents; exact for every generated line (the generator makes it so). */
  amountCents: number;
}

/** The figures of a line as integers. */
export function lineFigures(line: PurchaseOrderLineRecord): LineFigures {
  const quantityMilli = parseDecimalComma(line.quantity, 3);
  const priceCents = Math.round(line.unit_price * 100);
  return { quantityMilli, priceCents, amountCents: Math.round((quantityMilli * priceCents) / 1000) };
}

/** `"00010"` → 1, `"00020"` → 2: the sandbox numbers lines in steps of ten, SAP-style. */
export function lineIndexOf(lineNo: string): number {
  return Math.round(Number(lineNo) / 10);
}

/** Cuts text to a field's width (the SOAP formats write text trimmed, as SAP and .NET do). */
export function fitText(text: string, width: number): string {
  const trimmed = text.trim();
  return trimmed.length > width ? trimmed.slice(0, width) : trimmed;
}
