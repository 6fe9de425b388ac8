import { Buffer } from 'node:buffer';

/**
 * How column values arrive in `VendorRecord.data`, whatever the driver: text, numbers, booleans and
 * null, with nothing lost on the way. Decimals and dates are asked of the drivers as text (see
 * `database-dialects.ts`), so `NUMERIC(13,3)` stays `"10.000"` and a DATE never moves with the time
 * zone of the process; what still comes as an object is turned into text here.
 */

/** One column's value as a record carries it. */
export type ColumnValue = string | number | boolean | null;

/** One row, values normalised. */
export type SqlRow = Record<string, ColumnValue>;

/** Normalises a row as the driver returned it. */
export function normaliseRow(row: Record<string, unknown>): SqlRow {
  const normalised: SqlRow = {};
  for (const [column, value] of Object.entries(row)) normalised[column] = normaliseValue(value);
  return normalised;
}

/**
 * One value: bigint as a number when exact, else text; a Date (SQL Server, Oracle) as
 * `YYYY-MM-DD HH:MM:SS[.mmm]` in UTC, the wall-clock time the drivers were told to read as UTC;
 * binary as lower-case hex (a SQL Server rowversion reads `00000000000007d1`).
 */
export function normaliseValue(value: unknown): ColumnValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Date) return formatTimestamp(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return JSON.stringify(value);
}

function formatTimestamp(date: Date): string {
  if (Number.isNaN(date.getTime())) return 'Invalid Date';
  const iso = date.toISOString();
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  const milliseconds = iso.slice(20, 23);
  return milliseconds === '000' ? base : `${base}.${milliseconds}`;
}
