/**
 * Calendar dates as whole UTC day numbers (days since 1970-01-01), so that date arithmetic in the
 * generator and the hidden rules is exact integer arithmetic, never local time.
 */

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;

/** The day number of a date, or null when year/month/day name no real date (such as 2025-02-30). */
function dayNumberOf(year: number, month: number, day: number): number | null {
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  const real =
    check.getUTCFullYear() === year && check.getUTCMonth() === month - 1 && check.getUTCDate() === day;
  return real ? ms / MS_PER_DAY : null;
}

function parseDate(text: string, pattern: RegExp): number | null {
  const match = pattern.exec(text);
  return match ? dayNumberOf(Number(match[1]), Number(match[2]), Number(match[3])) : null;
}

/** True when `text` is a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(text: string): boolean {
  return parseDate(text, ISO_DATE) !== null;
}

/** `2025-03-14` → day number. Throws a RangeError naming the text when it is not a real date. */
export function dayFromIso(text: string): number {
  const day = parseDate(text, ISO_DATE);
  if (day === null) throw new RangeError(`expected a date as YYYY-MM-DD, got "${text}"`);
  return day;
}

/** `20250314` (the legacy ERP's date format) → day number. */
export function dayFromCompact(text: string): number {
  const day = parseDate(text, COMPACT_DATE);
  if (day === null) throw new RangeError(`expected a date as YYYYMMDD, got "${text}"`);
  return day;
}

/** Day number → `2025-03-14`. */
export function isoFromDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Day number → `20250314`. */
export function compactFromDay(day: number): string {
  return isoFromDay(day).replaceAll('-', '');
}

/** Day number + milliseconds into that day → ISO timestamp with milliseconds. */
export function timestampOf(day: number, msIntoDay: number): string {
  return new Date(day * MS_PER_DAY + msIntoDay).toISOString();
}

/** Today's date in UTC as `YYYY-MM-DD`. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}
