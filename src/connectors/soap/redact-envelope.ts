import { REDACTED, redact } from '../../config/secrets.ts';

/**
 * A SOAP envelope fit for logs and plan renderings: the content of every WS-Security
 * `Password` element replaced (a PasswordText token carries the password itself; a digest is
 * replaced too, it can be replayed until it expires), and every configured secret redacted
 * wherever else it appears.
 */
export function redactEnvelope(xml: string, secrets: readonly string[]): string {
  const withoutPasswords = xml.replace(
    /(<(?:[A-Za-z_][\w.-]*:)?Password\b[^>]*>)[^<]*(<\/(?:[A-Za-z_][\w.-]*:)?Password>)/g,
    `$1${REDACTED}$2`,
  );
  return redact(withoutPasswords, secrets);
}
