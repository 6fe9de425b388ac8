import { describe, expect, it } from 'vitest';
import { redactEnvelope } from './redact-envelope.ts';

describe('redactEnvelope', () => {
  it('replaces WS-Security passwords, text or digest, and configured secrets anywhere', () => {
    const envelope =
      '<soap:Header><wsse:Security><wsse:UsernameToken><wsse:Username>u</wsse:Username>' +
      '<wsse:Password Type="…#PasswordText">p&lt;w</wsse:Password></wsse:UsernameToken></wsse:Security>' +
      '<Password>digest==</Password></soap:Header><soap:Body><Note>token tok-123456</Note></soap:Body>';
    expect(redactEnvelope(envelope, ['tok-123456'])).toBe(
      '<soap:Header><wsse:Security><wsse:UsernameToken><wsse:Username>u</wsse:Username>' +
        '<wsse:Password Type="…#PasswordText">[redacted]</wsse:Password></wsse:UsernameToken></wsse:Security>' +
        '<Password>[redacted]</Password></soap:Header><soap:Body><Note>token [redacted]</Note></soap:Body>',
    );
  });

  it('leaves envelopes without secrets alone', () => {
    expect(redactEnvelope('<a><PasswordHint>x</PasswordHint></a>', [])).toBe(
      '<a><PasswordHint>x</PasswordHint></a>',
    );
  });
});
