import type { RetryAfterFormat } from './fault-config.ts';

/**
 * A `Retry-After` value for a wait of `waitMs` from `now`: whole seconds rounded up (at least 1),
 * or the HTTP-date of the first whole second at or after the wait's end.
 *
 * @example
 * retryAfterValue(1200, Date.parse('2025-06-15T10:00:00Z'), 'seconds'); // "2"
 * retryAfterValue(1200, Date.parse('2025-06-15T10:00:00Z'), 'http-date'); // "Sun, 15 Jun 2025 10:00:02 GMT"
 */
export function retryAfterValue(waitMs: number, now: number, format: RetryAfterFormat): string {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  if (format === 'seconds') return String(seconds);
  return new Date(Math.ceil((now + waitMs) / 1000) * 1000).toUTCString();
}
