import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeError, ErpError, type ErrorKind } from '../../errors/index.ts';
import { rejectionOf } from '../../errors/test-errors.ts';
import type { RestConfig } from './rest-config.ts';
import { RestConfigSchema } from './rest-config.ts';
import { connectRest, type RestConnection, type RestRecordPage } from './rest-connection.ts';
import { startTestErp, type TestErp } from './test-erp-server.ts';

let erp: TestErp;
const open: RestConnection[] = [];

beforeAll(async () => {
  erp = await startTestErp();
});
afterAll(async () => {
  await Promise.all(open.map((connection) => connection.close()));
  await erp.close();
});

/** A connection to the test ERP; `entities` default to purchase_orders under `/v1/page`. */
function connect(overrides: Record<string, unknown> = {}, name = 'erp'): RestConnection {
  const config: RestConfig = RestConfigSchema.parse({
    kind: 'rest',
    baseUrl: erp.url,
    auth: { kind: 'bearer', token: erp.token },
    pagination: { totalPath: 'total' },
    entities: {
      purchase_orders: {
        path: '/v1/page/purchase_orders',
        keyField: 'po_number',
        versionField: 'updated_at',
        write: { method: 'PATCH' },
      },
    },
    ...overrides,
  });
  const connection = connectRest(config, { name, env: {} });
  open.push(connection);
  return connection;
}

async function readAll(connection: RestConnection, entity = 'purchase_orders', pageSize?: number) {
  const pages: RestRecordPage[] = [];
  for await (const page of connection.read({ entity, ...(pageSize === undefined ? {} : { pageSize }) })) {
    pages.push(page);
  }
  return pages;
}

const keysOf = (pages: RestRecordPage[]) => pages.flatMap((page) => page.records.map((record) => record.key));

describe('read, per pagination style', () => {
  it('page style: pages of the asked size, filters mapped to query parameters', async () => {
    const connection = connect({
      entities: {
        purchase_orders: {
          path: '/v1/page/purchase_orders',
          keyField: 'po_number',
          filters: { state: 'status' },
        },
      },
    });
    const pages: RestRecordPage[] = [];
    for await (const page of connection.read({
      entity: 'purchase_orders',
      filter: { state: 'open' },
      pageSize: 3,
    })) {
      pages.push(page);
    }
    expect(pages.map((page) => page.records.length)).toEqual([3, 3, 1]);
    expect(pages.every((page) => page.total === 7)).toBe(true);
    const requested = erp.requests.filter((request) => request.url.includes('status=open')).map((r) => r.url);
    expect(requested).toEqual([
      '/v1/page/purchase_orders?status=open&page=1&page_size=3',
      '/v1/page/purchase_orders?status=open&page=2&page_size=3',
      '/v1/page/purchase_orders?status=open&page=3&page_size=3',
    ]);
  });

  it('page style without a total stops at the first short page', async () => {
    const connection = connect({ pagination: {} });
    const pages = await readAll(connection, 'purchase_orders', 10);
    expect(pages.map((page) => page.records.length)).toEqual([10, 10, 3]);
    expect(pages[0]?.total).toBeNull();
  });

  it("itemsPath '': the body is the array", async () => {
    const connection = connect({
      pagination: { itemsPath: '' },
      entities: { purchase_orders: { path: '/v1/bare/purchase_orders', keyField: 'po_number' } },
    });
    expect(keysOf(await readAll(connection, 'purchase_orders', 5))).toHaveLength(23);
  });

  it('offset style with a total reads past pages the ERP capped below the asked size', async () => {
    const connection = connect({
      pagination: { style: 'offset', itemsPath: 'items', totalPath: 'meta.count' },
      entities: { purchase_orders: { path: '/v1/offset/purchase_orders', keyField: 'po_number' } },
    });
    const pages = await readAll(connection, 'purchase_orders', 10);
    expect(pages.map((page) => page.records.length)).toEqual([5, 5, 5, 5, 3]);
    expect(new Set(keysOf(pages)).size).toBe(23);
  });

  it.each(['relative', 'absolute', 'query-only'])('next-link style follows %s links', async (links) => {
    const connection = connect({
      pagination: { style: 'next-link', sizeParam: 'page_size' },
      entities: {
        purchase_orders: { path: `/v1/cursor/purchase_orders?links=${links}`, keyField: 'po_number' },
      },
    });
    const pages = await readAll(connection, 'purchase_orders', 10);
    expect(pages.map((page) => page.records.length)).toEqual([10, 10, 3]);
    expect(new Set(keysOf(pages)).size).toBe(23);
  });

  it('list versions come from versionField, ETag-style', async () => {
    const [page] = await readAll(connect(), 'purchase_orders', 1);
    const record = page?.records[0];
    expect(record?.version).toBe(`"${String(record?.data.updated_at)}"`);
  });
});

