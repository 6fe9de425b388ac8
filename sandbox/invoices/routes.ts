import type Database from 'better-sqlite3';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../http-errors.ts';
import type { IdempotencyStore } from '../idempotency-store.ts';
import { type Paging, pageEnvelope, pageEnvelopeJson, parsePaging, queryValue } from '../paging.ts';
import { etagOf } from '../record-version.ts';
import { headerText } from '../request-headers.ts';
import { JSON_TYPE, sendPatchOutcome } from '../routes/patch-reply.ts';
import { renderInvoicePdf, renderInvoiceText } from './invoice-document.ts';
import {
  createInvoiceRepository,
  INVOICE_STATUSES,
  type InvoiceRepository,
  type InvoiceStatus,
  PRICE_REVIEW_STATUSES,
  type PriceReviewStatus,
} from './invoice-repository.ts';
import {
  type AccountsPayablePatchers,
  createAccountsPayablePatchers,
  type RecordPatchRequest,
} from './record-patch.ts';
import type { InvoiceDocumentContent } from './records.ts';

/** The sandbox's accounts-payable side: its repository and its PATCH operations. */
export interface AccountsPayable {
  repository: InvoiceRepository;
  patch: AccountsPayablePatchers;
  /** A document rendered as asked (PDFs are kept once rendered: documents never change). */
  document(invoiceId: string, format: DocumentFormat): Promise<RenderedDocument | null>;
}

