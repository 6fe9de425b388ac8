import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorBody } from '../http-errors.ts';
import { type PagingParse, pageEnvelopeJson, parsePaging, queryValue } from '../paging.ts';
import type { PatchOutcome, PatchRequest } from '../purchase-order-patch.ts';
import type { PurchaseOrderRepository } from '../purchase-order-repository.ts';
import { etagOf } from '../record-version.ts';
import { PO_STATUSES, type PoStatus } from '../records.ts';
import { headerText } from '../request-headers.ts';
import { JSON_TYPE, sendPatchOutcome } from './patch-reply.ts';

/** What the purchase-order routes need. */
export interface PurchaseOrderRouteDependencies {
  purchaseOrders: PurchaseOrderRepository;
  patch: (request: PatchRequest) => PatchOutcome;
  /** Marks a request as one that changed data, for the request log. */
  markApplied: (request: FastifyRequest) => void;
}

type StatusParse = { kind: 'valid'; status: PoStatus | null } | { kind: 'invalid'; message: string };

function parseStatus(query: unknown): StatusParse {
  const raw = queryValue(query, 'status');
  if (raw.kind === 'absent') return { kind: 'valid', status: null };
  if (raw.kind === 'repeated') return { kind: 'invalid', message: 'status is given more than once' };
  const wanted = raw.value.toUpperCase();
  const status = PO_STATUSES.find((candidate) => candidate === wanted);
  if (!status) {
    return {
      kind: 'invalid',
      message: `status must be one of ${PO_STATUSES.map((name) => name.toLowerCase()).join(', ')}; got "${raw.value}"`,
    };
  }
  return { kind: 'valid', status };
}

/**
 * `GET /api/purchase_orders` (paged, `status` filter), `GET /api/purchase_orders/:po_number`
 * (with an ETag) and `PATCH /api/purchase_orders/:po_number` (If-Match, Idempotency-Key).
 */
export function registerPurchaseOrderRoutes(
  app: FastifyInstance,
  dependencies: PurchaseOrderRouteDependencies,
) {
  const { purchaseOrders, patch, markApplied } = dependencies;

  app.get('/api/purchase_orders', (request, reply) => {
    const status = parseStatus(request.query);
    if (status.kind === 'invalid') {
      reply.code(400).send(errorBody('bad_request', status.message));
      return;
    }
    const paging: PagingParse = parsePaging(request.query);
    if (paging.kind === 'invalid') {
      reply.code(400).send(errorBody('bad_request', paging.message));
      return;
    }
    const data = purchaseOrders.listJson(status.status, paging.offset, paging.limit);
    reply.type(JSON_TYPE).send(pageEnvelopeJson(paging, data, purchaseOrders.count(status.status)));
  });

  app.get<{ Params: { po_number: string } }>('/api/purchase_orders/:po_number', (request, reply) => {
    const record = purchaseOrders.getJson(request.params.po_number);
    if (!record) {
      reply
        .code(404)
        .send(errorBody('not_found', `purchase order ${request.params.po_number} does not exist`));
      return;
    }
    reply.header('etag', etagOf(record.updatedAt)).type(JSON_TYPE).send(record.json);
  });

  app.patch<{ Params: { po_number: string } }>('/api/purchase_orders/:po_number', (request, reply) => {
    const poNumber = request.params.po_number;
    const outcome = patch({
      poNumber,
      body: request.body,
      ifMatch: headerText(request.headers['if-match']),
      idempotencyKey: headerText(request.headers['idempotency-key']),
    });
    sendPatchOutcome(reply, outcome, `purchase order ${poNumber}`, () => markApplied(request));
  });
}
