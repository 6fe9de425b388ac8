// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${ENV} references are what these tests are about
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/index.ts';
import { isSensitiveName, REDACTED, redact, resolveSecrets } from './secrets.ts';

describe('resolveSecrets', () => {
  const env = { ERP_TOKEN: 'tok-123456', ERP_URL: 'http://127.0.0.1:4010', EMPTY: '' };

  it('substitutes references recursively through objects and arrays', () => {
    const { value } = resolveSecrets(
      {
        baseUrl: '${ERP_URL}/api',
        auth: { token: '${ERP_TOKEN}' },
        list: ['a ${ERP_TOKEN} b', 3, true, null],
      },
      env,
      'connectors.erp',
    );
    expect(value).toEqual({
      baseUrl: 'http://127.0.0.1:4010/api',
      auth: { token: 'tok-123456' },
      list: ['a tok-123456 b', 3, true, null],
    });
  });

  it('uses the default when the variable is unset or empty', () => {
    const { value } = resolveSecrets(
      { a: '${MISSING:-fallback}', b: '${EMPTY:-x}', c: '${ERP_TOKEN:-unused}', d: '${MISSING:-}' },
      env,
      'root',
    );
    expect(value).toEqual({ a: 'fallback', b: 'x', c: 'tok-123456', d: '' });
  });

  it('keeps $${ as a literal ${ and leaves other dollars alone', () => {
    const { value } = resolveSecrets({ a: '$${ERP_TOKEN}', b: 'costs $5', c: '$$' }, env, 'root');
    expect(value).toEqual({ a: '${ERP_TOKEN}', b: 'costs $5', c: '$$' });
  });

  it('names the key path and the variable when a variable is missing', () => {
    const attempt = () => resolveSecrets({ auth: { token: '${ERP_PASSWORD}' } }, env, 'connectors.erp');
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      if (!(error instanceof ConfigError)) return;
      expect(error.key).toBe('connectors.erp.auth.token');
      expect(error.message).toContain('ERP_PASSWORD is not set');
    }
  });

  it('treats an empty variable without default as missing', () => {
    expect(() => resolveSecrets({ token: '${EMPTY}' }, env, 'c')).toThrow(/EMPTY is empty/);
  });

  it('names array positions in the key path', () => {
    try {
      resolveSecrets({ items: ['ok', '${NOPE}'] }, env, 'root');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      if (error instanceof ConfigError) expect(error.key).toBe('root.items[1]');
    }
  });

  it('starts key paths at the root when the path is empty', () => {
    try {
      resolveSecrets({ connectors: { erp: { token: '${NOPE}' } } }, env, '');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      if (error instanceof ConfigError) expect(error.key).toBe('connectors.erp.token');
    }
  });

  it('rejects malformed and unclosed references', () => {
    expect(() => resolveSecrets({ a: '${1ABC}' }, env, 'r')).toThrow(/malformed reference/);
    expect(() => resolveSecrets({ a: '${ERP_TOKEN' }, env, 'r')).toThrow(/unclosed/);
    expect(() => resolveSecrets({ a: '${}' }, env, 'r')).toThrow(/malformed reference/);
  });

  it('reports references and collects only sensitive values as secrets', () => {
    const resolved = resolveSecrets(
      {
        baseUrl: '${ERP_URL}',
        auth: { kind: 'basic', username: '${ERP_USER:-robot}', password: '${ERP_PW:-hunter22}' },
        headers: { 'X-Tenant': '${TENANT:-acme}', 'X-Session': '${SID:-sess-9999}' },
        note: '${MY_API_KEY:-key-abcdef}',
      },
      env,
      'connectors.erp',
    );
    expect(resolved.references).toEqual([
      { path: 'connectors.erp.baseUrl', variable: 'ERP_URL', sensitive: false },
      { path: 'connectors.erp.auth.username', variable: 'ERP_USER', sensitive: true },
      { path: 'connectors.erp.auth.password', variable: 'ERP_PW', sensitive: true },
      { path: 'connectors.erp.headers.X-Tenant', variable: 'TENANT', sensitive: false },
      { path: 'connectors.erp.headers.X-Session', variable: 'SID', sensitive: true },
      { path: 'connectors.erp.note', variable: 'MY_API_KEY', sensitive: true },
    ]);
    expect(resolved.secrets).toEqual(['robot', 'hunter22', 'sess-9999', 'key-abcdef']);
  });

  it('keeps a "__proto__" key as data', () => {
    const input = JSON.parse('{"__proto__": {"polluted": "${ERP_TOKEN}"}}');
    const { value } = resolveSecrets(input, env, 'r');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({ polluted: 'tok-123456' });
  });

  it('does not touch keys or non-string values', () => {
    const { value, references } = resolveSecrets({ '${A}': 1, n: 2 }, env, 'r');
    expect(value).toEqual({ '${A}': 1, n: 2 });
    expect(references).toEqual([]);
  });
});

describe('redact', () => {
  it('replaces every occurrence of each secret', () => {
    expect(redact('Bearer tok-123456 and again tok-123456', ['tok-123456'])).toBe(
      `Bearer ${REDACTED} and again ${REDACTED}`,
    );
  });

  it('hides the longer of two overlapping secrets whole', () => {
    expect(redact('user:pass-word-1', ['pass', 'user:pass-word-1'])).toBe(REDACTED);
  });

  it('hides the URL-encoded form too', () => {
    expect(redact('GET /x?token=a%2Fb%3Dcc', ['a/b=cc'])).toBe(`GET /x?token=${REDACTED}`);
  });

  it('ignores empty and very short secrets', () => {
    expect(redact('a b c', ['', 'a'])).toBe('a b c');
  });
});

describe('isSensitiveName', () => {
  it.each([
    ['token', true],
    ['password', true],
    ['apiKey', true],
    ['Authorization', true],
    ['ERP_SECRET', true],
    ['baseUrl', false],
    ['timeoutMs', false],
    ['X-Tenant', false],
  ])('%s → %s', (name, expected) => {
    expect(isSensitiveName(name)).toBe(expected);
  });
});
