import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Sandbox } from '../index.ts';
import { callSandbox, field, records, startTestSandbox, text } from '../test-support.ts';

let sandbox: Sandbox;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ sandbox, stop } = await startTestSandbox());
});
afterAll(() => stop());

const call = (path: string, init?: Parameters<typeof callSandbox>[2]) => callSandbox(sandbox, path, init);
const FIRST_OPEN = '0045000301';

describe('GET /api/purchase_orders', () => {
  test('pages with page/page_size, in PO-number order, with totals', async () => {
    const first = await call('/api/purchase_orders?status=open&page=1&page_size=200');
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(Object.keys(first.body as object)).toEqual(['data', 'page', 'page_size', 'total']);
    expect(first.body).toMatchObject({ page: 1, page_size: 200, total: 450 });
    const seen: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const answer = await call(`/api/purchase_orders?status=open&page=${page}&page_size=200`);
      seen.push(...records(answer.body).map((record) => String(record.po_number)));
    }
    expect(seen).toHaveLength(450);
    expect(new Set(seen).size).toBe(450);
    expect([...seen].sort()).toEqual(seen);
    expect(seen[0]).toBe(FIRST_OPEN);
  });

  test('pages with offset/limit, answering with offset, limit and total', async () => {
    const answer = await call('/api/purchase_orders?status=open&offset=150&limit=100');
    expect(Object.keys(answer.body as object)).toEqual(['data', 'offset', 'limit', 'total']);
    expect(answer.body).toMatchObject({ offset: 150, limit: 100, total: 450 });
    const byPage = await call('/api/purchase_orders?status=open&page=2&page_size=150');
    expect(records(answer.body).slice(0, 100)).toEqual(records(byPage.body).slice(0, 100));
    const pastTheEnd = await call('/api/purchase_orders?status=open&offset=449&limit=100');
    expect(records(pastTheEnd.body).map((record) => record.po_number)).toEqual(['0045000750']);
    const beyond = await call('/api/purchase_orders?status=open&offset=5000&limit=100');
    expect(beyond.body).toEqual({ data: [], offset: 5000, limit: 100, total: 450 });
  });

  test('a page after a jump is the same as reached page by page', async () => {
    const jump = await call('/api/purchase_orders?offset=333&limit=50');
    const walk = [];
    for (let offset = 0; offset < 400; offset += 37) {
      walk.push(...records((await call(`/api/purchase_orders?offset=${offset}&limit=37`)).body));
    }
    expect(records(jump.body)).toEqual(walk.slice(333, 383));
  });

  test('the status filter is case-insensitive; no status means all', async () => {
    const totals: Record<string, unknown> = {};
    for (const status of ['open', 'OPEN', 'Closed', 'cancelled']) {
      totals[status] = field((await call(`/api/purchase_orders?status=${status}&page_size=1`)).body, 'total');
    }
    const all = await call('/api/purchase_orders?page_size=1000');
    expect(totals.open).toBe(450);
    expect(totals.OPEN).toBe(450);
    expect(Number(totals.Closed) + Number(totals.cancelled)).toBe(300);
    expect(records(all.body)).toHaveLength(750);
    expect(field(all.body, 'total')).toBe(750);
    const closed = records((await call('/api/purchase_orders?status=closed&page_size=1000')).body);
    expect(closed.every((record) => record.status === 'CLOSED')).toBe(true);
  });

  test('records carry the legacy formats and their lines', async () => {
    const [record] = records((await call('/api/purchase_orders?status=open&page_size=1')).body);
    expect(Object.keys(record ?? {})).toEqual([
      'po_number',
      'supplier_id',
      'order_date',
      'need_by',
      'total_amount',
      'currency',
      'description',
      'notes',
      'buyer',
      'status',
      'priority',
      'updated_at',
      'lines',
    ]);
    expect(record).toMatchObject({ po_number: FIRST_OPEN, status: 'OPEN', priority: '3' });
    const lines = records(record, 'lines');
    expect(lines.length).toBeGreaterThan(0);
    expect(Object.keys(lines[0] ?? {})).toEqual([
      'line_no',
      'item_no',
      'description',
      'quantity',
      'uom',
      'unit_price',
      'need_by',
    ]);
    expect(lines.map((line) => line.line_no)).toEqual(
      lines.map((_, index) => `000${(index + 1) * 10}`.slice(-5)),
    );
    expect(typeof lines[0]?.unit_price).toBe('number');
  });

  test.each([
    ['page_size=1001', 'page_size must be at most 1000, got 1001'],
    ['limit=2000', 'limit must be at most 1000, got 2000'],
    ['page=0', 'page must be at least 1'],
    ['status=pending', 'status must be one of open, closed, cancelled; got "pending"'],
    ['page=1&offset=0', 'use either page/page_size or offset/limit, not both'],
  ])('?%s is a 400 with a clear message', async (query, message) => {
    const answer = await call(`/api/purchase_orders?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: 'bad_request', message: expect.stringContaining(message) });
  });
});

describe('GET /api/purchase_orders/:po_number', () => {
  test('answers the record with a strong ETag of its updated_at', async () => {
    const answer = await call(`/api/purchase_orders/${FIRST_OPEN}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('etag')).toBe(`"${text(answer.body, 'updated_at')}"`);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const [listed] = records((await call('/api/purchase_orders?status=open&page_size=1')).body);
    expect(answer.body).toEqual(listed);
  });

  test('404 for an unknown order', async () => {
    const answer = await call('/api/purchase_orders/0099999999');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: 'not_found', message: 'purchase order 0099999999 does not exist' });
  });
});

