import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeError, ErpError } from '../../errors/index.ts';
import { rejectionOf } from '../../errors/test-errors.ts';
import {
  createOAuth2TokenSource,
  type OAuth2TokenSource,
  resolveTokenUrl,
  tokenSchedule,
} from './oauth2-token-source.ts';
import { RestConfigSchema } from './rest-config.ts';
import { startTestOAuthServer, type TestOAuthServer } from './test-oauth-server.ts';

describe('tokenSchedule', () => {
  it('refreshes refreshBeforeExpirySeconds before expiry', () => {
    expect(tokenSchedule(1_000, 3600, 30)).toEqual({
      refreshAt: 1_000 + 3_570_000,
      expiresAt: 1_000 + 3_600_000,
    });
  });

  it('refreshes at half the life of a token that lives less than twice the margin', () => {
    expect(tokenSchedule(0, 1, 30)).toEqual({ refreshAt: 500, expiresAt: 1000 });
    expect(tokenSchedule(0, 60, 30)).toEqual({ refreshAt: 30_000, expiresAt: 60_000 });
  });

  it('with a margin of 0, refreshes at expiry', () => {
    expect(tokenSchedule(0, 10, 0)).toEqual({ refreshAt: 10_000, expiresAt: 10_000 });
  });

  it('has no schedule for an unknown lifetime', () => {
    expect(tokenSchedule(0, undefined, 30)).toBeUndefined();
  });
});

describe('resolveTokenUrl', () => {
  it('appends a path to baseUrl’s path, as entity paths are', () => {
    expect(resolveTokenUrl('/oauth/token', 'http://127.0.0.1:4010/erp/').href).toBe(
      'http://127.0.0.1:4010/erp/oauth/token',
    );
    expect(resolveTokenUrl('/oauth/token?realm=a', 'http://127.0.0.1:4010').href).toBe(
      'http://127.0.0.1:4010/oauth/token?realm=a',
    );
  });

  it('keeps an absolute URL', () => {
    expect(resolveTokenUrl('http://127.0.0.1:9000/token', 'http://127.0.0.1:4010/erp').href).toBe(
      'http://127.0.0.1:9000/token',
    );
  });
});

/** A clock the test moves, shared by the server and the token source. */
let now = 1_700_000_000_000;
const clock = () => now;

let server: TestOAuthServer;
let noExpiry: TestOAuthServer;
let slow: TestOAuthServer;
const sources: OAuth2TokenSource[] = [];

beforeAll(async () => {
  [server, noExpiry, slow] = await Promise.all([
    startTestOAuthServer({ ttlSeconds: 60, clock }),
    startTestOAuthServer({ ttlSeconds: null, clock }),
    startTestOAuthServer({ ttlSeconds: 60, tokenDelayMs: 100, clock }),
  ]);
});
afterAll(async () => {
  await Promise.all(sources.map((source) => source.close()));
  await Promise.all([server.close(), noExpiry.close(), slow.close()]);
});
afterEach(() => {
  for (const target of [server, noExpiry, slow]) {
    target.tokenRequests.length = 0;
    target.tokenFailure = undefined;
  }
});

function source(target: TestOAuthServer, auth: Record<string, unknown> = {}): OAuth2TokenSource {
  const config = RestConfigSchema.parse({
    kind: 'rest',
    baseUrl: target.url,
    auth: {
      kind: 'oauth2-client-credentials',
      tokenUrl: '/oauth/token',
      clientId: target.clientId,
      clientSecret: target.clientSecret,
      refreshBeforeExpirySeconds: 10,
      ...auth,
    },
    entities: { po: { path: '/api/purchase_orders', keyField: 'po_number' } },
  });
  if (config.auth?.kind !== 'oauth2-client-credentials') throw new Error('expected oauth2 auth');
  const created = createOAuth2TokenSource({
    connector: 'erp',
    auth: config.auth,
    tokenUrl: resolveTokenUrl(config.auth.tokenUrl, config.baseUrl),
    timeoutMs: 2000,
    clock,
  });
  sources.push(created);
  return created;
}

