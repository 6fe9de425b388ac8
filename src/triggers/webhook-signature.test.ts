import { Buffer } from 'node:buffer';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, type WebhookVerification } from './webhook-signature.ts';

const secret = 'whsec-0123456789abcdef';
const body = '{"dryRun":false,"asOf":"2026-12-04"}';
const now = 1_764_806_400;

/** A delivery signed now with the right secret; `overrides` breaks one thing at a time. */
function delivery(overrides: Partial<WebhookVerification> = {}): WebhookVerification {
  return {
    secret,
    timestampHeader: String(now),
    signatureHeader: signWebhook({ secret, timestamp: now, body }),
    body,
    nowSeconds: now,
    toleranceSeconds: 300,
    ...overrides,
  };
}

describe('signWebhook', () => {
  it('is sha256= and the hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    const expected = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
    expect(signWebhook({ secret, timestamp: now, body })).toBe(`sha256=${expected}`);
  });

  it('signs the bytes: a Buffer and the same string sign alike, a re-serialised body does not', () => {
    const signed = signWebhook({ secret, timestamp: now, body });
    expect(signWebhook({ secret, timestamp: now, body: Buffer.from(body) })).toBe(signed);
    const reserialised = JSON.stringify(JSON.parse(body), null, 2);
    expect(signWebhook({ secret, timestamp: now, body: reserialised })).not.toBe(signed);
  });

  it('the timestamp is part of what is signed', () => {
    expect(signWebhook({ secret, timestamp: now + 1, body })).not.toBe(
      signWebhook({ secret, timestamp: now, body }),
    );
  });

  it.each([
    [{ secret: '', timestamp: now }, 'a webhook secret cannot be empty'],
    [{ secret, timestamp: -1 }, 'a webhook timestamp is whole Unix seconds ≥ 0, not -1'],
    [{ secret, timestamp: 1.5 }, 'a webhook timestamp is whole Unix seconds ≥ 0, not 1.5'],
  ])('refuses %j', (input, message) => {
    expect(() => signWebhook({ ...input, body })).toThrow(new RangeError(message));
  });
});