describe('PATCH /api/purchase_orders/:po_number', () => {
  test('writes priority, bumps updated_at and the ETag, and the change is read back', async () => {
    const po = '0045000310';
    const before = await call(`/api/purchase_orders/${po}`);
    const answer = await call(`/api/purchase_orders/${po}`, { method: 'PATCH', body: { priority: '1' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(field(answer.body, 'priority')).toBe('1');
    expect(text(answer.body, 'updated_at') > text(before.body, 'updated_at')).toBe(true);
    expect(answer.headers.get('etag')).toBe(`"${text(answer.body, 'updated_at')}"`);
    const after = await call(`/api/purchase_orders/${po}`);
    expect(after.body).toEqual(answer.body);
    expect(after.headers.get('etag')).toBe(answer.headers.get('etag'));
  });

  test('notes are writable and stored blank-padded to 60', async () => {
    const answer = await call('/api/purchase_orders/0045000311', {
      method: 'PATCH',
      body: { notes: 'LINE DOWN' },
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(answer.status).toBe(200);
    expect(field(answer.body, 'notes')).toBe('LINE DOWN'.padEnd(60));
  });

  test('updated_at strictly increases, even for writes within one millisecond', async () => {
    const po = '0045000312';
    const stamps: string[] = [];
    for (let index = 0; index < 8; index++) {
      const answer = await call(`/api/purchase_orders/${po}`, {
        method: 'PATCH',
        body: { priority: index % 2 === 0 ? '2' : '4' },
      });
      stamps.push(text(answer.body, 'updated_at'));
    }
    for (let index = 1; index < stamps.length; index++) {
      expect(Date.parse(stamps[index] ?? '')).toBeGreaterThan(Date.parse(stamps[index - 1] ?? ''));
    }
  });

  test('honours If-Match: a stale ETag is a 412 naming the current one; the current ETag passes', async () => {
    const po = '0045000313';
    const read = await call(`/api/purchase_orders/${po}`);
    const etag = read.headers.get('etag') ?? '';
    const first = await call(`/api/purchase_orders/${po}`, {
      method: 'PATCH',
      body: { priority: '2' },
      headers: { 'if-match': etag },
    });
    expect(first.status).toBe(200);
    const stale = await call(`/api/purchase_orders/${po}`, {
      method: 'PATCH',
      body: { priority: '1' },
      headers: { 'if-match': etag },
    });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({
      error: 'precondition_failed',
      current_etag: first.headers.get('etag'),
    });
    expect(field((await call(`/api/purchase_orders/${po}`)).body, 'priority')).toBe('2');
  });

  test('replays a known Idempotency-Key without applying the write again', async () => {
    const po = '0045000314';
    const key = 'po-urgency-run-1/0045000314';
    const first = await call(`/api/purchase_orders/${po}`, {
      method: 'PATCH',
      body: { priority: '1' },
      headers: { 'idempotency-key': key },
    });
    const replay = await call(`/api/purchase_orders/${po}`, {
      method: 'PATCH',
      body: { priority: '4' },
      headers: { 'idempotency-key': key },
    });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const now = await call(`/api/purchase_orders/${po}`);
    expect(field(now.body, 'priority')).toBe('1');
    expect(field(now.body, 'updated_at')).toBe(field(first.body, 'updated_at'));
  });

  test('a write that changes nothing keeps the version', async () => {
    const po = '0045000315';
    const before = await call(`/api/purchase_orders/${po}`);
    const same = await call(`/api/purchase_orders/${po}`, { method: 'PATCH', body: { priority: '3' } });
    expect(same.status).toBe(200);
    expect(same.headers.get('etag')).toBe(before.headers.get('etag'));
  });

  test.each([
    [{ status: 'CLOSED' }, 'status'],
    [{ priority: '1', total_amount: '0,00' }, 'total_amount'],
    [{ priority: '9' }, 'priority'],
    [{ priority: 2 }, 'priority'],
    [{ notes: 'x'.repeat(61) }, 'notes'],
    [{}, null],
  ])('%j is a 422 on field %s, and nothing is written', async (body, fieldName) => {
    const po = '0045000316';
    const before = await call(`/api/purchase_orders/${po}`);
    const answer = await call(`/api/purchase_orders/${po}`, { method: 'PATCH', body });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ error: 'validation', field: fieldName, message: expect.any(String) });
    expect((await call(`/api/purchase_orders/${po}`)).body).toEqual(before.body);
  });

  test('404 for an unknown order', async () => {
    const answer = await call('/api/purchase_orders/0099999999', {
      method: 'PATCH',
      body: { priority: '1' },
    });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: 'not_found' });
  });
});
