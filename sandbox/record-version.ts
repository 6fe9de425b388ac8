/**
 * A record's version: `updated_at` is the concurrency token, served as a strong ETag and checked
 * against If-Match before a write.
 */

/** The strong ETag of a record: its `updated_at` in double quotes. */
export function etagOf(updatedAt: string): string {
  return `"${updatedAt}"`;
}

/**
 * Whether an `If-Match` header lets a write proceed against `currentEtag` (RFC 9110 §13.1.1):
 * `*` matches any existing record; otherwise one of the listed tags must match by strong
 * comparison, so a weak tag (`W/"..."`) never matches.
 */
export function ifMatchSatisfied(header: string, currentEtag: string): boolean {
  const value = header.trim();
  if (value === '*') return true;
  return value
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === currentEtag);
}

/**
 * The next `updated_at` of a record last written at `previous`: now, or 1 ms after `previous`
 * when now is not later, so the value strictly increases on every write.
 */
export function nextUpdatedAt(previous: string, nowMs: number): string {
  const previousMs = Date.parse(previous);
  return new Date(Number.isNaN(previousMs) ? nowMs : Math.max(nowMs, previousMs + 1)).toISOString();
}
