import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Sandbox } from '../index.ts';
import {
  attemptSandbox,
  callSandbox,
  field,
  loggedRequests,
  setFaults,
  startTestSandbox,
} from '../test-support.ts';

let sandbox: Sandbox;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ sandbox, stop } = await startTestSandbox({ orders: 20, history: 5, suppliers: 5 }));
});
afterAll(() => stop());
beforeEach(async () => {
  await setFaults(sandbox, {
    oauth: { clientId: 'erp-client', clientSecret: 's3cret', tokenTtlSeconds: 0.4 },
  });
  await callSandbox({ url: sandbox.url, apiKey: null }, '/_sandbox/requests', { method: 'DELETE' });
});

const READ = '/api/suppliers?page_size=1';

async function tokenRequest(body: string, headers: Record<string, string>) {
  const response = await fetch(`${sandbox.url}/oauth/token`, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(5000),
  });
  const answer: unknown = await response.json();
  return { status: response.status, headers: response.headers, body: answer };
}

const form = (values: Record<string, string>, headers: Record<string, string> = {}) =>
  tokenRequest(new URLSearchParams(values).toString(), {
    'content-type': 'application/x-www-form-urlencoded',
    ...headers,
  });

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

const withToken = (token: string) => attemptSandbox({ url: sandbox.url, apiKey: token }, READ);
const statusOf = (result: Awaited<ReturnType<typeof withToken>>) =>
  result.kind === 'answered' ? result.status : result.code;

describe('POST /oauth/token', () => {
  test('issues a bearer token for client credentials in a form body', async () => {
    const answer = await form({
      grant_type: 'client_credentials',
      client_id: 'erp-client',
      client_secret: 's3cret',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 0.4 });
    expect(statusOf(await withToken(String(field(answer.body, 'access_token'))))).toBe(200);
  });

  test('takes HTTP Basic client auth, and a JSON body', async () => {
    const viaBasic = await form(
      { grant_type: 'client_credentials' },
      { authorization: basic('erp-client', 's3cret') },
    );
    expect(viaBasic.status).toBe(200);
    const viaJson = await tokenRequest(
      JSON.stringify({ grant_type: 'client_credentials', client_id: 'erp-client', client_secret: 's3cret' }),
      { 'content-type': 'application/json' },
    );
    expect(viaJson.status).toBe(200);
    expect(field(viaJson.body, 'access_token')).not.toBe(field(viaBasic.body, 'access_token'));
  });

  test.each([
    [
      'a wrong secret',
      { grant_type: 'client_credentials', client_id: 'erp-client', client_secret: 'nope' },
      {},
    ],
    [
      'an unknown client',
      { grant_type: 'client_credentials', client_id: 'other', client_secret: 's3cret' },
      {},
    ],
    ['no credentials', { grant_type: 'client_credentials' }, {}],
    [
      'a wrong Basic secret',
      { grant_type: 'client_credentials' },
      { authorization: basic('erp-client', 'x') },
    ],
  ])('%s is a 401 invalid_client with WWW-Authenticate', async (_case, values, headers) => {
    const answer = await form(values, headers);
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Basic realm="sandbox"');
    expect(answer.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
  });

  test.each([
    [
      'another grant',
      { grant_type: 'password', client_id: 'erp-client', client_secret: 's3cret' },
      'unsupported_grant_type',
    ],
    ['no grant_type', { client_id: 'erp-client', client_secret: 's3cret' }, 'invalid_request'],
  ])('%s is a 400 %s', async (_case, values, error) => {
    const answer = await form(values);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error });
  });

  test('two client authentication methods at once are an invalid request', async () => {
    const answer = await form(
      { grant_type: 'client_credentials', client_secret: 's3cret' },
      { authorization: basic('erp-client', 's3cret') },
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_request' });
  });

  test('is a 404 while the oauth fault is off, and the API key works again', async () => {
    await setFaults(sandbox, {});
    const answer = await form({
      grant_type: 'client_credentials',
      client_id: 'erp-client',
      client_secret: 's3cret',
    });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({
      error: 'not_found',
      message: expect.stringContaining('OAuth is off'),
    });
    expect(statusOf(await attemptSandbox(sandbox, READ))).toBe(200);
  });
});

describe('/api under OAuth', () => {
  test('the form parser serves /oauth/token only: a form PATCH is still a 415', async () => {
    await setFaults(sandbox, {});
    const response = await fetch(`${sandbox.url}/api/purchase_orders/0045000006`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${sandbox.apiKey}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'priority=1',
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: 'unsupported_media_type' });
  });

  test('refuses the static API key and unknown tokens with Bearer error="invalid_token"', async () => {
    for (const token of [sandbox.apiKey, 'made-up']) {
      const answer = await withToken(token);
      expect(answer.kind === 'answered' && answer.status).toBe(401);
      expect(answer.kind === 'answered' && answer.headers.get('www-authenticate')).toBe(
        'Bearer error="invalid_token"',
      );
      expect(answer.kind === 'answered' && answer.body).toMatchObject({ error: 'unauthorized' });
    }
    const log = await loggedRequests(sandbox);
    expect(log.map((entry) => [entry.status, entry.fault])).toEqual([
      [401, 'token-invalid'],
      [401, 'token-invalid'],
    ]);
  });

  test('a token works until its TTL is over, then is refused as expired', async () => {
    const issued = await form({
      grant_type: 'client_credentials',
      client_id: 'erp-client',
      client_secret: 's3cret',
    });
    const token = String(field(issued.body, 'access_token'));
    expect(statusOf(await withToken(token))).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 450));
    const expired = await withToken(token);
    expect(expired.kind === 'answered' && expired.status).toBe(401);
    expect(expired.kind === 'answered' && expired.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token"',
    );
    expect(expired.kind === 'answered' && field(expired.body, 'message')).toContain('expired');
    const log = await loggedRequests(sandbox);
    expect(log.map((entry) => [entry.status, entry.fault])).toEqual([
      [200, null],
      [401, 'token-expired'],
    ]);
  });

  test('the token endpoint is not faulted and not in the request log', async () => {
    await setFaults(sandbox, {
      oauth: { clientId: 'erp-client', clientSecret: 's3cret' },
      errors: { rates: { '500': 1 } },
    });
    const issued = await form({
      grant_type: 'client_credentials',
      client_id: 'erp-client',
      client_secret: 's3cret',
    });
    expect(issued.status).toBe(200);
    expect(statusOf(await withToken(String(field(issued.body, 'access_token'))))).toBe(500);
    expect((await loggedRequests(sandbox)).map((entry) => entry.path)).toEqual(['/api/suppliers']);
  });
});
