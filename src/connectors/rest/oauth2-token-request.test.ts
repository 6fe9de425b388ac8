import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { describeError } from '../../errors/index.ts';
import {
  basicClientCredentials,
  clientSecretForms,
  errorForTokenAnswer,
  parseTokenAnswer,
  type TokenEndpoint,
  tokenRequestForm,
  tokenRequestHeaders,
} from './oauth2-token-request.ts';
import { type OAuth2ClientCredentials, RestConfigSchema } from './rest-config.ts';

const SECRET = 'cs:+/ secret-7x';

function oauth(overrides: Record<string, unknown> = {}): OAuth2ClientCredentials {
  const config = RestConfigSchema.parse({
    kind: 'rest',
    baseUrl: 'http://127.0.0.1:4010',
    auth: {
      kind: 'oauth2-client-credentials',
      tokenUrl: '/oauth/token',
      clientId: 'robot',
      clientSecret: SECRET,
      ...overrides,
    },
    entities: { po: { path: '/po', keyField: 'id' } },
  });
  if (config.auth?.kind !== 'oauth2-client-credentials') throw new Error('expected oauth2 auth');
  return config.auth;
}

const endpointOf = (auth: OAuth2ClientCredentials): TokenEndpoint => ({
  connector: 'erp',
  auth,
  url: new URL('http://127.0.0.1:4010/oauth/token'),
  timeoutMs: 1000,
});

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('the token request', () => {
  it('sends grant_type, scope and audience; credentials as Basic by default', () => {
    const auth = oauth({ scope: 'erp.read erp.write', audience: 'https://erp.example/api' });
    expect(Object.fromEntries(tokenRequestForm(auth))).toEqual({
      grant_type: 'client_credentials',
      scope: 'erp.read erp.write',
      audience: 'https://erp.example/api',
    });
    expect(tokenRequestHeaders(auth)).toMatchObject({
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      authorization: `Basic ${basicClientCredentials('robot', SECRET)}`,
    });
  });

  it('puts the credentials in the form with clientAuth: body, and no Authorization header', () => {
    const auth = oauth({ clientAuth: 'body' });
    expect(Object.fromEntries(tokenRequestForm(auth))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'robot',
      client_secret: SECRET,
    });
    expect(tokenRequestHeaders(auth)).not.toHaveProperty('authorization');
  });

  it('form-urlencodes id and secret before Basic-encoding them (RFC 6749 §2.3.1)', () => {
    const decoded = Buffer.from(basicClientCredentials('a:b', 'c d+/'), 'base64').toString('utf8');
    expect(decoded).toBe('a%3Ab:c+d%2B%2F');
    expect(Buffer.from(basicClientCredentials('robot', 'plain-Secret_1.0'), 'base64').toString()).toBe(
      'robot:plain-Secret_1.0',
    );
  });

  it('lists every form the secret travels in', () => {
    const forms = clientSecretForms(oauth());
    expect(forms).toContain(SECRET);
    expect(forms).toContain('cs%3A%2B%2F+secret-7x');
    expect(forms).toContain(basicClientCredentials('robot', SECRET));
  });
});

