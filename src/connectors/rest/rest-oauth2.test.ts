import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeError, ErpError } from '../../errors/index.ts';
import { rejectionOf } from '../../errors/test-errors.ts';
import { RestConfigSchema } from './rest-config.ts';
import { connectRest, type RestConnection } from './rest-connection.ts';
import { startTestOAuthServer, type TestOAuthServer } from './test-oauth-server.ts';

/**
 * The rest connector with `oauth2-client-credentials` auth, against a token endpoint whose tokens
 * live 1 s and an API that refuses expired, revoked or unknown tokens — over real sockets, in real time.
 */

let server: TestOAuthServer;
const open: RestConnection[] = [];

beforeAll(async () => {
  server = await startTestOAuthServer({ ttlSeconds: 1, tokenDelayMs: 20 });
});
afterAll(async () => {
  await Promise.all(open.map((connection) => connection.close()));
  await server.close();
});
afterEach(() => {
  server.tokenRequests.length = 0;
  server.apiRequests.length = 0;
  server.tokenFailure = undefined;
  server.refuseAllTokens = false;
});

function connect(
  auth: Record<string, unknown> = {},
  overrides: Record<string, unknown> = {},
): RestConnection {
  const config = RestConfigSchema.parse({
    kind: 'rest',
    baseUrl: server.url,
    auth: {
      kind: 'oauth2-client-credentials',
      tokenUrl: '/oauth/token',
      clientId: server.clientId,
      clientSecret: server.clientSecret,
      ...auth,
    },
    pagination: { totalPath: 'total' },
    entities: {
      purchase_orders: { path: '/api/purchase_orders', keyField: 'po_number', write: { method: 'PATCH' } },
    },
    ...overrides,
  });
  const connection = connectRest(config, { name: 'erp', env: {} });
  open.push(connection);
  return connection;
}

/** Everything an error could print: message, one-line description, context, stack, causes. */
function printable(error: ErpError): string {
  const texts = [error.message, describeError(error), JSON.stringify(error.context), error.stack ?? ''];
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause) texts.push(cause.message);
  return texts.join('\n');
}

const issuedTokens = () => server.apiRequests.flatMap((request) => (request.token ? [request.token] : []));

