import { describe, expect, test } from 'vitest';
import { createOAuthTokenStore } from './oauth-tokens.ts';

describe('createOAuthTokenStore', () => {
  test('a token is valid for its client until its TTL is over, then expired', () => {
    let time = 1_000_000;
    const store = createOAuthTokenStore(() => time);
    const issued = store.issue('erp-client', 10);
    expect(issued.accessToken).toMatch(/^[\w-]{43}$/);
    expect(issued.expiresAt).toBe(1_010_000);
    expect(store.check(issued.accessToken, 'erp-client')).toBe('valid');
    expect(store.check(issued.accessToken, 'another-client')).toBe('unknown');
    expect(store.check('made-up', 'erp-client')).toBe('unknown');
    time = 1_009_999;
    expect(store.check(issued.accessToken, 'erp-client')).toBe('valid');
    time = 1_010_000;
    expect(store.check(issued.accessToken, 'erp-client')).toBe('expired');
  });

  test('every token is new; the oldest give way beyond the capacity', () => {
    const store = createOAuthTokenStore(Date.now, 2);
    const [first, second, third] = [1, 2, 3].map(() => store.issue('c', 60).accessToken);
    expect(new Set([first, second, third]).size).toBe(3);
    expect([first, second, third].map((token) => store.check(token ?? '', 'c'))).toEqual([
      'unknown',
      'valid',
      'valid',
    ]);
  });
});