describe('read, when the ERP answers something odd', () => {
  it('puts records without a usable key in rejects, naming entity, URL, index and field', async () => {
    const connection = connect({
      entities: { purchase_orders: { path: '/v1/broken/purchase_orders', keyField: 'po_number' } },
    });
    const [page, ...rest] = await readAll(connection);
    expect(rest).toEqual([]);
    expect(page?.records.map((record) => record.key)).toEqual(['A-1', '7']);
    expect(page?.rejects.map((reject) => reject.index)).toEqual([1, 2, 3]);
    const reject = page?.rejects[0];
    expect(reject?.data).toEqual({ status: 'open' });
    expect(reject?.error.kind).toBe('validation');
    expect(reject?.error.context).toMatchObject({ entity: 'purchase_orders', field: 'po_number' });
    expect(reject?.error.message).toBe(
      `purchase_orders record 1 on page 1 (${erp.url}/v1/broken/purchase_orders?page=1&page_size=500) has no usable key field "po_number"`,
    );
    expect(page?.rejects[1]?.error.message).toContain('is a number, not an object');
  });

  it.each([
    ['/v1/not-json/purchase_orders', /the body is not JSON.*<html>login<\/html>/],
    ['/v1/no-items/purchase_orders', /the body has no array at "data"/],
  ])('%s is a permanent error with a body excerpt', async (path, message) => {
    const connection = connect({ entities: { purchase_orders: { path, keyField: 'po_number' } } });
    const error = await rejectionOf(readAll(connection), ErpError);
    expect(error.kind).toBe('permanent');
    expect(error.message).toMatch(message);
    expect(error.context.hint).toBe(
      'check connectors.erp.pagination and connectors.erp.entities.purchase_orders',
    );
  });

  it('refuses a next link that loops back', async () => {
    const connection = connect({
      pagination: { style: 'next-link' },
      entities: { purchase_orders: { path: '/v1/loop/purchase_orders', keyField: 'po_number' } },
    });
    const error = await rejectionOf(readAll(connection, 'purchase_orders', 2), ErpError);
    expect(error.kind).toBe('permanent');
    expect(error.message).toBe('the next link of page 1 leads back to an earlier page');
  });

  it('refuses a next link to another host rather than send it the credentials', async () => {
    const connection = connect({
      pagination: { style: 'next-link' },
      entities: { purchase_orders: { path: '/v1/foreign/purchase_orders', keyField: 'po_number' } },
    });
    const error = await rejectionOf(readAll(connection, 'purchase_orders', 2), ErpError);
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('points to http://erp.internal:8080');
    expect(error.context.hint).toBe('check connectors.erp.baseUrl');
  });

  it('stops when the ERP ignores the paging parameters instead of reading forever', async () => {
    const connection = connect({
      pagination: {},
      entities: { purchase_orders: { path: '/v1/ignores-paging/purchase_orders', keyField: 'po_number' } },
    });
    const error = await rejectionOf(readAll(connection, 'purchase_orders', 4), ErpError);
    expect(error.message).toBe('page 2 repeats page 1');
  });

  it('rejects a page size that is not a positive integer', async () => {
    const error = await rejectionOf(readAll(connect(), 'purchase_orders', 0), ErpError);
    expect(error.kind).toBe('validation');
    expect(error.context.field).toBe('pageSize');
  });
});

