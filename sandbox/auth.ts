import { timingSafeEqual } from 'node:crypto';

/** Whether an `Authorization` header carries `Bearer <apiKey>` (scheme case-insensitive). */
export function isAuthorized(header: string | undefined, apiKey: string): boolean {
  if (header === undefined) return false;
  const match = /^bearer\s+(.+)$/i.exec(header.trim());
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(apiKey);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
