import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorBody } from '../http-errors.ts';
import { pageEnvelope, pageEnvelopeJson, parsePaging, queryValue } from '../paging.ts';
import { etagOf } from '../record-version.ts';
import { headerText } from '../request-headers.ts';
import { JSON_TYPE, sendPatchOutcome } from '../routes/patch-reply.ts';
import type { CodedFilter, ExpenseLineRepository } from './expense-line-repository.ts';

/** What the expense-line routes need. */
export interface ExpenseLineRouteDependencies {
  expenseLines: ExpenseLineRepository;
  /** Marks a request as one that changed data, for the request log. */
  markApplied: (request: FastifyRequest) => void;
}

function parseCoded(
  query: unknown,
): { kind: 'valid'; coded: CodedFilter } | { kind: 'invalid'; message: string } {
  const raw = queryValue(query, 'coded');
  if (raw.kind === 'absent') return { kind: 'valid', coded: null };
  if (raw.kind === 'repeated') return { kind: 'invalid', message: 'coded is given more than once' };
  const value = raw.value.toLowerCase();
  if (value === 'yes' || value === 'true') return { kind: 'valid', coded: 'yes' };
  if (value === 'no' || value === 'false') return { kind: 'valid', coded: 'no' };
  return { kind: 'invalid', message: `coded must be yes or no; got "${raw.value}"` };
}

/**
 * `GET /api/expense_lines` (paged; `coded=yes|no`), `GET /api/expense_lines/:line_id` (ETag),
 * `PATCH /api/expense_lines/:line_id` (`{"gl_code":…}`, If-Match, Idempotency-Key),
 * `GET /api/gl_accounts` (the chart of accounts, paged) and `GET /_sandbox/expense-lines/truth`.
 */
export function registerExpenseLineRoutes(app: FastifyInstance, dependencies: ExpenseLineRouteDependencies) {
  const { expenseLines, markApplied } = dependencies;

  app.get('/api/expense_lines', (request, reply) => {
    const coded = parseCoded(request.query);
    if (coded.kind === 'invalid') {
      reply.code(400).send(errorBody('bad_request', coded.message));
      return;
    }
    const paging = parsePaging(request.query);
    if (paging.kind === 'invalid') {
      reply.code(400).send(errorBody('bad_request', paging.message));
      return;
    }
    const data = expenseLines.listJson(coded.coded, paging.offset, paging.limit);
    reply.type(JSON_TYPE).send(pageEnvelopeJson(paging, data, expenseLines.count(coded.coded)));
  });

  app.get<{ Params: { line_id: string } }>('/api/expense_lines/:line_id', (request, reply) => {
    const record = expenseLines.getJson(request.params.line_id);
    if (!record) {
      reply.code(404).send(errorBody('not_found', `expense line ${request.params.line_id} does not exist`));
      return;
    }
    reply.header('etag', etagOf(record.updatedAt)).type(JSON_TYPE).send(record.json);
  });

  app.patch<{ Params: { line_id: string } }>('/api/expense_lines/:line_id', (request, reply) => {
    const lineId = request.params.line_id;
    const outcome = expenseLines.patch({
      lineId,
      body: request.body,
      ifMatch: headerText(request.headers['if-match']),
      idempotencyKey: headerText(request.headers['idempotency-key']),
    });
    sendPatchOutcome(reply, outcome, `expense line ${lineId}`, () => markApplied(request));
  });

  app.get('/api/gl_accounts', (request, reply) => {
    const paging = parsePaging(request.query);
    if (paging.kind === 'invalid') {
      reply.code(400).send(errorBody('bad_request', paging.message));
      return;
    }
    const accounts = expenseLines.accounts();
    reply.send(
      pageEnvelope(paging, accounts.slice(paging.offset, paging.offset + paging.limit), accounts.length),
    );
  });

  app.get('/_sandbox/expense-lines/truth', (_request, reply) => {
    reply.send({ codes: expenseLines.truth() });
  });
}