describe('get', () => {
  it('returns the record with its ETag as version', async () => {
    const record = await connect().get('purchase_orders', 'PO-0003');
    const stored = erp.purchaseOrders.get('PO-0003');
    expect(record).toEqual({ key: 'PO-0003', version: `"${stored?.updated_at}"`, data: stored });
  });

  it('returns null for 404', async () => {
    expect(await connect().get('purchase_orders', 'PO-404')).toBeNull();
  });

  it('escapes the key in the URL', async () => {
    expect(await connect().get('purchase_orders', '../../etc/passwd?x=1')).toBeNull();
    expect(erp.requests.at(-1)?.url).toBe('/v1/page/purchase_orders/..%2F..%2Fetc%2Fpasswd%3Fx%3D1');
  });
});

describe('write', () => {
  it('sends If-Match and Idempotency-Key, and returns the answered record with its new ETag', async () => {
    const connection = connect();
    const before = await connection.get('purchase_orders', 'PO-0010');
    const result = await connection.write({
      entity: 'purchase_orders',
      key: 'PO-0010',
      fields: { status: 'open' },
      ifVersion: before?.version ?? null,
      idempotencyKey: 'change-42',
    });
    const sent = erp.requests.at(-1);
    expect(sent?.method).toBe('PATCH');
    expect(sent?.headers['if-match']).toBe(before?.version);
    expect(sent?.headers['idempotency-key']).toBe('change-42');
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(result.record?.data.status).toBe('open');
    expect(result.record?.version).toBe(`"${erp.purchaseOrders.get('PO-0010')?.updated_at}"`);
    expect(result.record?.version).not.toBe(before?.version);
  });

  it('sends no If-Match when there is no version to check', async () => {
    await connect().write({
      entity: 'purchase_orders',
      key: 'PO-0011',
      fields: { amount: 5 },
      ifVersion: null,
    });
    expect(erp.requests.at(-1)?.headers['if-match']).toBeUndefined();
  });

  it('maps 412 to conflict', async () => {
    const write = connect().write({
      entity: 'purchase_orders',
      key: 'PO-0012',
      fields: {},
      ifVersion: '"stale"',
    });
    const error = await rejectionOf(write, ErpError);
    expect(error.kind).toBe('conflict');
    expect(error.context).toMatchObject({
      status: 412,
      entity: 'purchase_orders',
      key: 'PO-0012',
      method: 'PATCH',
    });
    expect(error.message).toContain('answered 412 Precondition Failed: {"error":"order changed;');
  });

  it('maps 422 to validation naming the field', async () => {
    const error = await rejectionOf(
      connect().write({ entity: 'purchase_orders', key: 'PO-0012', fields: { amount: -1 } }),
      ErpError,
    );
    expect(error.kind).toBe('validation');
    expect(error.context.field).toBe('amount');
  });

  it('maps 404 on write to permanent', async () => {
    const error = await rejectionOf(
      connect().write({ entity: 'purchase_orders', key: 'PO-404', fields: { amount: 1 } }),
      ErpError,
    );
    expect(error.kind).toBe('permanent');
    expect(error.context.hint).toBe('the record does not exist in the ERP (deleted or renamed?)');
  });

  it('rejects a write to a read-only entity before any request', async () => {
    const connection = connect({
      entities: { suppliers: { path: '/v1/page/suppliers', keyField: 'supplier_id' } },
    });
    const count = erp.requests.length;
    const error = await rejectionOf(
      connection.write({ entity: 'suppliers', key: 'S1', fields: { name: 'x' } }),
      ErpError,
    );
    expect(error.kind).toBe('permanent');
    expect(error.message).toBe('entity suppliers is read-only in connector erp');
    expect(error.context.hint).toBe(
      'add connectors.erp.entities.suppliers.write if the ERP accepts writes there',
    );
    expect(erp.requests.length).toBe(count);
  });

  it.each(['empty-answer', 'text-answer'])(
    'a success without a JSON record (%s) returns record null',
    async (path) => {
      const connection = connect({
        entities: {
          purchase_orders: {
            path: `/v1/${path}/purchase_orders`,
            keyField: 'po_number',
            write: { method: 'PUT' },
          },
        },
      });
      expect(
        await connection.write({ entity: 'purchase_orders', key: 'PO-0001', fields: { amount: 3 } }),
      ).toEqual({
        record: null,
      });
    },
  );
});

