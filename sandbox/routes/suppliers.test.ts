import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Sandbox } from '../index.ts';
import { callSandbox, records, startTestSandbox } from '../test-support.ts';

let sandbox: Sandbox;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ sandbox, stop } = await startTestSandbox({ suppliers: 25 }));
});
afterAll(() => stop());

describe('suppliers', () => {
  test('are paged like purchase orders, in supplier_id order', async () => {
    const page = await callSandbox(sandbox, '/api/suppliers?page=2&page_size=10');
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ page: 2, page_size: 10, total: 25 });
    expect(records(page.body).map((supplier) => supplier.supplier_id)).toEqual(
      Array.from({ length: 10 }, (_, index) => String(100_011 + index).padStart(10, '0')),
    );
    const offset = await callSandbox(sandbox, '/api/suppliers?offset=20&limit=10');
    expect(offset.body).toMatchObject({ offset: 20, limit: 10, total: 25 });
    expect(records(offset.body)).toHaveLength(5);
  });

  test('one supplier, with its legacy formats', async () => {
    const answer = await callSandbox(sandbox, '/api/suppliers/0000100007');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      supplier_id: '0000100007',
      name: expect.stringMatching(/^.{35}$/),
      country: expect.stringMatching(/^[A-Z]{2}$/),
      lead_time_days: expect.stringMatching(/^\d+$/),
      on_time_pct: expect.stringMatching(/^\d{2},\d$/),
    });
  });

  test('404 for an unknown supplier; 400 for a page too large', async () => {
    expect((await callSandbox(sandbox, '/api/suppliers/0000999999')).body).toEqual({
      error: 'not_found',
      message: 'supplier 0000999999 does not exist',
    });
    expect((await callSandbox(sandbox, '/api/suppliers?page_size=1001')).status).toBe(400);
  });
});