describe('verifyWebhook', () => {
  it('accepts a delivery signed now, and returns its timestamp', () => {
    expect(verifyWebhook(delivery())).toEqual({ ok: true, timestamp: now });
  });

  it('accepts a Buffer body, an uppercase hex signature, and a timestamp at the edge of the window', () => {
    expect(verifyWebhook(delivery({ body: Buffer.from(body) })).ok).toBe(true);
    const upper = `sha256=${signWebhook({ secret, timestamp: now, body }).slice(7).toUpperCase()}`;
    expect(verifyWebhook(delivery({ signatureHeader: upper })).ok).toBe(true);
    expect(verifyWebhook(delivery({ nowSeconds: now + 300 })).ok).toBe(true);
    expect(verifyWebhook(delivery({ nowSeconds: now - 300 })).ok).toBe(true);
  });

  describe('rule 1: missing-timestamp', () => {
    it.each([undefined, ''])('%j', (timestampHeader) => {
      expect(verifyWebhook(delivery({ timestampHeader }))).toEqual({
        ok: false,
        reason: 'missing-timestamp',
        message: 'send X-Erpbridge-Timestamp with the Unix time in seconds at which the delivery was signed',
      });
    });
  });

  describe('rule 2: malformed-timestamp', () => {
    it.each([
      [
        '1764806400.5',
        'X-Erpbridge-Timestamp must be whole Unix seconds (digits only, e.g. 1764806400), not "1764806400.5"',
      ],
      ['-5', 'X-Erpbridge-Timestamp must be whole Unix seconds (digits only, e.g. 1764806400), not "-5"'],
      [
        '2026-12-04T00:00:00Z',
        'X-Erpbridge-Timestamp must be whole Unix seconds (digits only, e.g. 1764806400), not "2026-12-04T00:00:00Z"',
      ],
      [
        '1764806400000',
        'X-Erpbridge-Timestamp must be Unix seconds; "1764806400000" looks like milliseconds (divide by 1000)',
      ],
    ])('%j', (timestampHeader, message) => {
      expect(verifyWebhook(delivery({ timestampHeader }))).toEqual({
        ok: false,
        reason: 'malformed-timestamp',
        message,
      });
    });

    it('sent twice', () => {
      const verdict = verifyWebhook(delivery({ timestampHeader: [String(now), String(now)] }));
      expect(verdict).toEqual({
        ok: false,
        reason: 'malformed-timestamp',
        message: 'send X-Erpbridge-Timestamp once, not 2 times',
      });
    });

    it('a long value is shortened in the message', () => {
      const verdict = verifyWebhook(delivery({ timestampHeader: 'x'.repeat(500) }));
      expect(verdict.ok === false && verdict.message.length).toBeLessThan(200);
    });
  });

  describe('rule 3: missing-signature, malformed-signature', () => {
    it.each([undefined, ''])('missing: %j', (signatureHeader) => {
      expect(verifyWebhook(delivery({ signatureHeader }))).toEqual({
        ok: false,
        reason: 'missing-signature',
        message:
          'send X-Erpbridge-Signature: sha256= and the hex HMAC-SHA256 of "<timestamp>.<raw body>" under the webhook\'s secret',
      });
    });

    it.each([
      ['a bare hex digest', 'f'.repeat(64)],
      ['another algorithm', `sha1=${'f'.repeat(40)}`],
      ['too short', `sha256=${'f'.repeat(63)}`],
      ['too long', `sha256=${'f'.repeat(66)}`],
      ['not hex', `sha256=${'g'.repeat(64)}`],
      ['two signatures', `sha256=${'f'.repeat(64)},sha256=${'e'.repeat(64)}`],
    ])('malformed: %s', (_, signatureHeader) => {
      const verdict = verifyWebhook(delivery({ signatureHeader }));
      expect(verdict).toMatchObject({ ok: false, reason: 'malformed-signature' });
      expect(verdict.ok === false && verdict.message).toMatch(
        /^X-Erpbridge-Signature must be sha256= followed by 64 hex digits \(an HMAC-SHA256\), not "/,
      );
    });

    it('sent twice', () => {
      const signed = signWebhook({ secret, timestamp: now, body });
      expect(verifyWebhook(delivery({ signatureHeader: [signed, signed] }))).toEqual({
        ok: false,
        reason: 'malformed-signature',
        message: 'send X-Erpbridge-Signature once, not 2 times',
      });
    });

    it('the headers are checked before the clock: a missing signature is named even when stale', () => {
      expect(verifyWebhook(delivery({ signatureHeader: undefined, nowSeconds: now + 10_000 }))).toMatchObject(
        {
          reason: 'missing-signature',
        },
      );
    });
  });

  describe('rule 4: stale, future', () => {
    it('a delivery older than the tolerance is stale, even with a valid signature (a replay)', () => {
      expect(verifyWebhook(delivery({ nowSeconds: now + 301 }))).toEqual({
        ok: false,
        reason: 'stale',
        message:
          "X-Erpbridge-Timestamp is 301 s old and at most 300 s is accepted: sign each delivery when sending it (a retry signs again), and check the sender's clock",
      });
    });

    it('a timestamp further ahead than the tolerance is from the future', () => {
      expect(verifyWebhook(delivery({ nowSeconds: now - 61, toleranceSeconds: 60 }))).toEqual({
        ok: false,
        reason: 'future',
        message:
          "X-Erpbridge-Timestamp is 61 s ahead of the server's clock and at most 60 s is accepted: check the sender's clock (NTP)",
      });
    });

    it('a replay re-stamped with a fresh timestamp fails the signature instead', () => {
      const verdict = verifyWebhook(delivery({ timestampHeader: String(now + 400), nowSeconds: now + 400 }));
      expect(verdict).toMatchObject({ ok: false, reason: 'bad-signature' });
    });
  });

  describe('rule 5: bad-signature', () => {
    it.each([
      [
        'another secret',
        { signatureHeader: signWebhook({ secret: 'not-the-secret-at-all', timestamp: now, body }) },
      ],
      ['a changed body', { body: body.replace('false', 'true') }],
      ['a re-serialised body', { body: JSON.stringify(JSON.parse(body), null, 2) }],
      ['another timestamp', { timestampHeader: String(now - 1) }],
    ])('%s', (_, overrides) => {
      const verdict = verifyWebhook(delivery(overrides));
      expect(verdict).toEqual({
        ok: false,
        reason: 'bad-signature',
        message:
          'X-Erpbridge-Signature does not match: sign "<timestamp>.<raw body>" exactly as sent (the timestamp from X-Erpbridge-Timestamp, the body\'s bytes before any re-serialising) with HMAC-SHA256 under this workflow\'s webhook secret',
      });
    });

    it('no message ever holds the secret or the expected signature', () => {
      const expected = signWebhook({ secret, timestamp: now, body });
      const attempts: Partial<WebhookVerification>[] = [
        { signatureHeader: `sha256=${'0'.repeat(64)}` },
        { signatureHeader: 'garbage' },
        { timestampHeader: 'garbage' },
        { nowSeconds: now + 1000 },
        { body: 'tampered' },
      ];
      for (const overrides of attempts) {
        const verdict = verifyWebhook(delivery(overrides));
        if (verdict.ok) throw new Error(`expected a refusal for ${JSON.stringify(overrides)}`);
        expect(verdict.message).not.toContain(secret);
        expect(verdict.message).not.toContain(expected.slice(7));
        expect(verdict.message).not.toContain(expected.slice(7, 23));
      }
    });
  });
});
