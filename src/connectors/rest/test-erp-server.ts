import Fastify, { type FastifyReply } from 'fastify';

/**
 * A small JSON ERP for the rest connector's tests, on 127.0.0.1 and a free port. Not the sandbox:
 * just enough surface to exercise every pagination style, ETags, auth and failure statuses over a
 * real socket. Everything under `/v1` wants `Authorization: Bearer <token>`.
 */

/** A purchase order as this ERP stores it. */
export interface TestPurchaseOrder {
  [field: string]: unknown;
  po_number: string;
  status: 'open' | 'closed';
  amount: number;
  updated_at: string;
}

export interface TestErp {
  /** `http://127.0.0.1:<port>` */
  url: string;
  token: string;
  purchaseOrders: Map<string, TestPurchaseOrder>;
  /** Headers of every request, in arrival order. */
  requests: { method: string; url: string; headers: Record<string, string | string[] | undefined> }[];
  /** Most requests in flight at once on `/v1/slow-ok`. */
  maxInFlight: number;
  close(): Promise<void>;
}

const EPOCH = Date.UTC(2024, 0, 1);
let revision = 0;
const stamp = () => new Date(EPOCH + ++revision * 1000).toISOString();
const etagOf = (order: TestPurchaseOrder) => `"${order.updated_at}"`;

