import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Sandbox } from '../index.ts';
import { callSandbox, field, loggedRequests, records, startTestSandbox, text } from '../test-support.ts';

let sandbox: Sandbox;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ sandbox, stop } = await startTestSandbox({ history: 1000 }));
});
afterAll(() => stop());

const call = (path: string, init?: Parameters<typeof callSandbox>[2]) => callSandbox(sandbox, path, init);

async function firstOpenInvoice(): Promise<Record<string, unknown>> {
  const [invoice] = records((await call('/api/invoices?status=open&page_size=1')).body);
  if (!invoice) throw new Error('the sandbox has no open invoice');
  return invoice;
}

describe('invoices', () => {
  test('pages by match status, in id order, in the legacy formats', async () => {
    const all = await call('/api/invoices?page_size=1000');
    const open = await call('/api/invoices?status=open&page_size=1000');
    const processed = await call('/api/invoices?status=processed&offset=0&limit=1000');
    const total = Number(field(all.body, 'total'));
    expect(total).toBeGreaterThan(200);
    expect(Number(field(open.body, 'total')) + Number(field(processed.body, 'total'))).toBe(total);
    const ids = records(all.body).map((invoice) => String(invoice.invoice_id));
    expect([...ids].sort()).toEqual(ids);
    const [invoice] = records(open.body);
    expect(Object.keys(invoice ?? {})).toEqual([
      'invoice_id',
      'invoice_number',
      'supplier_id',
      'invoice_date',
      'entry_date',
      'po_number',
      'currency',
      'net_amount',
      'tax_rate',
      'tax_amount',
      'gross_amount',
      'match_status',
      'exception_reason',
      'updated_at',
      'lines',
    ]);
    expect(invoice).toMatchObject({ match_status: ' ', invoice_id: expect.stringMatching(/^51056\d{5}$/) });
    expect(String(invoice?.gross_amount)).toMatch(/^\d+,\d{2}$/);
    expect(
      records((await call('/api/invoices?status=processed&page_size=1000')).body).every(
        (row) => row.match_status !== ' ',
      ),
    ).toBe(true);
    expect((await call('/api/invoices?status=paid')).body).toMatchObject({
      error: 'bad_request',
      message: 'status must be one of open, matched, exception, processed; got "paid"',
    });
  });

  test('serves one invoice with its ETag, and its document as text and as PDF', async () => {
    const { invoice_id: id, invoice_number: number } = await firstOpenInvoice();
    const one = await call(`/api/invoices/${id}`);
    expect(one.headers.get('etag')).toBe(`"${text(one.body, 'updated_at')}"`);
    const printed = await fetch(`${sandbox.url}/api/invoices/${id}/document`, {
      headers: { authorization: `Bearer ${sandbox.apiKey}` },
    });
    expect(printed.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await printed.text()).toContain(String(number).trim());
    const pdf = await fetch(`${sandbox.url}/api/invoices/${id}/document?format=pdf`, {
      headers: { authorization: `Bearer ${sandbox.apiKey}` },
    });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const again = Buffer.from(
      await (await fetch(pdf.url, { headers: { authorization: `Bearer ${sandbox.apiKey}` } })).arrayBuffer(),
    );
    expect(again.equals(bytes)).toBe(true);
    expect((await call('/api/invoices/5199999999/document')).status).toBe(404);
    expect((await call(`/api/invoices/${id}/document?format=docx`)).status).toBe(400);
  });

  test('lists documents a page at a time, PDFs as base64', async () => {
    const page = await call('/api/invoice_documents?status=open&format=pdf&page_size=3');
    const documents = records(page.body);
    expect(documents).toHaveLength(3);
    expect(documents[0]).toMatchObject({
      media_type: 'application/pdf',
      file_name: expect.stringMatching(/\.pdf$/),
    });
    expect(Buffer.from(String(documents[0]?.content), 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    expect(field(page.body, 'total')).toBe(field((await call('/api/invoices?status=open')).body, 'total'));
  });

  test('PATCH sets the match status with If-Match and Idempotency-Key, as purchase orders do', async () => {
    const { invoice_id: id, updated_at: version } = await firstOpenInvoice();
    const path = `/api/invoices/${id}`;
    const stale = await call(path, {
      method: 'PATCH',
      body: { match_status: 'X' },
      headers: { 'if-match': '"1999-01-01T00:00:00.000Z"' },
    });
    expect(stale.status).toBe(412);
    expect(field(stale.body, 'current_etag')).toBe(`"${version}"`);
    const bad = await call(path, { method: 'PATCH', body: { gross_amount: '1,00' } });
    expect(bad.body).toMatchObject({ error: 'validation', field: 'gross_amount' });
    const badStatus = await call(path, { method: 'PATCH', body: { match_status: 'Y' } });
    expect(badStatus.body).toMatchObject({ error: 'validation', field: 'match_status' });
    const body = { match_status: 'X', exception_reason: 'price variance: line 10 billed 5.00, ordered 4.56' };
    const headers = { 'if-match': `"${version}"`, 'idempotency-key': 'invoice-test-1' };
    const written = await call(path, { method: 'PATCH', body, headers });
    expect(written.status).toBe(200);
    expect(written.body).toMatchObject({ match_status: 'X' });
    expect(text(written.body, 'exception_reason').trimEnd()).toBe(body.exception_reason);
    expect(written.headers.get('etag')).not.toBe(`"${version}"`);
    const replayed = await call(path, { method: 'PATCH', body, headers });
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body).toEqual(written.body);
    const log = (await loggedRequests(sandbox)).filter(
      (entry) => entry.method === 'PATCH' && entry.path === path,
    );
    expect(log.map((entry) => entry.applied)).toEqual([false, false, false, true, false]);
    expect((await call('/api/invoices?status=exception&page_size=1000')).body).toMatchObject({
      data: expect.arrayContaining([expect.objectContaining({ invoice_id: id })]),
    });
  });
});

describe('goods receipts and price reviews', () => {
  test('goods receipts page, and filter by order', async () => {
    const all = records((await call('/api/goods_receipts?page_size=1000')).body);
    expect(all.length).toBeGreaterThan(100);
    const poNumber = String(all[0]?.po_number);
    const ofOrder = records((await call(`/api/goods_receipts?po_number=${poNumber}`)).body);
    expect(ofOrder.length).toBeGreaterThan(0);
    expect(ofOrder.every((receipt) => receipt.po_number === poNumber)).toBe(true);
    expect(records(ofOrder[0], 'lines')[0]).toMatchObject({ po_line_no: expect.stringMatching(/^\d{5}$/) });
    expect((await call(`/api/goods_receipts/${String(all[0]?.receipt_id)}`)).body).toEqual(all[0]);
  });

  test('price reviews list open and closed orders and take a note', async () => {
    const open = await call('/api/price_reviews?status=open&page_size=1000');
    expect(field(open.body, 'total')).toBe(450);
    const [review] = records(open.body);
    expect(Object.keys(review ?? {})).toEqual([
      'po_number',
      'supplier_id',
      'order_date',
      'currency',
      'status',
      'lines',
      'review_note',
      'updated_at',
    ]);
    const closed = records((await call('/api/price_reviews?status=closed&page_size=1000')).body);
    expect(closed.length).toBeGreaterThan(500);
    expect(closed.some((row) => String(row.review_note).trim() !== '')).toBe(true);
    const path = `/api/price_reviews/${String(review?.po_number)}`;
    const written = await call(path, { method: 'PATCH', body: { review_note: 'PRICE CHECK: line 10' } });
    expect(text(written.body, 'review_note').trimEnd()).toBe('PRICE CHECK: line 10');
    expect((await call(path, { method: 'PATCH', body: { priority: '1' } })).status).toBe(422);
    const order = await call(`/api/purchase_orders/${String(review?.po_number)}`);
    expect(text(order.body, 'notes')).not.toContain('PRICE CHECK');
  });

  test('the truth is served only outside /api', async () => {
    const invoices = await callSandbox({ url: sandbox.url, apiKey: null }, '/_sandbox/truth/invoices');
    const truth = field(invoices.body, 'invoices');
    expect(Object.values(truth as object).some((entry) => field(entry, 'label') === 'duplicate')).toBe(true);
    const anomalies = await callSandbox(
      { url: sandbox.url, apiKey: null },
      '/_sandbox/truth/price_anomalies',
    );
    expect(records(anomalies.body, 'anomalies').length).toBeGreaterThan(0);
    expect((await callSandbox({ url: sandbox.url, apiKey: null }, '/api/invoices')).status).toBe(401);
  });
});
