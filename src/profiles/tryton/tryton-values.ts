import { PRIORITIES, type Priority } from '../../canonical/priority.ts';
import { isRpcStruct, RpcDate, RpcDateTime, RpcDecimal, RpcTimeDelta } from '../../connectors/rpc/index.ts';
import { FormatError } from '../legacy-formats.ts';

/**
 * Reading the values the rpc connector hands over from Tryton: exact decimals, dates, durations,
 * `null` for an empty field, and related fields under keys ending in a dot (`'party.': {code}`).
 * Each converter throws a FormatError saying what it expected; the mapping adds record and field.
 */

/**
 * The record with its related fields flattened: `{'party.': {code: 'S1'}}` also answers to
 * `'party.code'`, so a FieldReader can read and name `party.code` like any other field. A related
 * record that is empty (`'party.': null`) leaves its fields undefined, which converters read as
 * absent.
 */
export function withRelatedFields(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const flat: Record<string, unknown> = { ...data };
  const visit = (prefix: string, related: unknown) => {
    if (!isRpcStruct(related)) return;
    for (const [name, value] of Object.entries(related)) {
      flat[`${prefix}${name}`] = value;
      if (name.endsWith('.')) visit(`${prefix}${name}`, value);
    }
  };
  for (const [name, value] of Object.entries(data)) if (name.endsWith('.')) visit(name, value);
  return flat;
}

/** Text; an empty field (`null`, absent) is ''. */
export function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') throw new FormatError(`expected text, got ${JSON.stringify(value)}`);
  return value.trim();
}

/** Text that must be there. */
export function requiredText(value: unknown): string {
  const found = text(value);
  if (found === '') throw new FormatError('expected a value, the field is empty');
  return found;
}

/** A Tryton date as `YYYY-MM-DD`. */
export function isoDate(value: unknown): string {
  if (value instanceof RpcDate) return value.iso;
  throw new FormatError(`expected a date, got ${JSON.stringify(value)}`);
}

/** A Tryton date as `YYYY-MM-DD`, or null for an empty field. */
export function optionalIsoDate(value: unknown): string | null {
  return value === null || value === undefined ? null : isoDate(value);
}

/** A datetime's ISO text, or null for an empty field. */
export function optionalDateTime(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof RpcDateTime) return value.iso;
  throw new FormatError(`expected a date and time, got ${JSON.stringify(value)}`);
}

/**
 * A Numeric (exact decimal) or Float field as a number. The canonical shape holds numbers; the
 * record as read keeps the exact digits (RpcDecimal) for lineage and write-back.
 */
export function decimalNumber(value: unknown): number {
  if (value instanceof RpcDecimal) return value.toNumber();
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new FormatError(`expected a number, got ${JSON.stringify(value)}`);
}

/** A TimeDelta in days. */
export function durationDays(value: unknown): number {
  if (value instanceof RpcTimeDelta) return value.days;
  throw new FormatError(`expected a duration, got ${JSON.stringify(value)}`);
}

/**
 * An urgency label kept in a text field (Tryton has no priority field): one of urgent, high,
 * normal, low, in any case; empty is no priority. Anything else is refused rather than read as
 * "no priority", so that erpbridge never overwrites text a person put there.
 */
export function urgencyLabel(value: unknown): Priority | null {
  const found = text(value).toLowerCase();
  if (found === '') return null;
  const label = PRIORITIES.find((priority) => priority === found);
  if (label === undefined) {
    throw new FormatError(
      `${JSON.stringify(value)} is not an urgency label (${PRIORITIES.join(', ')}); erpbridge keeps urgency in this field and will not overwrite other text`,
    );
  }
  return label;
}
