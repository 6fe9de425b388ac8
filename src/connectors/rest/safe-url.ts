import { isSensitiveName, REDACTED, redact } from '../../config/secrets.ts';

/**
 * A URL fit for error messages and logs: no user info, and the values of query parameters whose
 * names look secret (`token`, `api_key`, `signature`…) or that contain a known secret replaced.
 */
export function safeUrl(url: URL | string, secrets: readonly string[]): string {
  const printable = new URL(url);
  printable.username = '';
  printable.password = '';
  for (const [name, value] of [...printable.searchParams]) {
    if (isSensitiveName(name) || redact(value, secrets) !== value) printable.searchParams.set(name, REDACTED);
  }
  return redact(printable.toString(), secrets);
}
