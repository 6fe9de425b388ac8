// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${ENV} references are what these tests are about
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/index.ts';
import { isSensitiveName, MAX_SECRET_FILE_BYTES, REDACTED, redact, resolveSecrets } from './secrets.ts';

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

describe('resolveSecrets with ${file:…} references', () => {
  const dir = mkdtempSync(join(tmpdir(), 'erpbridge-secrets-'));
  mkdirSync(join(dir, 'secrets'));
  writeFileSync(join(dir, 'secrets', 'client'), 'cs-from-file-42\n');
  writeFileSync(join(dir, 'crlf'), 'crlf-secret-7\r\n\r\n');
  writeFileSync(join(dir, 'inner-newline'), 'line one\nline two\n');
  writeFileSync(join(dir, 'empty'), '\n');
  writeFileSync(join(dir, 'huge'), 'x'.repeat(MAX_SECRET_FILE_BYTES + 1));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The ConfigError a resolution throws. */
  const configError = (run: () => unknown): ConfigError => {
    try {
      run();
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('expected a ConfigError');
  };

  it('reads an absolute path, trailing newline trimmed', () => {
    const file = join(dir, 'secrets', 'client');
    const { value, secrets, references } = resolveSecrets(
      { auth: { clientSecret: `\${file:${file}}` } },
      {},
      'connectors.erp',
    );
    expect(value).toEqual({ auth: { clientSecret: 'cs-from-file-42' } });
    expect(secrets).toEqual(['cs-from-file-42']);
    expect(references).toEqual([
      { path: 'connectors.erp.auth.clientSecret', variable: `file:${file}`, file, sensitive: true },
    ]);
  });

  it('resolves a relative path against baseDir', () => {
    const { value } = resolveSecrets({ secret: '${file:secrets/client}' }, {}, 'c', dir);
    expect(value).toEqual({ secret: 'cs-from-file-42' });
  });

  it('trims every trailing line break, CRLF included, and keeps inner ones', () => {
    const { value } = resolveSecrets({ a: '${file:crlf}', b: '${file:inner-newline}' }, {}, 'c', dir);
    expect(value).toEqual({ a: 'crlf-secret-7', b: 'line one\nline two' });
  });

  it('treats a file value as a secret whatever its key is called, and redacts it', () => {
    const resolved = resolveSecrets({ note: 'id ${file:secrets/client} end' }, {}, 'c', dir);
    expect(resolved.value).toEqual({ note: 'id cs-from-file-42 end' });
    expect(resolved.references[0]?.sensitive).toBe(true);
    expect(redact('echo: cs-from-file-42', resolved.secrets)).toBe(`echo: ${REDACTED}`);
  });

  it('mixes with ${ENV} references', () => {
    const { value } = resolveSecrets(
      { a: '${file:secrets/client}', b: '${USER_NAME:-robot}' },
      { USER_NAME: 'erp' },
      'c',
      dir,
    );
    expect(value).toEqual({ a: 'cs-from-file-42', b: 'erp' });
  });

  it('names the key path and the file when the file is missing', () => {
    const missing = join(dir, 'nope');
    const error = configError(() =>
      resolveSecrets({ auth: { clientSecret: `\${file:${missing}}` } }, {}, 'connectors.erp'),
    );
    expect(error.key).toBe('connectors.erp.auth.clientSecret');
    expect(error.message).toBe(`secret file ${missing} does not exist; check the path`);
  });

  it('names a relative file by its resolved path', () => {
    const error = configError(() => resolveSecrets({ token: '${file:secrets/absent}' }, {}, 'c', dir));
    expect(error.message).toBe(
      `secret file ${join(dir, 'secrets', 'absent')} does not exist; check the path`,
    );
  });

  it.each([
    ['an empty file', 'empty', 'is empty'],
    ['a folder', 'secrets', 'is not a regular file'],
    [
      'a file too big to be a secret',
      'huge',
      `is ${MAX_SECRET_FILE_BYTES + 1} bytes; a secret file holds at most ${MAX_SECRET_FILE_BYTES}`,
    ],
  ])('refuses %s', (_what, name, problem) => {
    const error = configError(() => resolveSecrets({ token: `\${file:${name}}` }, {}, 'c', dir));
    expect(error.key).toBe('c.token');
    expect(error.message).toBe(`secret file ${join(dir, name)} ${problem}`);
  });

  it('refuses a FIFO without waiting for a writer', () => {
    const fifo = join(dir, 'fifo');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch (error) {
      // No mkfifo on this system: nothing to test.
      expect(error).toBeInstanceOf(Error);
      return;
    }
    const error = configError(() => resolveSecrets({ token: `\${file:${fifo}}` }, {}, 'c'));
    expect(error.message).toBe(`secret file ${fifo} is not a regular file`);
  });

  it('refuses a relative path without a base directory', () => {
    const error = configError(() => resolveSecrets({ token: '${file:secrets/client}' }, {}, 'c'));
    expect(error.key).toBe('c.token');
    expect(error.message).toBe(
      'secret file "secrets/client" is a relative path and there is no config folder to resolve it against; write an absolute path',
    );
  });

  it('refuses a reference that names no file', () => {
    expect(() => resolveSecrets({ token: '${file:}' }, {}, 'c', dir)).toThrow(/names no file/);
  });

  it('still reads ${file:-x} as the variable "file" with a default', () => {
    expect(resolveSecrets({ a: '${file:-fallback}' }, {}, 'c').value).toEqual({ a: 'fallback' });
    expect(resolveSecrets({ a: '${file:-fallback}' }, { file: 'set' }, 'c').value).toEqual({ a: 'set' });
  });

  it('leaves an escaped $${file:…} alone', () => {
    expect(resolveSecrets({ a: '$${file:/etc/passwd}' }, {}, 'c').value).toEqual({
      a: '${file:/etc/passwd}',
    });
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
