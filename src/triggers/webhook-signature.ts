import { Buffer } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signing and verifying webhook deliveries (docs/api.md, "Webhooks"). The sender signs
 * `<timestamp>.<raw body>` with HMAC-SHA256 and sends `X-Erpbridge-Timestamp` and
 * `X-Erpbridge-Signature: sha256=<hex>`. The timestamp is inside the signature, so a captured
 * delivery cannot be replayed with a fresh timestamp, and the tolerance window refuses it with the
 * old one. Pure functions: the caller passes the clock.
 */

/** The header that carries the signing time, in Unix seconds. */
export const TIMESTAMP_HEADER = 'X-Erpbridge-Timestamp';
/** The header that carries `sha256=<hex>`. */
export const SIGNATURE_HEADER = 'X-Erpbridge-Signature';

const SIGNATURE_PREFIX = 'sha256=';
/** Whole Unix seconds, as senders write them: digits only, at most 12 (beyond the year 33 000). */
const TIMESTAMP = /^\d{1,12}$/;
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;
const DIGEST_BYTES = 32;

/** What a delivery is signed with. */
export interface WebhookSignatureInput {
  secret: string;
  /** Unix seconds. */
  timestamp: number;
  /** The raw body, byte for byte as sent: re-serialised JSON would not match. */
  body: Buffer | string;
}

/** Why a delivery was refused. */
export type WebhookRefusal =
  | 'missing-timestamp'
  | 'malformed-timestamp'
  | 'stale'
  | 'future'
  | 'missing-signature'
  | 'malformed-signature'
  | 'bad-signature';

export type WebhookVerdict =
  | { ok: true; timestamp: number }
  /** `message` tells the sender what to fix; it never holds the secret or the expected signature. */
  | { ok: false; reason: WebhookRefusal; message: string };

/** A header as Node gives it: absent, once, or repeated. */
export type HeaderValue = string | readonly string[] | undefined;

export interface WebhookVerification {
  secret: string;
  timestampHeader: HeaderValue;
  signatureHeader: HeaderValue;
  /** The raw body as received, before any parsing. */
  body: Buffer | string;
  /** The server's clock, in Unix seconds. */
  nowSeconds: number;
  /** How far the timestamp may be from `nowSeconds`, either way, in seconds. */
  toleranceSeconds: number;
}

function digest(secret: string, timestamp: number, body: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/**
 * The signature header value for a delivery: `sha256=` and the hex HMAC-SHA256 of
 * `<timestamp>.<body>` under `secret`. For senders and tests.
 *
 * @throws RangeError for an empty secret or a timestamp that is not whole Unix seconds ≥ 0.
 * @example
 *   const body = JSON.stringify({ dryRun: false });
 *   const timestamp = Math.floor(Date.now() / 1000);
 *   fetch(url, { method: 'POST', body, headers: {
 *     'X-Erpbridge-Timestamp': String(timestamp),
 *     'X-Erpbridge-Signature': signWebhook({ secret, timestamp, body }),
 *   } });
 */
export function signWebhook({ secret, timestamp, body }: WebhookSignatureInput): string {
  if (secret.length === 0) throw new RangeError('a webhook secret cannot be empty');
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError(`a webhook timestamp is whole Unix seconds ≥ 0, not ${timestamp}`);
  }
  return `${SIGNATURE_PREFIX}${digest(secret, timestamp, body).toString('hex')}`;
}

/** What a sender wrote, shortened and quoted, safe to repeat in a message. */
function quoted(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

function refuse(reason: WebhookRefusal, message: string): WebhookVerdict {
  return { ok: false, reason, message };
}

/**
 * Checks a delivery's timestamp and signature. Pure. Rules, in order; the first that fails decides:
 *
 * 1. `missing-timestamp`: no timestamp header, or an empty one.
 * 2. `malformed-timestamp`: not whole Unix seconds (digits only; 13 digits or more are taken for
 *    milliseconds), or the header sent twice.
 * 3. `missing-signature`, then `malformed-signature`: no `sha256=<64 hex digits>`, or sent twice.
 * 4. `stale` / `future`: the timestamp is more than `toleranceSeconds` before / after `nowSeconds`.
 *    Checked before the signature: it needs no HMAC, and it is the precise reason for a replay.
 * 5. `bad-signature`: the HMAC differs, compared in constant time.
 *
 * The headers' format is checked first, so a sender's mistake is named even when its clock is off.
 */
export function verifyWebhook(delivery: WebhookVerification): WebhookVerdict {
  const { timestampHeader, signatureHeader, nowSeconds, toleranceSeconds } = delivery;

  if (timestampHeader === undefined || timestampHeader.length === 0) {
    return refuse(
      'missing-timestamp',
      `send ${TIMESTAMP_HEADER} with the Unix time in seconds at which the delivery was signed`,
    );
  }
  if (typeof timestampHeader !== 'string') {
    return refuse(
      'malformed-timestamp',
      `send ${TIMESTAMP_HEADER} once, not ${timestampHeader.length} times`,
    );
  }
  if (/^\d{13,}$/.test(timestampHeader)) {
    return refuse(
      'malformed-timestamp',
      `${TIMESTAMP_HEADER} must be Unix seconds; ${quoted(timestampHeader)} looks like milliseconds (divide by 1000)`,
    );
  }
  if (!TIMESTAMP.test(timestampHeader)) {
    return refuse(
      'malformed-timestamp',
      `${TIMESTAMP_HEADER} must be whole Unix seconds (digits only, e.g. 1764806400), not ${quoted(timestampHeader)}`,
    );
  }
  const timestamp = Number(timestampHeader);

  if (signatureHeader === undefined || signatureHeader.length === 0) {
    return refuse(
      'missing-signature',
      `send ${SIGNATURE_HEADER}: sha256= and the hex HMAC-SHA256 of "<timestamp>.<raw body>" under the webhook's secret`,
    );
  }
  if (typeof signatureHeader !== 'string') {
    return refuse(
      'malformed-signature',
      `send ${SIGNATURE_HEADER} once, not ${signatureHeader.length} times`,
    );
  }
  const hex = SIGNATURE.exec(signatureHeader.trim())?.[1];
  if (hex === undefined) {
    return refuse(
      'malformed-signature',
      `${SIGNATURE_HEADER} must be sha256= followed by 64 hex digits (an HMAC-SHA256), not ${quoted(signatureHeader)}`,
    );
  }

  const age = nowSeconds - timestamp;
  if (age > toleranceSeconds) {
    return refuse(
      'stale',
      `${TIMESTAMP_HEADER} is ${Math.round(age)} s old and at most ${toleranceSeconds} s is accepted: sign each delivery when sending it (a retry signs again), and check the sender's clock`,
    );
  }
  if (-age > toleranceSeconds) {
    return refuse(
      'future',
      `${TIMESTAMP_HEADER} is ${Math.round(-age)} s ahead of the server's clock and at most ${toleranceSeconds} s is accepted: check the sender's clock (NTP)`,
    );
  }

  const expected = digest(delivery.secret, timestamp, delivery.body);
  const given = Buffer.from(hex, 'hex');
  // timingSafeEqual throws on different lengths; the pattern guarantees 32 bytes, this states it.
  if (given.length !== DIGEST_BYTES || !timingSafeEqual(given, expected)) {
    return refuse(
      'bad-signature',
      `${SIGNATURE_HEADER} does not match: sign "<timestamp>.<raw body>" exactly as sent (the timestamp from ${TIMESTAMP_HEADER}, the body's bytes before any re-serialising) with HMAC-SHA256 under this workflow's webhook secret`,
    );
  }
  return { ok: true, timestamp };
}