describe('oauth2-client-credentials auth', () => {
  it('sends every request with a bearer token from the token endpoint', async () => {
    const connection = connect();
    expect(await connection.get('purchase_orders', 'PO-1')).toMatchObject({ key: 'PO-1' });
    expect(server.tokenRequests).toHaveLength(1);
    expect(server.apiRequests).toEqual([
      expect.objectContaining({ method: 'GET', url: '/api/purchase_orders/PO-1', status: 200 }),
    ]);
    expect(issuedTokens()[0]).toMatch(/^at-/);
  });

  it('refreshes before expiry: no 401 in a run that spans several token lifetimes', async () => {
    // Its tokens die 0.1 s before expires_in says; a 0.3 s margin absorbs that, no margin would not.
    const skewed = await startTestOAuthServer({ ttlSeconds: 1, expiryLeadMs: 100 });
    try {
      const connection = connect({ refreshBeforeExpirySeconds: 0.3 }, { baseUrl: skewed.url });
      const started = Date.now();
      while (Date.now() - started < 3_200) {
        await connection.get('purchase_orders', 'PO-2');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await connection.close();
      expect(skewed.unauthorized).toBe(0);
      // One token per ~0.7 s of a 1 s lifetime, each used until it was replaced.
      expect(skewed.tokenRequests.length).toBeGreaterThanOrEqual(4);
      const used = skewed.apiRequests.flatMap((request) => (request.token ? [request.token] : []));
      expect(new Set(used).size).toBe(skewed.tokenRequests.length);
    } finally {
      await skewed.close();
    }
  });

  it('shares one token request among 20 concurrent requests', async () => {
    const connection = connect({ refreshBeforeExpirySeconds: 0 });
    const keys = ['PO-1', 'PO-2', 'PO-3', 'PO-4'];
    const records = await Promise.all(
      Array.from({ length: 20 }, (_, index) => connection.get('purchase_orders', keys[index % 4] ?? 'PO-1')),
    );
    expect(records.every((record) => record !== null)).toBe(true);
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('after the server revokes tokens early: one refresh, and the request sent again', async () => {
    const connection = connect({ refreshBeforeExpirySeconds: 0 });
    await connection.get('purchase_orders', 'PO-1');
    server.revokeAll();
    expect(await connection.get('purchase_orders', 'PO-3')).toMatchObject({ key: 'PO-3' });
    expect(server.tokenRequests).toHaveLength(2);
    expect(server.apiRequests.map((request) => request.status)).toEqual([200, 401, 200]);
  });

  it('after a revocation, 20 concurrent requests that all see a 401 cause one token request', async () => {
    const connection = connect({ refreshBeforeExpirySeconds: 0 });
    await connection.get('purchase_orders', 'PO-1');
    server.revokeAll();
    const records = await Promise.all(
      Array.from({ length: 20 }, () => connection.get('purchase_orders', 'PO-2')),
    );
    expect(records.every((record) => record?.key === 'PO-2')).toBe(true);
    expect(server.unauthorized).toBe(20);
    expect(server.tokenRequests).toHaveLength(2);
  });

  it('sends a write refused with 401 once more, and the ERP applies it once', async () => {
    const connection = connect({ refreshBeforeExpirySeconds: 0 });
    await connection.get('purchase_orders', 'PO-4');
    server.revokeAll();
    const before = server.writesApplied;
    const result = await connection.write({
      entity: 'purchase_orders',
      key: 'PO-4',
      fields: { amount: 450 },
      idempotencyKey: 'change-42',
    });
    expect(result.record?.data).toMatchObject({ po_number: 'PO-4', amount: 450 });
    expect(server.writesApplied).toBe(before + 1);
    expect(server.apiRequests.filter((request) => request.method === 'PATCH').map((r) => r.status)).toEqual([
      401, 200,
    ]);
  });

  it('a second 401 is an auth error with no token in any text', async () => {
    const connection = connect();
    server.refuseAllTokens = true;
    const error = await rejectionOf(connection.get('purchase_orders', 'PO-1'), ErpError);
    expect(error.kind).toBe('auth');
    expect(error.context.status).toBe(401);
    expect(error.context.hint).toBe(
      'the ERP refused a freshly issued token; check that connectors.erp.auth.scope and connectors.erp.auth.audience grant access to this API',
    );
    expect(server.tokenRequests).toHaveLength(2);
    expect(server.apiRequests).toHaveLength(2);
    // The API echoed the Authorization header it got; the message must not repeat the token.
    expect(error.message).toContain('invalid token: Bearer [redacted]');
    const text = printable(error);
    for (const token of issuedTokens()) expect(text).not.toContain(token);
    expect(text).not.toContain(server.clientSecret);
  });

  it('a wrong client secret is an auth error naming the keys, never the secret', async () => {
    for (const clientAuth of ['basic', 'body'] as const) {
      const wrong = `not-the-secret-${clientAuth}`;
      const connection = connect({ clientSecret: wrong, clientAuth });
      const error = await rejectionOf(connection.get('purchase_orders', 'PO-1'), ErpError);
      expect(error.kind).toBe('auth');
      expect(error.context.hint).toContain(
        'check connectors.erp.auth.clientId and connectors.erp.auth.clientSecret',
      );
      expect(printable(error)).not.toContain(wrong);
      const test = await connection.test();
      expect(test.ok).toBe(false);
      expect(test.message).toMatch(/^auth: POST .*\/oauth\/token answered 40[01]/);
      expect(test.message).not.toContain(wrong);
    }
    expect(server.apiRequests).toHaveLength(0);
  });

  it('authenticates the client with HTTP Basic by default, or in the form', async () => {
    await connect().get('purchase_orders', 'PO-1');
    await connect({ clientAuth: 'body' }).get('purchase_orders', 'PO-1');
    const [basic, body] = server.tokenRequests;
    expect(basic?.clientAuth).toBe('basic');
    expect(basic?.form).toEqual({ grant_type: 'client_credentials' });
    expect(body?.clientAuth).toBe('body');
    expect(body?.headers.authorization).toBeUndefined();
    expect(body?.form).toEqual({
      grant_type: 'client_credentials',
      client_id: server.clientId,
      client_secret: server.clientSecret,
    });
  });

  it('sends scope and audience', async () => {
    await connect({ scope: 'erp.read erp.write', audience: 'https://erp.example/api' }).get(
      'purchase_orders',
      'PO-1',
    );
    expect(server.tokenRequests[0]?.form).toEqual({
      grant_type: 'client_credentials',
      scope: 'erp.read erp.write',
      audience: 'https://erp.example/api',
    });
  });

  it('accepts an absolute tokenUrl', async () => {
    const connection = connect({ tokenUrl: `${server.url}/oauth/token` });
    expect(await connection.get('purchase_orders', 'PO-5')).toMatchObject({ key: 'PO-5' });
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('a failing token endpoint is transient, and the ERP is not called', async () => {
    server.tokenFailure = 503;
    const error = await rejectionOf(connect().get('purchase_orders', 'PO-1'), ErpError);
    expect(error.kind).toBe('transient');
    expect(error.retryable).toBe(true);
    expect(server.apiRequests).toHaveLength(0);
  });

  it('reads pages with the token', async () => {
    const connection = connect();
    const keys: string[] = [];
    for await (const page of connection.read({ entity: 'purchase_orders' })) {
      keys.push(...page.records.map((record) => record.key));
    }
    expect(keys).toEqual(['PO-1', 'PO-2', 'PO-3', 'PO-4', 'PO-5']);
  });

  it('a static bearer token is not retried on 401', async () => {
    const config = RestConfigSchema.parse({
      kind: 'rest',
      baseUrl: server.url,
      auth: { kind: 'bearer', token: 'static-token-1' },
      entities: { purchase_orders: { path: '/api/purchase_orders', keyField: 'po_number' } },
    });
    const connection = connectRest(config, { name: 'erp', env: {} });
    open.push(connection);
    const error = await rejectionOf(connection.get('purchase_orders', 'PO-1'), ErpError);
    expect(error.kind).toBe('auth');
    expect(error.context.hint).toBe('check the credentials in connectors.erp.auth');
    expect(server.apiRequests).toHaveLength(1);
    expect(server.tokenRequests).toHaveLength(0);
  });
});
