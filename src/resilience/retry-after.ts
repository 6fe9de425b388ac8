/**
 * Reading the Retry-After header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 *
 * Strict on purpose. The rest connector's own reader (`connectors/rest/http-errors.ts`) hands the
 * remainder to `Date.parse`, which accepts things no ERP meant as a date ("Mon, 2026" is read as a
 * past date, so "retry now"; "31 Feb" rolls into March; "+0200" zones are ignored). This one accepts
 * exactly the three HTTP-date grammars, so garbage is `undefined` and the retry falls back to its
 * backoff rather than to a wrong wait.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = MONTHS.join('|');
const DAY = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const LONG_DAY = 'Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';

/** `Sun, 06 Nov 1994 08:49:37 GMT` — the preferred format. */
const IMF_FIXDATE = new RegExp(`^(?:${DAY}), (\\d{2}) (${MONTH}) (\\d{4}) ${TIME} GMT$`);
/** `Sunday, 06-Nov-94 08:49:37 GMT` — obsolete, two-digit year. */
const RFC_850 = new RegExp(`^(?:${LONG_DAY}), (\\d{2})-(${MONTH})-(\\d{2}) ${TIME} GMT$`);
/** `Sun Nov  6 08:49:37 1994` — C's asctime(), no zone (GMT by definition). */
const ASCTIME = new RegExp(`^(?:${DAY}) (${MONTH}) ( \\d|\\d{2}) ${TIME} (\\d{4})$`);

/**
 * RFC 9111 §1.2.2: a delta-seconds too large to represent is taken as 2^31 seconds (about 68
 * years). Kept finite so "wait longer than maxRetryAfterMs" stays a number a message can print.
 */
export const MAX_DELTA_SECONDS = 2 ** 31;

/**
 * Milliseconds to wait, from a Retry-After header value. Pure.
 *
 * - delay-seconds (`120`): that many seconds; above {@link MAX_DELTA_SECONDS}, that cap.
 * - HTTP-date in any of its three formats (IMF-fixdate, RFC 850, asctime): the time from `now`
 *   to it; a date in the past is 0 ("now"). RFC 850's two-digit year is read as the most recent
 *   year with those digits that is not more than 50 years ahead (RFC 9110 §5.6.7).
 * - Anything else — negative or fractional numbers, ISO dates, other zones than GMT, impossible
 *   dates like 31 Feb, an empty value — is `undefined`.
 *
 * HTTP-dates are case-sensitive (RFC 9110 §5.6.7); the redundant day name is not checked against
 * the date, as RFC 9110 asks recipients to be lenient there.
 *
 * @param value the header's value, or undefined when absent.
 * @param now epoch milliseconds, for dates.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text), MAX_DELTA_SECONDS) * 1000;
  const at = parseHttpDate(text, now);
  return at === undefined ? undefined : Math.max(0, at - now);
}

/**
 * Epoch milliseconds of an HTTP-date in any of its three formats, or undefined. Pure.
 *
 * @param now epoch milliseconds; decides the century of an RFC 850 two-digit year.
 */
export function parseHttpDate(text: string, now: number): number | undefined {
  const imf = IMF_FIXDATE.exec(text);
  if (imf !== null) {
    const [, day, month, year, hour, minute, second] = imf;
    return utc(year, month, day, hour, minute, second);
  }
  const rfc850 = RFC_850.exec(text);
  if (rfc850 !== null) {
    const [, day, month, shortYear, hour, minute, second] = rfc850;
    return utc(String(fullYear(Number(shortYear), now)), month, day, hour, minute, second);
  }
  const asctime = ASCTIME.exec(text);
  if (asctime !== null) {
    const [, month, day, hour, minute, second, year] = asctime;
    return utc(year, month, day, hour, minute, second);
  }
  return undefined;
}

/** RFC 9110 §5.6.7: a two-digit year more than 50 years ahead is the most recent past one. */
function fullYear(twoDigits: number, now: number): number {
  const current = new Date(now).getUTCFullYear();
  let year = current - (current % 100) + twoDigits;
  if (year > current + 50) year -= 100;
  return year;
}

function utc(
  year: string | undefined,
  month: string | undefined,
  day: string | undefined,
  hour: string | undefined,
  minute: string | undefined,
  second: string | undefined,
): number | undefined {
  const y = Number(year);
  const m = MONTHS.indexOf(month ?? '');
  const d = Number(day);
  const [h, min, s] = [Number(hour), Number(minute), Number(second)];
  // 60 seconds is a leap second, which the grammar allows.
  if (m < 0 || d < 1 || h > 23 || min > 59 || s > 60) return undefined;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  date.setUTCFullYear(y, m, d);
  // A day the month does not have (31 Feb) rolls over into the next month: refuse it.
  if (date.getUTCMonth() !== m || date.getUTCDate() !== d) return undefined;
  date.setUTCHours(h, min, s, 0);
  return date.getTime();
}
