import { FormatError } from '../legacy-formats.ts';

/**
 * Reading the values Odoo sends over XML-RPC: `false` for an empty field (never null), dates and
 * datetimes as UTC strings, many-to-ones as `[id, "display name"]`, amounts as doubles, and HTML
 * in `notes` (Odoo 16 and later). Each converter throws a FormatError saying what it expected.
 */

/** Text; Odoo's `false` (empty) is ''. */
export function text(value: unknown): string {
  if (value === false || value === null || value === undefined) return '';
  if (typeof value !== 'string') throw new FormatError(`expected text, got ${JSON.stringify(value)}`);
  return value.trim();
}

/** HTML (an Odoo `Html` field) as plain text: tags dropped, entities of the common kind decoded. */
export function plainText(value: unknown): string {
  const html = text(value);
  return html
    .replace(/<br\s*\/?>|<\/p>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

/** A number (Float and Monetary fields). */
export function number(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new FormatError(`expected a number, got ${JSON.stringify(value)}`);
}

/** The calendar day of a Date (`2026-11-30`) or Datetime (`2026-11-30 08:00:00`) field. */
export function day(value: unknown): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/.test(value))
    return value.slice(0, 10);
  throw new FormatError(`expected a date, got ${JSON.stringify(value)}`);
}

/** Like {@link day}, with `false` (empty) as null. */
export function optionalDay(value: unknown): string | null {
  return value === false || value === null || value === undefined ? null : day(value);
}

/** A Datetime as ISO text (`2026-11-30T08:00:00`), or null when empty. */
export function optionalDateTime(value: unknown): string | null {
  if (value === false || value === null || value === undefined) return null;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value))
    return value.replace(' ', 'T');
  throw new FormatError(`expected a date and time, got ${JSON.stringify(value)}`);
}

/** A many-to-one's id as text (`[7, "Acme"]` → `7`), or '' when empty. */
export function relatedId(value: unknown): string {
  if (value === false || value === null || value === undefined) return '';
  if (Array.isArray(value) && typeof value[0] === 'number') return String(value[0]);
  throw new FormatError(`expected [id, name], got ${JSON.stringify(value)}`);
}

/** A many-to-one's display name (`[7, "Acme"]` → `Acme`), or '' when empty. */
export function relatedName(value: unknown): string {
  if (value === false || value === null || value === undefined) return '';
  if (Array.isArray(value) && typeof value[1] === 'string') return value[1].trim();
  throw new FormatError(`expected [id, name], got ${JSON.stringify(value)}`);
}

/** Like {@link relatedId}, for a many-to-one that must be set. */
export function requiredRelatedId(value: unknown): string {
  const id = relatedId(value);
  if (id === '') throw new FormatError('expected a value, the field is empty');
  return id;
}