export const DOCUMENT_FORMATS = ['text', 'pdf'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

export interface RenderedDocument {
  fileName: string;
  mediaType: 'text/plain' | 'application/pdf';
  bytes: Uint8Array;
}

/** Most rendered PDFs kept in memory. */
const MAX_CACHED_PDFS = 20_000;

/** Creates the accounts-payable services over the sandbox database. */
export function createAccountsPayable(db: Database.Database, idempotency: IdempotencyStore): AccountsPayable {
  const repository = createInvoiceRepository(db);
  const pdfs = new Map<string, Uint8Array>();
  const render = async (invoiceId: string, content: InvoiceDocumentContent, format: DocumentFormat) => {
    if (format === 'text') return new TextEncoder().encode(renderInvoiceText(content));
    let pdf = pdfs.get(invoiceId);
    if (!pdf) {
      pdf = await renderInvoicePdf(content);
      if (pdfs.size >= MAX_CACHED_PDFS) pdfs.clear();
      pdfs.set(invoiceId, pdf);
    }
    return pdf;
  };
  return {
    repository,
    patch: createAccountsPayablePatchers({ db, repository, idempotency }),
    async document(invoiceId, format) {
      const content = repository.getDocument(invoiceId);
      if (!content) return null;
      return {
        fileName: `invoice-${invoiceId}.${format === 'pdf' ? 'pdf' : 'txt'}`,
        mediaType: format === 'pdf' ? 'application/pdf' : 'text/plain',
        bytes: await render(invoiceId, content, format),
      };
    },
  };
}

type Choice<T> = { kind: 'valid'; value: T } | { kind: 'invalid'; message: string };

/** One of `allowed` from the query (any case), `fallback` when absent. */
function choice<T extends string>(
  query: unknown,
  name: string,
  allowed: readonly T[],
  fallback: T | null,
): Choice<T | null> {
  const raw = queryValue(query, name);
  if (raw.kind === 'absent') return { kind: 'valid', value: fallback };
  if (raw.kind === 'repeated') return { kind: 'invalid', message: `${name} is given more than once` };
  const wanted = raw.value.toLowerCase();
  const value = allowed.find((candidate) => candidate === wanted);
  if (value === undefined) {
    return { kind: 'invalid', message: `${name} must be one of ${allowed.join(', ')}; got "${raw.value}"` };
  }
  return { kind: 'valid', value };
}

function pagingOr400(request: FastifyRequest, reply: FastifyReply): Paging | null {
  const paging = parsePaging(request.query);
  if (paging.kind === 'invalid') {
    reply.code(400).send(errorBody('bad_request', paging.message));
    return null;
  }
  return paging;
}

function patchRequest(request: FastifyRequest, key: string): RecordPatchRequest {
  return {
    key,
    body: request.body,
    ifMatch: headerText(request.headers['if-match']),
    idempotencyKey: headerText(request.headers['idempotency-key']),
  };
}

/**
 * The accounts-payable routes: invoices (records, documents as text or PDF, PATCH of the match
 * status), goods receipts, the price-review worklist (PATCH of its note), and the hidden truth of
 * what the generator planted under `/_sandbox/truth/*`. See sandbox/invoices/README.md.
 */
export function registerAccountsPayableRoutes(
  app: FastifyInstance,
  dependencies: { accountsPayable: AccountsPayable; markApplied: (request: FastifyRequest) => void },
): void {
  const { accountsPayable, markApplied } = dependencies;
  const { repository, patch } = accountsPayable;

  app.get('/api/invoices', (request, reply) => {
    const status = choice<InvoiceStatus>(request.query, 'status', INVOICE_STATUSES, null);
    if (status.kind === 'invalid') {
      reply.code(400).send(errorBody('bad_request', status.message));
      return;
    }
    const paging = pagingOr400(request, reply);
    if (!paging) return;
    const data = repository.listInvoices(status.value, paging.offset, paging.limit);
    reply.type(JSON_TYPE).send(pageEnvelopeJson(paging, data, repository.countInvoices(status.value)));
  });

  app.get<{ Params: { invoice_id: string } }>('/api/invoices/:invoice_id', (request, reply) => {
    const record = repository.getInvoice(request.params.invoice_id);
    if (!record) {
      reply.code(404).send(errorBody('not_found', `invoice ${request.params.invoice_id} does not exist`));
      return;
    }
    reply.header('etag', etagOf(record.updatedAt)).type(JSON_TYPE).send(record.json);
  });

  app.get<{ Params: { invoice_id: string } }>(
    '/api/invoices/:invoice_id/document',
    async (request, reply) => {
      const format = choice<DocumentFormat>(request.query, 'format', DOCUMENT_FORMATS, 'text');
      if (format.kind === 'invalid') {
        reply.code(400).send(errorBody('bad_request', format.message));
        return;
      }
      const document = await accountsPayable.document(request.params.invoice_id, format.value ?? 'text');
      if (!document) {
        reply.code(404).send(errorBody('not_found', `invoice ${request.params.invoice_id} does not exist`));
        return;
      }
      reply
        .type(document.mediaType === 'text/plain' ? 'text/plain; charset=utf-8' : document.mediaType)
        .header('content-disposition', `inline; filename="${document.fileName}"`)
        .send(Buffer.from(document.bytes));
    },
  );

  app.patch<{ Params: { invoice_id: string } }>('/api/invoices/:invoice_id', (request, reply) => {
    const key = request.params.invoice_id;
    sendPatchOutcome(reply, patch.invoice(patchRequest(request, key)), `invoice ${key}`, () =>
      markApplied(request),
    );
  });

  // The documents of a page of invoices at once (same status filter and paging as /api/invoices):
  // PDFs as base64, text as is. How a connector that reads pages reads documents.
  app.get('/api/invoice_documents', async (request, reply) => {
    const status = choice<InvoiceStatus>(request.query, 'status', INVOICE_STATUSES, null);
    const format = choice<DocumentFormat>(request.query, 'format', DOCUMENT_FORMATS, 'text');
    for (const parsed of [status, format]) {
      if (parsed.kind === 'invalid') {
        reply.code(400).send(errorBody('bad_request', parsed.message));
        return;
      }
    }
    if (status.kind === 'invalid' || format.kind === 'invalid') return;
    const paging = pagingOr400(request, reply);
    if (!paging) return;
    const ids = repository.listInvoiceIds(status.value, paging.offset, paging.limit);
    const data = [];
    for (const invoiceId of ids) {
      const document = await accountsPayable.document(invoiceId, format.value ?? 'text');
      if (!document) continue;
      data.push({
        invoice_id: invoiceId,
        file_name: document.fileName,
        media_type: document.mediaType,
        content:
          document.mediaType === 'application/pdf'
            ? Buffer.from(document.bytes).toString('base64')
            : new TextDecoder().decode(document.bytes),
      });
    }
    reply.send(pageEnvelope(paging, data, repository.countInvoices(status.value)));
  });

  app.get('/api/goods_receipts', (request, reply) => {
    const order = queryValue(request.query, 'po_number');
    if (order.kind === 'repeated') {
      reply.code(400).send(errorBody('bad_request', 'po_number is given more than once'));
      return;
    }
    const paging = pagingOr400(request, reply);
    if (!paging) return;
    const poNumber = order.kind === 'value' ? order.value : null;
    const data = repository.listReceipts(poNumber, paging.offset, paging.limit);
    reply.type(JSON_TYPE).send(pageEnvelopeJson(paging, data, repository.countReceipts(poNumber)));
  });

  app.get<{ Params: { receipt_id: string } }>('/api/goods_receipts/:receipt_id', (request, reply) => {
    const record = repository.getReceipt(request.params.receipt_id);
    if (!record) {
      reply
        .code(404)
        .send(errorBody('not_found', `goods receipt ${request.params.receipt_id} does not exist`));
      return;
    }
    reply.type(JSON_TYPE).send(record);
  });

  app.get('/api/price_reviews', (request, reply) => {
    const status = choice<PriceReviewStatus>(request.query, 'status', PRICE_REVIEW_STATUSES, null);
    if (status.kind === 'invalid') {
      reply.code(400).send(errorBody('bad_request', status.message));
      return;
    }
    const paging = pagingOr400(request, reply);
    if (!paging) return;
    const data = repository.listPriceReviews(status.value, paging.offset, paging.limit);
    reply.type(JSON_TYPE).send(pageEnvelopeJson(paging, data, repository.countPriceReviews(status.value)));
  });

  app.get<{ Params: { po_number: string } }>('/api/price_reviews/:po_number', (request, reply) => {
    const record = repository.getPriceReview(request.params.po_number);
    if (!record) {
      reply
        .code(404)
        .send(errorBody('not_found', `no price review for purchase order ${request.params.po_number}`));
      return;
    }
    reply.header('etag', etagOf(record.updatedAt)).type(JSON_TYPE).send(record.json);
  });

  app.patch<{ Params: { po_number: string } }>('/api/price_reviews/:po_number', (request, reply) => {
    const key = request.params.po_number;
    sendPatchOutcome(
      reply,
      patch.priceReview(patchRequest(request, key)),
      `price review of purchase order ${key}`,
      () => markApplied(request),
    );
  });

  let invoiceTruth:
    | Record<string, { label: string; duplicate_of: string | null; detail: string }>
    | undefined;
  app.get('/_sandbox/truth/invoices', (_request, reply) => {
    invoiceTruth ??= Object.fromEntries(
      repository.invoiceTruth().map(({ invoice_id, ...truth }) => [invoice_id, truth]),
    );
    reply.send({ invoices: invoiceTruth });
  });

  app.get('/_sandbox/truth/price_anomalies', (_request, reply) => {
    reply.send({ anomalies: repository.priceAnomalyTruth() });
  });
}
