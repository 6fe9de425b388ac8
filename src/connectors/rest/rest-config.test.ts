import { describe, expect, it } from 'vitest';
import { RestConfigSchema } from './rest-config.ts';

const minimal = {
  kind: 'rest',
  baseUrl: 'http://127.0.0.1:4010',
  entities: { purchase_orders: { path: '/api/purchase_orders', keyField: 'po_number' } },
};

/** The messages zod gives for a config, each prefixed by its option path. */
function problems(config: Record<string, unknown>): string[] {
  const result = RestConfigSchema.safeParse({ ...minimal, ...config });
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('RestConfigSchema', () => {
  it('fills in the documented defaults', () => {
    expect(RestConfigSchema.parse(minimal)).toEqual({
      ...minimal,
      timeoutMs: 10_000,
      concurrency: 8,
      headers: {},
      pagination: {
        style: 'page',
        pageParam: 'page',
        sizeParam: 'page_size',
        firstPage: 1,
        pageSize: 500,
        itemsPath: 'data',
        totalPath: undefined,
      },
      entities: {
        purchase_orders: {
          path: '/api/purchase_orders',
          keyField: 'po_number',
          filters: {},
          itemPath: '/{key}',
        },
      },
    });
  });

  it('fills in per-style defaults', () => {
    const offset = RestConfigSchema.parse({ ...minimal, pagination: { style: 'offset' } }).pagination;
    expect(offset).toMatchObject({ style: 'offset', offsetParam: 'offset', limitParam: 'limit' });
    const next = RestConfigSchema.parse({ ...minimal, pagination: { style: 'next-link' } }).pagination;
    expect(next).toMatchObject({ style: 'next-link', nextPath: 'links.next', sizeParam: 'page_size' });
  });

  it('defaults the api-key header to X-API-Key', () => {
    const config = RestConfigSchema.parse({ ...minimal, auth: { kind: 'api-key', value: 'k-123' } });
    expect(config.auth).toEqual({ kind: 'api-key', header: 'X-API-Key', value: 'k-123' });
  });

  it('fills in the oauth2-client-credentials defaults', () => {
    const config = RestConfigSchema.parse({
      ...minimal,
      auth: {
        kind: 'oauth2-client-credentials',
        tokenUrl: '/oauth/token',
        clientId: 'robot',
        clientSecret: 's3cret',
      },
    });
    expect(config.auth).toEqual({
      kind: 'oauth2-client-credentials',
      tokenUrl: '/oauth/token',
      clientId: 'robot',
      clientSecret: 's3cret',
      clientAuth: 'basic',
      refreshBeforeExpirySeconds: 30,
    });
  });

  it('accepts every oauth2 option, and absolute token URLs with a query', () => {
    const auth = {
      kind: 'oauth2-client-credentials',
      tokenUrl: 'https://login.example.com/tenant/oauth2/v2.0/token?api-version=2',
      clientId: 'robot',
      clientSecret: 's3cret',
      scope: 'erp.read erp.write api://erp/.default',
      audience: 'https://erp.example/api',
      clientAuth: 'body',
      refreshBeforeExpirySeconds: 0,
      tokenTimeoutMs: 5000,
    };
    expect(problems({ auth })).toEqual([]);
  });

  const oauth = (options: Record<string, unknown>) => ({
    auth: {
      kind: 'oauth2-client-credentials',
      tokenUrl: '/oauth/token',
      clientId: 'c',
      clientSecret: 's',
      ...options,
    },
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown option', { timeout: 5 }, ': Unrecognized key: "timeout"'],
    [
      'a negative refreshBeforeExpirySeconds',
      oauth({ refreshBeforeExpirySeconds: -1 }),
      'auth.refreshBeforeExpirySeconds: Too small: expected number to be >=0',
    ],
    [
      'a refreshBeforeExpirySeconds in milliseconds',
      oauth({ refreshBeforeExpirySeconds: 30_000_000 }),
      'auth.refreshBeforeExpirySeconds: Too big: expected number to be <=86400',
    ],
    [
      'a token URL that is neither a URL nor a path',
      oauth({ tokenUrl: 'oauth/token' }),
      'auth.tokenUrl: must be an http:// or https:// URL, or a path starting with "/" (appended to baseUrl)',
    ],
    [
      'a protocol-relative token URL',
      oauth({ tokenUrl: '//idp.example/token' }),
      'auth.tokenUrl: a path must start with a single "/"; or write the full URL',
    ],
    [
      'a non-http token URL',
      oauth({ tokenUrl: 'ftp://idp/token' }),
      'auth.tokenUrl: must be an http:// or https:// URL',
    ],
    [
      'credentials in the token URL',
      oauth({ tokenUrl: 'https://a:b@idp/token' }),
      'auth.tokenUrl: must not contain credentials; use clientId and clientSecret',
    ],
    [
      'a fragment in the token URL',
      oauth({ tokenUrl: 'https://idp/token#x' }),
      'auth.tokenUrl: must not contain a fragment',
    ],
    [
      'an unknown client authentication',
      oauth({ clientAuth: 'jwt' }),
      'auth.clientAuth: Invalid option: expected one of "basic"|"body"',
    ],
    [
      'a scope with a double space',
      oauth({ scope: 'erp.read  erp.write' }),
      'auth.scope: space-separated scopes, e.g. "erp.read erp.write"',
    ],
    ['an empty client secret', oauth({ clientSecret: '' }), 'auth.clientSecret: must not be empty'],
    [
      'a zero token timeout',
      oauth({ tokenTimeoutMs: 0 }),
      'auth.tokenTimeoutMs: Too small: expected number to be >=1',
    ],
    [
      'Authorization both in headers and oauth2 auth',
      { ...oauth({}), headers: { Authorization: 'Bearer x' } },
      'headers.Authorization: headers.Authorization conflicts with auth (oauth2-client-credentials); remove one of them',
    ],
    ['a non-http URL', { baseUrl: 'ftp://127.0.0.1' }, 'baseUrl: must be an http:// or https:// URL'],
    [
      'credentials in the URL',
      { baseUrl: 'http://u:p@127.0.0.1' },
      'baseUrl: must not contain credentials; put them under auth',
    ],
    [
      'a query in the URL',
      { baseUrl: 'http://127.0.0.1/?x=1' },
      'baseUrl: must not contain a query or fragment',
    ],
    ['a zero timeout', { timeoutMs: 0 }, 'timeoutMs: Too small: expected number to be >=1'],
    ['too much concurrency', { concurrency: 1000 }, 'concurrency: Too big: expected number to be <=256'],
    ['no entities', { entities: {} }, 'entities: declare at least one entity'],
    [
      'an option of another pagination style',
      { pagination: { style: 'offset', pageParam: 'p' } },
      'pagination.pageParam: pagination.pageParam applies to style page, not offset',
    ],
    [
      'nextPath with page style',
      { pagination: { nextPath: 'next' } },
      'pagination.nextPath: pagination.nextPath applies to style next-link, not page',
    ],
    [
      'a bad dotted path',
      { pagination: { itemsPath: 'a..b' } },
      'pagination.itemsPath: a dotted path like "meta.total", or "" for the body',
    ],
    [
      'a zero page size',
      { pagination: { pageSize: 0 } },
      'pagination.pageSize: Too small: expected number to be >=1',
    ],
    [
      'an auth option of another kind',
      { auth: { kind: 'bearer', token: 't', username: 'u' } },
      'auth: Unrecognized key: "username"',
    ],
    ['an empty token', { auth: { kind: 'bearer', token: '' } }, 'auth.token: must not be empty'],
    [
      'a line break in a header',
      { headers: { 'X-A': 'a\r\nX-Evil: 1' } },
      'headers.X-A: must not contain line breaks',
    ],
    [
      'Authorization both in headers and auth',
      { auth: { kind: 'bearer', token: 't' }, headers: { authorization: 'Bearer x' } },
      'headers.authorization: headers.authorization conflicts with auth (bearer); remove one of them',
    ],
    [
      'the api-key header also in headers',
      { auth: { kind: 'api-key', header: 'X-Key', value: 'v' }, headers: { 'x-key': 'w' } },
      'headers.x-key: headers.x-key conflicts with auth (api-key); remove one of them',
    ],
    [
      'a header the connector sets',
      { headers: { 'Content-Type': 'text/xml' } },
      'headers.Content-Type: headers.Content-Type is set by the connector itself; remove it',
    ],
    [
      'an itemPath without {key}',
      { entities: { po: { path: '/po', keyField: 'id', itemPath: '/one' } } },
      'entities.po.itemPath: must contain {key}',
    ],
    [
      'a relative entity path',
      { entities: { po: { path: 'po', keyField: 'id' } } },
      'entities.po.path: must start with "/"',
    ],
    [
      'an unknown write method',
      { entities: { po: { path: '/po', keyField: 'id', write: { method: 'DELETE' } } } },
      'entities.po.write.method: Invalid option: expected one of "PATCH"|"PUT"|"POST"',
    ],
  ])('rejects %s, naming the option', (_what, config, problem) => {
    expect(problems(config)).toContain(problem);
  });

  it('accepts a full configuration', () => {
    expect(
      problems({
        timeoutMs: 2000,
        concurrency: 2,
        auth: { kind: 'basic', username: 'robot', password: 'pw' },
        headers: { 'X-Tenant': 'acme' },
        pagination: {
          style: 'next-link',
          nextPath: 'meta.next',
          pageSize: 100,
          itemsPath: '',
          totalPath: 'meta.count',
        },
        testPath: '/health',
        entities: {
          po: {
            path: '/po',
            keyField: 'id',
            versionField: 'rev',
            filters: { open: 'is_open' },
            write: { method: 'PUT' },
            itemPath: '?id={key}',
          },
        },
      }),
    ).toEqual([]);
  });
});
