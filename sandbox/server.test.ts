import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Sandbox } from './index.ts';
import { callSandbox, startTestSandbox } from './test-support.ts';

let sandbox: Sandbox;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ sandbox, stop } = await startTestSandbox({ apiKey: 'test-key' }));
});
afterAll(() => stop());

describe('auth', () => {
  test.each([
    ['no header', {}],
    ['a wrong key', { authorization: 'Bearer sandbox-key' }],
    ['another scheme', { authorization: 'Basic dGVzdC1rZXk=' }],
  ])('%s is a 401 on every /api route', async (_case, headers) => {
    for (const path of [
      '/api/purchase_orders',
      '/api/purchase_orders/0045000301',
      '/api/suppliers',
      '/api/nowhere',
    ]) {
      const answer = await callSandbox({ url: sandbox.url, apiKey: null }, path, { headers });
      expect(answer.status, path).toBe(401);
      expect(answer.body).toEqual({ error: 'unauthorized', message: expect.stringContaining('Bearer') });
      expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="sandbox"');
      expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    }
  });

  test('the bearer scheme is case-insensitive', async () => {
    const answer = await callSandbox({ url: sandbox.url, apiKey: null }, '/api/suppliers?page_size=1', {
      headers: { authorization: 'bearer test-key' },
    });
    expect(answer.status).toBe(200);
  });
});

describe('errors are JSON', () => {
  test('an unknown route', async () => {
    const answer = await callSandbox(sandbox, '/api/credit_notes');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: 'not_found', message: 'no route GET /api/credit_notes' });
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  test('a body that is not JSON', async () => {
    const response = await fetch(`${sandbox.url}/api/purchase_orders/0045000301`, {
      method: 'PATCH',
      headers: { authorization: 'Bearer test-key', 'content-type': 'application/json' },
      body: '{"priority":',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toMatchObject({ error: 'bad_request' });
  });

  test('a media type it does not read', async () => {
    const response = await fetch(`${sandbox.url}/api/purchase_orders/0045000301`, {
      method: 'PATCH',
      headers: { authorization: 'Bearer test-key', 'content-type': 'application/xml' },
      body: '<priority>1</priority>',
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: 'unsupported_media_type' });
  });
});