/** Starts the server with `count` purchase orders PO-0001… (every third one open). */
export async function startTestErp(count = 23): Promise<TestErp> {
  const token = 'test-token-5f2a9c';
  const purchaseOrders = new Map<string, TestPurchaseOrder>();
  for (let index = 1; index <= count; index++) {
    const po_number = `PO-${String(index).padStart(4, '0')}`;
    const status = index % 3 === 0 ? 'open' : 'closed';
    purchaseOrders.set(po_number, { po_number, status, amount: index * 10, updated_at: stamp() });
  }
  const suppliers = [{ supplier_id: 'S1', name: 'Acme' }];
  const idempotent = new Map<string, { status: number; etag: string; body: TestPurchaseOrder }>();
  let inFlight = 0;

  const app = Fastify({ logger: false, forceCloseConnections: true });
  const erp: TestErp = {
    url: '',
    token,
    purchaseOrders,
    requests: [],
    maxInFlight: 0,
    close: () => app.close(),
  };

  app.addHook('onRequest', async (request, reply) => {
    erp.requests.push({ method: request.method, url: request.url, headers: request.headers });
    if (!request.url.startsWith('/v1/')) return;
    if (request.headers.authorization !== `Bearer ${token}`) {
      // Echoes what it got, as careless ERPs do: the connector must not repeat it.
      await reply
        .code(401)
        .send({ error: `invalid credentials: ${request.headers.authorization ?? 'none'}` });
    }
  });

  const filtered = (status: string | undefined) =>
    [...purchaseOrders.values()].filter((order) => status === undefined || order.status === status);

  type PageQuery = { page?: string; page_size?: string; status?: string };
  app.get<{ Querystring: PageQuery }>('/v1/page/purchase_orders', async (request) => {
    const size = Number(request.query.page_size ?? 10);
    const page = Number(request.query.page ?? 1);
    const all = filtered(request.query.status);
    return { data: all.slice((page - 1) * size, page * size), total: all.length };
  });

  app.get<{ Querystring: PageQuery }>('/v1/bare/purchase_orders', async (request) => {
    const size = Number(request.query.page_size ?? 10);
    const page = Number(request.query.page ?? 1);
    return filtered(undefined).slice((page - 1) * size, page * size);
  });

  type OffsetQuery = { offset?: string; limit?: string };
  app.get<{ Querystring: OffsetQuery }>('/v1/offset/purchase_orders', async (request) => {
    const offset = Number(request.query.offset ?? 0);
    // Caps the page size at 5, as many ERPs do, whatever was asked.
    const limit = Math.min(5, Number(request.query.limit ?? 5));
    return {
      items: filtered(undefined).slice(offset, offset + limit),
      meta: { count: String(purchaseOrders.size) },
    };
  });

  type CursorQuery = { after?: string; page_size?: string; links?: string };
  app.get<{ Querystring: CursorQuery }>('/v1/cursor/purchase_orders', async (request) => {
    const size = Number(request.query.page_size ?? 10);
    const all = filtered(undefined);
    const start =
      request.query.after === undefined ? 0 : all.findIndex((o) => o.po_number === request.query.after) + 1;
    const data = all.slice(start, start + size);
    const last = data.at(-1);
    if (start + size >= all.length || last === undefined) return { data, links: { next: null } };
    const query = `after=${last.po_number}&page_size=${size}`;
    const next =
      request.query.links === 'absolute'
        ? `${erp.url}/v1/cursor/purchase_orders?${query}&links=absolute`
        : request.query.links === 'query-only'
          ? `?${query}&links=query-only`
          : `/v1/cursor/purchase_orders?${query}`;
    return { data, links: { next } };
  });

  app.get('/v1/loop/purchase_orders', async () => ({
    data: [...purchaseOrders.values()].slice(0, 2),
    links: { next: '/v1/loop/purchase_orders?page_size=2' },
  }));
  app.get('/v1/foreign/purchase_orders', async () => ({
    data: [...purchaseOrders.values()].slice(0, 2),
    links: { next: 'http://erp.internal:8080/v1/foreign/purchase_orders?page=2' },
  }));
  app.get<{ Querystring: PageQuery }>('/v1/ignores-paging/purchase_orders', async (request) => ({
    data: [...purchaseOrders.values()].slice(0, Number(request.query.page_size ?? 10)),
  }));
  app.get('/v1/broken/purchase_orders', async () => ({
    data: [{ po_number: 'A-1' }, { status: 'open' }, 42, { po_number: '' }, { po_number: 7 }],
  }));
  app.get('/v1/not-json/purchase_orders', async (_request, reply) =>
    reply.type('text/html').send('<html>login</html>'),
  );
  app.get('/v1/no-items/purchase_orders', async () => ({ rows: [] }));

  app.get('/v1/page/suppliers', async () => ({ data: suppliers, total: suppliers.length }));

  // Item routes under every collection style: /v1/page/…, /v1/offset/…, /v1/cursor/…
  app.get<{ Params: { style: string; key: string } }>(
    '/v1/:style/purchase_orders/:key',
    async (request, reply) => {
      const order = purchaseOrders.get(request.params.key);
      if (order === undefined) return reply.code(404).send({ error: 'no such order' });
      return reply.header('etag', etagOf(order)).send(order);
    },
  );

  app.patch<{ Params: { style: string; key: string }; Body: Partial<TestPurchaseOrder> }>(
    '/v1/:style/purchase_orders/:key',
    async (request, reply) => {
      const idempotencyKey = request.headers['idempotency-key'];
      const replay = typeof idempotencyKey === 'string' ? idempotent.get(idempotencyKey) : undefined;
      if (replay !== undefined)
        return reply.code(replay.status).header('etag', replay.etag).send(replay.body);
      const order = purchaseOrders.get(request.params.key);
      if (order === undefined) return reply.code(404).send({ error: 'no such order' });
      const ifMatch = request.headers['if-match'];
      if (ifMatch !== undefined && ifMatch !== etagOf(order)) {
        return reply.code(412).send({ error: `order changed; current version ${etagOf(order)}` });
      }
      if (typeof request.body.amount === 'number' && request.body.amount < 0) {
        return reply.code(422).send({ errors: [{ field: 'amount', message: 'must not be negative' }] });
      }
      const updated = { ...order, ...request.body, po_number: order.po_number, updated_at: stamp() };
      purchaseOrders.set(order.po_number, updated);
      if (typeof idempotencyKey === 'string') {
        idempotent.set(idempotencyKey, { status: 200, etag: etagOf(updated), body: updated });
      }
      return reply.header('etag', etagOf(updated)).send(updated);
    },
  );
  app.put('/v1/empty-answer/purchase_orders/:key', async (_request, reply) => reply.code(204).send());
  app.put('/v1/text-answer/purchase_orders/:key', async (_request, reply) =>
    reply.type('text/plain').send('OK'),
  );

  type StatusQuery = { retry_after?: string; body?: string };
  app.get<{ Params: { code: string }; Querystring: StatusQuery }>(
    '/v1/status/:code',
    async (request, reply) => {
      const code = Number(request.params.code);
      if (request.query.retry_after !== undefined) reply.header('retry-after', request.query.retry_after);
      if (code === 422)
        return reply.code(422).send({ errors: [{ field: 'delivery_date', message: 'in the past' }] });
      return reply.code(code).send({ error: request.query.body ?? `status ${code}` });
    },
  );

  app.get('/v1/hang', () => new Promise<never>(() => {}));
  app.get('/v1/hang-body', (_request, reply: FastifyReply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'application/json' });
    reply.raw.write('{"data":[');
  });
  app.get<{ Params: { key: string } }>('/v1/slow-ok/purchase_orders/:key', async (request) => {
    inFlight++;
    erp.maxInFlight = Math.max(erp.maxInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 40));
    inFlight--;
    return { po_number: request.params.key };
  });
  app.get('/health', async () => ({ ok: true }));

  erp.url = await app.listen({ host: '127.0.0.1', port: 0 });
  return erp;
}
