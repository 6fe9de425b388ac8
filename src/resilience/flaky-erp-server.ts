import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * A small JSON ERP for the resilience tests, on 127.0.0.1 and a free port, whose failures a test
 * scripts request by request: 503s, 429s with Retry-After, hangs, dropped connections, answers
 * after the write was applied. Not the sandbox: just enough surface for the rest connector.
 *
 * Routes: `GET /po?page=&page_size=` (page style, `total`), `GET /po/:key`, `PATCH /po/:key`.
 */

/** What the ERP does with one request. */
export type Fault =
  | { kind: 'ok' }
  /** Answers `status`; a write is applied first when `applied` is true (a 502 after processing). */
  | { kind: 'status'; status: number; retryAfter?: string; applied?: boolean }
  /** Never answers; a write is applied first when `applied` is true. */
  | { kind: 'hang'; applied?: boolean }
  /** Destroys the connection without answering; a write is applied first when `applied` is true. */
  | { kind: 'reset'; applied?: boolean }
  /** Answers normally after `ms`. */
  | { kind: 'slow'; ms: number };

/** One request as it arrived. */
export interface ArrivedRequest {
  method: string;
  url: string;
  /** Date.now() on arrival. */
  at: number;
}

/** A purchase order as this ERP stores it. */
export interface FlakyPurchaseOrder {
  [field: string]: unknown;
  po_number: string;
  amount: number;
  revision: number;
}

export interface FlakyErp {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Decides each request's fate; default: every request is `ok`. */
  script: (request: ArrivedRequest, index: number) => Fault;
  requests: ArrivedRequest[];
  purchaseOrders: Map<string, FlakyPurchaseOrder>;
  /** Writes applied, in order, by key. */
  applied: string[];
  /** Most requests in flight at once. */
  peakInFlight: number;
  close(): Promise<void>;
}

/** Starts the ERP with `count` purchase orders PO-0001…. */
export async function startFlakyErp(count = 12): Promise<FlakyErp> {
  const purchaseOrders = new Map<string, FlakyPurchaseOrder>();
  for (let index = 1; index <= count; index++) {
    const po_number = `PO-${String(index).padStart(4, '0')}`;
    purchaseOrders.set(po_number, { po_number, amount: index * 10, revision: 1 });
  }
  const app = Fastify({ logger: false, forceCloseConnections: true });
  let inFlight = 0;
  const erp: FlakyErp = {
    url: '',
    script: () => ({ kind: 'ok' }),
    requests: [],
    purchaseOrders,
    applied: [],
    peakInFlight: 0,
    close: () => app.close(),
  };

  /** Runs the scripted fault; returns true when the request was dealt with and the route must stop. */
  const faulted = async (
    request: FastifyRequest,
    reply: FastifyReply,
    apply: () => void,
  ): Promise<boolean> => {
    const arrived = { method: request.method, url: request.url, at: Date.now() };
    erp.requests.push(arrived);
    const fault = erp.script(arrived, erp.requests.length - 1);
    switch (fault.kind) {
      case 'ok':
        return false;
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        return false;
      case 'status':
        if (fault.applied === true) apply();
        if (fault.retryAfter !== undefined) reply.header('retry-after', fault.retryAfter);
        await reply.code(fault.status).send({ error: `scripted ${fault.status}` });
        return true;
      case 'hang':
        if (fault.applied === true) apply();
        await new Promise<never>(() => {});
        return true;
      case 'reset':
        if (fault.applied === true) apply();
        reply.hijack();
        request.raw.socket.destroy();
        return true;
    }
  };

  app.addHook('onRequest', async (_request, reply) => {
    inFlight++;
    erp.peakInFlight = Math.max(erp.peakInFlight, inFlight);
    // 'close' comes once: when the answer is sent or the connection drops.
    reply.raw.once('close', () => inFlight--);
  });

  type PageQuery = { page?: string; page_size?: string };
  app.get<{ Querystring: PageQuery }>('/po', async (request, reply) => {
    if (await faulted(request, reply, () => undefined)) return reply;
    const size = Number(request.query.page_size ?? 5);
    const page = Number(request.query.page ?? 1);
    const all = [...purchaseOrders.values()];
    return { data: all.slice((page - 1) * size, page * size), total: all.length };
  });

  app.get<{ Params: { key: string } }>('/po/:key', async (request, reply) => {
    if (await faulted(request, reply, () => undefined)) return reply;
    const order = purchaseOrders.get(request.params.key);
    if (order === undefined) return reply.code(404).send({ error: 'no such order' });
    return order;
  });

  app.patch<{ Params: { key: string }; Body: { amount?: unknown } }>('/po/:key', async (request, reply) => {
    const order = purchaseOrders.get(request.params.key);
    const apply = () => {
      if (order === undefined || typeof request.body.amount !== 'number') return;
      const updated = { ...order, amount: request.body.amount, revision: order.revision + 1 };
      purchaseOrders.set(order.po_number, updated);
      erp.applied.push(order.po_number);
    };
    if (await faulted(request, reply, apply)) return reply;
    if (order === undefined) return reply.code(404).send({ error: 'no such order' });
    if (typeof request.body.amount !== 'number' || request.body.amount < 0) {
      return reply.code(422).send({ errors: [{ field: 'amount', message: 'must be a number ≥ 0' }] });
    }
    apply();
    return purchaseOrders.get(order.po_number);
  });

  erp.url = await app.listen({ host: '127.0.0.1', port: 0 });
  return erp;
}