describe('parseTokenAnswer', () => {
  const endpoint = endpointOf(oauth());

  it('reads access_token and expires_in', () => {
    const answer = json(200, { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600 });
    expect(parseTokenAnswer(answer, endpoint)).toEqual({ accessToken: 'at-1', expiresInSeconds: 3600 });
  });

  it.each<[string, unknown, number | undefined]>([
    ['absent', undefined, undefined],
    ['a numeric string', '120', 120],
    ['zero', 0, undefined],
    ['negative', -5, undefined],
    ['not a number', 'soon', undefined],
  ])('takes expires_in %s as %s', (_what, expiresIn, expected) => {
    const answer = json(200, { access_token: 'at-1', token_type: 'bearer', expires_in: expiresIn });
    expect(parseTokenAnswer(answer, endpoint).expiresInSeconds).toBe(expected);
  });

  it('accepts a form-encoded answer and an absent token_type', () => {
    const answer = {
      status: 200,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'access_token=at-2&expires_in=60',
    };
    expect(parseTokenAnswer(answer, endpoint)).toEqual({ accessToken: 'at-2', expiresInSeconds: 60 });
  });

  it('refuses other token types, without printing the token', () => {
    const answer = json(200, { access_token: 'mac-token-123', token_type: 'mac' });
    expect(() => parseTokenAnswer(answer, endpoint)).toThrow(
      'POST http://127.0.0.1:4010/oauth/token answered 200, but the token type is "mac"; only Bearer tokens are supported',
    );
  });

  it('names the keys of a body without access_token, never its values', () => {
    const answer = json(200, { accessToken: 'camel-token-9', expires: 60 });
    let message = '';
    try {
      parseTokenAnswer(answer, endpoint);
    } catch (error) {
      message = describeError(error);
    }
    expect(message).toContain('the body has no usable access_token (its keys: accessToken, expires)');
    expect(message).toContain('connectors.erp.auth.tokenUrl');
    expect(message).not.toContain('camel-token-9');
  });

  it('refuses a token that would break the Authorization header', () => {
    const answer = json(200, { access_token: 'at 1\r\nX-Evil: 1', token_type: 'Bearer' });
    expect(() => parseTokenAnswer(answer, endpoint)).toThrow(/no usable access_token/);
  });

  it('refuses a body that is not JSON, such as a login page', () => {
    const answer = { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>login</html>' };
    expect(() => parseTokenAnswer(answer, endpoint)).toThrow(/neither a JSON object nor a form/);
  });
});

describe('errorForTokenAnswer', () => {
  const basic = endpointOf(oauth());
  const body = endpointOf(oauth({ clientAuth: 'body' }));
  const secrets = clientSecretForms(oauth());

  it('401 invalid_client is auth, names the config keys and redacts an echoed secret', () => {
    const error = errorForTokenAnswer(
      json(401, { error: 'invalid_client', error_description: `bad secret ${SECRET}` }),
      basic,
      secrets,
    );
    expect(error.kind).toBe('auth');
    expect(error.message).toBe(
      'POST http://127.0.0.1:4010/oauth/token answered 401 Unauthorized: invalid_client (bad secret [redacted])',
    );
    expect(error.context.hint).toBe(
      'the token endpoint rejected the client; check connectors.erp.auth.clientId and connectors.erp.auth.clientSecret' +
        ' (sent as HTTP Basic; if the server wants them in the form, set connectors.erp.auth.clientAuth: body)',
    );
    expect(error.context).toMatchObject({ connector: 'erp', method: 'POST', status: 401 });
  });

  it('400 invalid_client is auth too, and the hint suggests Basic when the form was used', () => {
    const error = errorForTokenAnswer(json(400, { error: 'invalid_client' }), body, secrets);
    expect(error.kind).toBe('auth');
    expect(error.context.hint).toContain('set connectors.erp.auth.clientAuth: basic');
  });

  it.each<[string, number, unknown, string, string]>([
    ['invalid_scope', 400, { error: 'invalid_scope' }, 'auth', 'check connectors.erp.auth.scope'],
    ['invalid_target', 400, { error: 'invalid_target' }, 'auth', 'check connectors.erp.auth.audience'],
    ['unauthorized_client', 400, { error: 'unauthorized_client' }, 'auth', 'client_credentials grant'],
    ['403', 403, { error: 'access_denied' }, 'auth', 'connectors.erp.auth.clientSecret'],
    ['unsupported_grant_type', 400, { error: 'unsupported_grant_type' }, 'permanent', 'auth.tokenUrl'],
    ['404', 404, 'Not Found', 'permanent', 'no token endpoint there; check connectors.erp.auth.tokenUrl'],
    ['500', 500, { error: 'server_error' }, 'transient', 'trying again later may succeed'],
    ['502', 502, '<html>bad gateway</html>', 'transient', 'trying again later may succeed'],
    ['429', 429, { error: 'slow_down' }, 'rate_limited', 'wait before trying again'],
  ])('%s → %s', (_what, status, answerBody, kind, hint) => {
    const error = errorForTokenAnswer(json(status, answerBody), basic, secrets);
    expect(error.kind).toBe(kind);
    expect(error.context.hint).toContain(hint);
  });

  it('carries Retry-After on 429 and 503', () => {
    const error = errorForTokenAnswer(json(503, { error: 'x' }, { 'retry-after': '7' }), basic, secrets);
    expect(error.kind).toBe('transient');
    expect(error.retryAfterMs).toBe(7000);
  });
});
