import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Sandbox } from '../index.ts';
import { callSandbox, field, records, startTestSandbox } from '../test-support.ts';

let sandbox: Sandbox;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ sandbox, stop } = await startTestSandbox());
});
afterAll(() => stop());

const anonymous = () => ({ url: sandbox.url, apiKey: null });

describe('/_sandbox', () => {
  test('health needs no key', async () => {
    const answer = await callSandbox(anonymous(), '/_sandbox/health');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ok: true, orders: 450, today: '2025-06-15' });
  });

  test('truth labels every open order, and nothing else', async () => {
    const answer = await callSandbox(anonymous(), '/_sandbox/truth');
    const labels = field(answer.body, 'labels');
    if (typeof labels !== 'object' || labels === null) throw new Error('labels expected');
    const open = records(
      (await callSandbox(sandbox, '/api/purchase_orders?status=open&page_size=1000')).body,
    );
    expect(Object.keys(labels).sort()).toEqual(open.map((record) => record.po_number));
    expect(new Set(Object.values(labels))).toEqual(new Set(['urgent', 'high', 'normal', 'low']));
  });

  test('truth is not reachable under /api, and records do not carry it', async () => {
    for (const path of [
      '/api/truth',
      '/api/_sandbox/truth',
      '/api/truth_labels',
      '/api/purchase_orders/truth',
    ]) {
      const answer = await callSandbox(sandbox, path);
      expect(answer.status, path).toBe(404);
      expect(JSON.stringify(answer.body)).not.toMatch(/"(urgent|high|low)"/);
    }
    const page = await callSandbox(sandbox, '/api/purchase_orders?status=open&page_size=1000');
    expect(JSON.stringify(page.body)).not.toMatch(/"(urgent|high|normal|low|label)"/);
  });

  test('the request log records every /api request, filtered by id and method', async () => {
    await callSandbox(anonymous(), '/_sandbox/requests', { method: 'DELETE' });
    const mark = records((await callSandbox(anonymous(), '/_sandbox/requests')).body, 'requests');
    expect(mark).toEqual([]);
    await callSandbox(sandbox, '/api/purchase_orders?status=open&page=2&page_size=5');
    await callSandbox(anonymous(), '/api/purchase_orders');
    await callSandbox(sandbox, '/api/purchase_orders/0045000400', {
      method: 'PATCH',
      body: { priority: '2' },
      headers: { 'idempotency-key': 'log-test-1' },
    });
    await callSandbox(sandbox, '/api/purchase_orders/0045000400', {
      method: 'PATCH',
      body: { priority: '2' },
      headers: { 'idempotency-key': 'log-test-1' },
    });
    await callSandbox(sandbox, '/api/purchase_orders/0045000400', {
      method: 'PATCH',
      body: { status: 'OPEN' },
    });

    const all = records((await callSandbox(anonymous(), '/_sandbox/requests')).body, 'requests');
    expect(all.map((entry) => [entry.method, entry.status, entry.applied])).toEqual([
      ['GET', 200, false],
      ['GET', 401, false],
      ['PATCH', 200, true],
      ['PATCH', 200, false],
      ['PATCH', 422, false],
    ]);
    expect(all[0]).toEqual({
      id: expect.any(Number),
      at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
      method: 'GET',
      path: '/api/purchase_orders',
      query: { status: 'open', page: '2', page_size: '5' },
      status: 200,
      durationMs: expect.any(Number),
      idempotencyKey: null,
      applied: false,
      poNumber: null,
      fault: null,
    });
    expect(all[2]).toMatchObject({ idempotencyKey: 'log-test-1', poNumber: '0045000400' });

    const firstId = Number(all[0]?.id);
    const patches = records(
      (await callSandbox(anonymous(), `/_sandbox/requests?since=${firstId + 2}&method=patch`)).body,
      'requests',
    );
    expect(patches.map((entry) => entry.id)).toEqual([firstId + 3, firstId + 4]);
    expect((await callSandbox(anonymous(), '/_sandbox/requests?since=x')).status).toBe(400);
  });

  test('/_sandbox requests are not logged', async () => {
    await callSandbox(anonymous(), '/_sandbox/requests', { method: 'DELETE' });
    await callSandbox(anonymous(), '/_sandbox/health');
    expect(records((await callSandbox(anonymous(), '/_sandbox/requests')).body, 'requests')).toEqual([]);
  });
});
