import { ErpError } from '../../errors/index.ts';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Whole calendar days from `from` to `to` (both `YYYY-MM-DD`), negative when `to` is earlier.
 * Computed in UTC, so daylight-saving changes never make a day 23 or 25 hours long.
 *
 * @example
 * calendarDaysBetween('2025-02-27', '2025-03-01'); // 2
 * @throws ErpError (`validation`) for a string that is not a real calendar date.
 */
export function calendarDaysBetween(from: string, to: string): number {
  return (dayNumber(to) - dayNumber(from)) / 86_400_000;
}

function dayNumber(date: string): number {
  const match = ISO_DATE.exec(date);
  const year = Number(match?.[1]);
  const month = Number(match?.[2]);
  const day = Number(match?.[3]);
  const time = Date.UTC(year, month - 1, day);
  const parsed = new Date(time);
  // Date.UTC rolls 2025-02-30 over to March 2; a real date survives the round trip.
  if (parsed.getUTCFullYear() !== year || parsed.getUTCMonth() !== month - 1 || parsed.getUTCDate() !== day) {
    throw new ErpError('validation', `"${date}" is not a calendar date as YYYY-MM-DD`, {
      hint: 'map the ERP date into ISO form before classifying',
    });
  }
  return time;
}