describe('errors', () => {
  const statusEntity = (code: number, query = '') => ({
    entities: { purchase_orders: { path: `/v1/status/${code}${query}`, keyField: 'po_number' } },
  });

  it.each<[number, ErrorKind]>([
    [400, 'validation'],
    [403, 'auth'],
    [409, 'conflict'],
    [418, 'permanent'],
    [500, 'transient'],
    [502, 'transient'],
    [503, 'transient'],
    [504, 'transient'],
  ])('a read answered %i is %s', async (code, kind) => {
    const error = await rejectionOf(readAll(connect(statusEntity(code))), ErpError);
    expect(error.kind).toBe(kind);
    expect(error.context).toMatchObject({
      connector: 'erp',
      method: 'GET',
      status: code,
      entity: 'purchase_orders',
    });
    expect(error.context.url).toBe(`${erp.url}/v1/status/${code}?page=1&page_size=500`);
  });

  it('a 401 never repeats the token the ERP echoed', async () => {
    const connection = connect({ auth: { kind: 'bearer', token: 'wrong-token-31337' } });
    const error = await rejectionOf(readAll(connection), ErpError);
    expect(error.kind).toBe('auth');
    expect(error.context.hint).toBe('check the credentials in connectors.erp.auth');
    expect(error.message).toContain('invalid credentials: Bearer [redacted]');
    expect(describeError(error)).not.toContain('wrong-token-31337');
    expect(JSON.stringify(error.context)).not.toContain('wrong-token-31337');
  });

  it('a 401 with basic auth repeats neither the password nor the encoded credentials', async () => {
    const connection = connect({ auth: { kind: 'basic', username: 'robot', password: 'pa55-word-xyz' } });
    const error = await rejectionOf(readAll(connection), ErpError);
    const encoded = Buffer.from('robot:pa55-word-xyz').toString('base64');
    expect(error.message).toContain('Basic [redacted]');
    expect(error.message).not.toContain(encoded);
  });

  it('a 422 names the field the body names', async () => {
    const error = await rejectionOf(readAll(connect(statusEntity(422))), ErpError);
    expect(error.kind).toBe('validation');
    expect(error.context.field).toBe('delivery_date');
  });

  it('a 429 with Retry-After seconds is rate_limited with retryAfterMs', async () => {
    const error = await rejectionOf(readAll(connect(statusEntity(429, '?retry_after=3'))), ErpError);
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(3000);
  });

  it('a 429 with a Retry-After HTTP date is rate_limited with the time left', async () => {
    const date = new Date(Date.now() + 120_000).toUTCString();
    const error = await rejectionOf(
      readAll(connect(statusEntity(429, `?retry_after=${encodeURIComponent(date)}`))),
      ErpError,
    );
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBeGreaterThan(100_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it('a 429 with a garbage Retry-After has no retryAfterMs', async () => {
    const error = await rejectionOf(readAll(connect(statusEntity(429, '?retry_after=soon'))), ErpError);
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBeUndefined();
  });

  it('cuts the body excerpt to 200 characters', async () => {
    const error = await rejectionOf(
      readAll(connect(statusEntity(500, `?body=${'x'.repeat(1000)}`))),
      ErpError,
    );
    const excerpt = error.message.split(': ').slice(1).join(': ');
    expect(excerpt.length).toBe(200);
  });

  it('a request that hangs before its headers times out as transient', async () => {
    const connection = connect({ timeoutMs: 150, testPath: '/v1/hang' });
    const started = Date.now();
    const result = await connection.test();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.ok).toBe(false);
    expect(result.message).toContain('transient: GET');
    expect(result.message).toContain('did not finish within 150 ms');
  });

  it('a body that stalls times out as transient', async () => {
    const connection = connect({
      timeoutMs: 150,
      entities: { purchase_orders: { path: '/v1/hang-body', keyField: 'po_number' } },
    });
    const error = await rejectionOf(readAll(connection), ErpError);
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('did not finish within 150 ms');
  });

  it('the caller can abort a hanging request; the abort reason comes back untouched', async () => {
    const connection = connect({
      entities: { purchase_orders: { path: '/v1/hang', keyField: 'po_number' } },
    });
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    setTimeout(() => controller.abort(reason), 50);
    const reading = (async () => {
      for await (const _page of connection.read({ entity: 'purchase_orders', signal: controller.signal })) {
        // No page arrives from a hanging route.
      }
    })();
    await expect(reading).rejects.toBe(reason);
  });

  it('a closed port is transient, with a hint naming baseUrl', async () => {
    const port = await closedPort();
    const connection = connect({ baseUrl: `http://127.0.0.1:${port}` }, 'legacy');
    const error = await rejectionOf(readAll(connection), ErpError);
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.context.hint).toBe(
      `is the ERP running at http://127.0.0.1:${port}? check connectors.legacy.baseUrl`,
    );
  });

  it('an unknown entity is permanent and names the known ones', async () => {
    const error = await rejectionOf(connect().get('invoices', '1'), ErpError);
    expect(error.kind).toBe('permanent');
    expect(error.message).toBe('unknown entity "invoices"; this connector knows purchase_orders');
  });

  it('an entity named like an Object property is unknown, not inherited', async () => {
    const error = await rejectionOf(connect().get('constructor', '1'), ErpError);
    expect(error.message).toBe('unknown entity "constructor"; this connector knows purchase_orders');
  });

  it('an empty key is a validation error, not a request for the collection', async () => {
    const error = await rejectionOf(connect().get('purchase_orders', ''), ErpError);
    expect(error.kind).toBe('validation');
    const write = await rejectionOf(
      connect().write({ entity: 'purchase_orders', key: '', fields: { amount: 1 } }),
      ErpError,
    );
    expect(write.kind).toBe('validation');
  });

  it('a filter named like an Object property is sent under its own name', async () => {
    const connection = connect();
    for await (const _page of connection.read({ entity: 'purchase_orders', filter: { constructor: 'x' } })) {
      // One page is enough; the URL is what matters.
    }
    expect(erp.requests.at(-1)?.url).toContain('constructor=x');
  });

  it('a closed connection refuses further calls', async () => {
    const connection = connect();
    await connection.close();
    const error = await rejectionOf(connection.get('purchase_orders', 'PO-0001'), ErpError);
    expect(error.message).toBe('connection erp is closed');
  });
});

describe('concurrency and test()', () => {
  it('keeps at most `concurrency` requests in flight', async () => {
    const connection = connect({
      concurrency: 2,
      entities: { purchase_orders: { path: '/v1/slow-ok/purchase_orders', keyField: 'po_number' } },
    });
    const keys = ['1', '2', '3', '4', '5', '6'];
    const records = await Promise.all(keys.map((key) => connection.get('purchase_orders', key)));
    expect(records.map((record) => record?.key)).toEqual(keys);
    expect(erp.maxInFlight).toBe(2);
  });

  it('test() reads one record of the first entity', async () => {
    const result = await connect().test();
    expect(result).toEqual({ ok: true, message: `${erp.url}: purchase_orders answered, 23 records in all` });
    expect(erp.requests.at(-1)?.url).toBe('/v1/page/purchase_orders?page=1&page_size=1');
  });

  it('test() GETs testPath when configured', async () => {
    const result = await connect({ testPath: '/health' }).test();
    expect(result).toEqual({ ok: true, message: `${erp.url}/health answered 200` });
  });

  it('test() reports an unreachable ERP without throwing', async () => {
    const port = await closedPort();
    const result = await connect({ baseUrl: `http://127.0.0.1:${port}` }).test();
    expect(result.ok).toBe(false);
    expect(result.message).toContain(`is the ERP running at http://127.0.0.1:${port}?`);
  });
});

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
