import { describe, expect, test } from 'vitest';
import { type ApiAccess, authorizeApiRequest, bearerToken, isAuthorized } from './auth.ts';
import type { TokenCheck } from './oauth-tokens.ts';

const oauth = (checks: Record<string, TokenCheck>): ApiAccess => ({
  kind: 'oauth',
  checkToken: (token) => checks[token] ?? 'unknown',
});

describe('bearerToken and isAuthorized', () => {
  test('read a bearer token, scheme in any case', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('  bearer   abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
    expect(isAuthorized('Bearer key', 'key')).toBe(true);
    expect(isAuthorized('Bearer kez', 'key')).toBe(false);
  });
});

describe('authorizeApiRequest', () => {
  test('with the API key: the key passes, anything else is denied without a fault', () => {
    const access: ApiAccess = { kind: 'api-key', apiKey: 'key' };
    expect(authorizeApiRequest('Bearer key', access)).toEqual({ kind: 'allowed' });
    expect(authorizeApiRequest(undefined, access)).toMatchObject({
      kind: 'denied',
      fault: null,
      challenge: 'Bearer realm="sandbox"',
    });
  });

  test('under OAuth: valid tokens pass; expired and unknown ones are denied as invalid_token', () => {
    const access = oauth({ fresh: 'valid', stale: 'expired' });
    expect(authorizeApiRequest('Bearer fresh', access)).toEqual({ kind: 'allowed' });
    expect(authorizeApiRequest('Bearer stale', access)).toMatchObject({
      fault: 'token-expired',
      challenge: 'Bearer error="invalid_token"',
      message: expect.stringContaining('expired'),
    });
    expect(authorizeApiRequest('Bearer sandbox-key', access)).toMatchObject({
      fault: 'token-invalid',
      challenge: 'Bearer error="invalid_token"',
      message: expect.stringContaining('API key no longer works'),
    });
    expect(authorizeApiRequest(undefined, access)).toMatchObject({
      fault: null,
      challenge: 'Bearer error="invalid_token"',
    });
  });
});