describe('createOAuth2TokenSource', () => {
  it('caches the token until its refresh time, then fetches a new one before it expires', async () => {
    const tokens = source(server);
    const first = await tokens.token();
    now += 49_000; // 49 s of 60: before the refresh time (60 − 10)
    expect(await tokens.token()).toBe(first);
    expect(server.tokenRequests).toHaveLength(1);
    now += 2_000; // 51 s: inside the refresh window, still valid
    const second = await tokens.token();
    expect(second).not.toBe(first);
    expect(server.tokenRequests).toHaveLength(2);
    expect(await tokens.token()).toBe(second);
    expect(server.tokenRequests).toHaveLength(2);
  });

  it('shares one token request among 20 concurrent callers', async () => {
    const tokens = source(slow);
    const all = await Promise.all(Array.from({ length: 20 }, () => tokens.token()));
    expect(new Set(all).size).toBe(1);
    expect(slow.tokenRequests).toHaveLength(1);
  });

  it('keeps a token without expires_in until it is invalidated', async () => {
    const tokens = source(noExpiry);
    const first = await tokens.token();
    now += 86_400_000;
    expect(await tokens.token()).toBe(first);
    expect(noExpiry.tokenRequests).toHaveLength(1);
    tokens.invalidate(first);
    expect(await tokens.token()).not.toBe(first);
    expect(noExpiry.tokenRequests).toHaveLength(2);
  });

  it('refreshes once when many callers invalidate the same token', async () => {
    const tokens = source(slow);
    const first = await tokens.token();
    const fresh = await Promise.all(
      Array.from({ length: 20 }, () => {
        tokens.invalidate(first);
        return tokens.token();
      }),
    );
    expect(new Set(fresh).size).toBe(1);
    // A late report about the old token does not throw the new one away.
    tokens.invalidate(first);
    expect(await tokens.token()).toBe(fresh[0]);
    expect(slow.tokenRequests).toHaveLength(2);
  });

  it('keeps a still-valid token while the endpoint fails, then reports the failure once it expires', async () => {
    const tokens = source(server);
    const first = await tokens.token();
    server.tokenFailure = 503;
    now += 52_000; // in the window; 8 s left
    expect(await tokens.token()).toBe(first);
    expect(server.tokenRequests).toHaveLength(2);
    // The next attempt waits for half the remaining life (4 s), not for the next request.
    now += 3_000;
    expect(await tokens.token()).toBe(first);
    expect(server.tokenRequests).toHaveLength(2);
    now += 1_500;
    expect(await tokens.token()).toBe(first);
    expect(server.tokenRequests).toHaveLength(3);
    now += 4_000; // expired
    const error = await rejectionOf(tokens.token(), ErpError);
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(
      /^POST http:\/\/127\.0\.0\.1:\d+\/oauth\/token answered 503 Service Unavailable/,
    );
    server.tokenFailure = undefined;
    expect(await tokens.token()).not.toBe(first);
  });

  it('fails at once when there is no valid token to fall back on', async () => {
    const tokens = source(server);
    server.tokenFailure = 500;
    const error = await rejectionOf(tokens.token(), ErpError);
    expect(error.kind).toBe('transient');
    expect(error.context.hint).toBe(
      'the token endpoint failed or is overloaded; trying again later may succeed',
    );
  });

  it('rejects a wrong secret as auth, with neither the secret nor its encodings in any text', async () => {
    const wrong = 'wrong:secret +/=value';
    for (const clientAuth of ['basic', 'body']) {
      const tokens = source(server, { clientSecret: wrong, clientAuth });
      const error = await rejectionOf(tokens.token(), ErpError);
      expect(error.kind).toBe('auth');
      expect(error.context.status).toBe(clientAuth === 'basic' ? 401 : 400);
      expect(error.context.hint).toContain(
        'connectors.erp.auth.clientId and connectors.erp.auth.clientSecret',
      );
      const text = [error.message, describeError(error), JSON.stringify(error.context), error.stack].join(
        '\n',
      );
      expect(text).toContain('invalid_client (unknown client erpbridge-test with secret [redacted])');
      for (const form of [wrong, encodeURIComponent(wrong), 'wrong%3Asecret+%2B%2F%3Dvalue']) {
        expect(text).not.toContain(form);
      }
    }
  });

  it('aborts one caller’s wait without cancelling the shared request', async () => {
    const tokens = source(slow);
    const controller = new AbortController();
    const abandoned = tokens.token(controller.signal);
    const patient = tokens.token();
    controller.abort(new Error('caller gave up'));
    await expect(abandoned).rejects.toThrow('caller gave up');
    expect(await patient).toMatch(/^at-/);
    expect(slow.tokenRequests).toHaveLength(1);
  });

  it('reports an unreachable endpoint as transient, naming tokenUrl', async () => {
    const gone = await startTestOAuthServer({ clock });
    const { url } = gone;
    await gone.close();
    const tokens = source(server, { tokenUrl: `${url}/oauth/token` });
    const error = await rejectionOf(tokens.token(), ErpError);
    expect(error.kind).toBe('transient');
    expect(error.message).toContain(`POST ${url}/oauth/token failed`);
    expect(error.context.hint).toBe(
      `is the token endpoint running at ${url}? check connectors.erp.auth.tokenUrl`,
    );
  });

  it('remembers the latest tokens as secrets', async () => {
    const tokens = source(server);
    const token = await tokens.token();
    expect(tokens.secrets).toContain(token);
    expect(tokens.secrets).toContain(server.clientSecret);
  });

  it('refuses tokens once closed', async () => {
    const tokens = source(server);
    await tokens.close();
    const error = await rejectionOf(tokens.token(), ErpError);
    expect(error.message).toBe('the token source of connection erp is closed');
  });
});
