import { describe, expect, it } from 'vitest';
import { ErpError, type ErrorKind } from '../../errors/index.ts';
import {
  bodyExcerpt,
  errorForFailure,
  errorForStatus,
  errorForTimeout,
  failureCode,
  fieldFromBody,
  kindForFailureCode,
  kindForStatus,
  parseRetryAfter,
  type RequestDescription,
} from './http-errors.ts';

const request: RequestDescription = {
  connector: 'erp',
  operation: 'read',
  method: 'GET',
  url: 'http://127.0.0.1:4010/api/purchase_orders?page=1',
  baseUrl: 'http://127.0.0.1:4010',
  entity: 'purchase_orders',
  hasAuth: true,
  secrets: ['sk-live-123456'],
};
const NOW = Date.parse('2026-01-01T12:00:00Z');
const answer = (status: number, body = '', headers: Record<string, string> = {}) => ({
  status,
  headers,
  body,
});

describe('kindForStatus', () => {
  it.each<[number, ErrorKind]>([
    [401, 'auth'],
    [403, 'auth'],
    [408, 'transient'],
    [425, 'transient'],
    [500, 'transient'],
    [502, 'transient'],
    [503, 'transient'],
    [504, 'transient'],
    [429, 'rate_limited'],
    [409, 'conflict'],
    [412, 'conflict'],
    [400, 'validation'],
    [422, 'validation'],
    [404, 'permanent'],
    [405, 'permanent'],
    [410, 'permanent'],
    [501, 'permanent'],
    [302, 'permanent'],
  ])('%i → %s', (status, kind) => {
    expect(kindForStatus(status)).toBe(kind);
  });
});

describe('errorForStatus', () => {
  it('carries connector, method, URL, status, entity and key, and a body excerpt', () => {
    const error = errorForStatus(answer(500, '{"error":"database locked"}'), { ...request, key: 'PO-1' });
    expect(error).toBeInstanceOf(ErpError);
    expect(error.message).toBe(
      'GET http://127.0.0.1:4010/api/purchase_orders?page=1 answered 500 Internal Server Error: {"error":"database locked"}',
    );
    expect(error.context).toEqual({
      connector: 'erp',
      method: 'GET',
      url: request.url,
      status: 500,
      entity: 'purchase_orders',
      key: 'PO-1',
      hint: 'the ERP failed or is overloaded; trying again later may succeed',
    });
  });

  it('401: auth, hint names the auth option; never the token the body echoes', () => {
    const error = errorForStatus(answer(401, 'bad token Bearer sk-live-123456'), request);
    expect(error.kind).toBe('auth');
    expect(error.context.hint).toBe('check the credentials in connectors.erp.auth');
    expect(error.message).not.toContain('sk-live-123456');
    expect(error.message).toContain('bad token Bearer [redacted]');
  });

  it('401 without auth configured says to configure it', () => {
    const error = errorForStatus(answer(401), { ...request, hasAuth: false });
    expect(error.context.hint).toBe('the ERP wants credentials; configure connectors.erp.auth');
  });

  it('403 mentions permissions', () => {
    expect(errorForStatus(answer(403), request).context.hint).toContain('permissions');
  });

  it('429 with Retry-After seconds sets retryAfterMs', () => {
    const error = errorForStatus(answer(429, '', { 'retry-after': '7' }), request, NOW);
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(7000);
    expect(error.context.hint).toBe('the ERP asks to wait 7 s');
  });

  it('429 with a Retry-After HTTP date sets the time left', () => {
    const error = errorForStatus(
      answer(429, '', { 'retry-after': 'Thu, 01 Jan 2026 12:00:30 GMT' }),
      request,
      NOW,
    );
    expect(error.retryAfterMs).toBe(30_000);
  });

  it('429 without Retry-After has no retryAfterMs and suggests lower concurrency', () => {
    const error = errorForStatus(answer(429), request, NOW);
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.context.hint).toContain('connectors.erp.concurrency');
  });

  it('503 honours Retry-After too (maintenance windows)', () => {
    const error = errorForStatus(answer(503, '', { 'retry-after': '120' }), request, NOW);
    expect(error.kind).toBe('transient');
    expect(error.retryAfterMs).toBe(120_000);
  });

  it('409 and 412: conflict', () => {
    expect(errorForStatus(answer(409), request).kind).toBe('conflict');
    expect(errorForStatus(answer(412), request).context.hint).toContain('read it again');
  });

  it('400/422: validation with the field the body names', () => {
    const error = errorForStatus(answer(422, '{"errors":[{"field":"quantity","message":"> 0"}]}'), request);
    expect(error.kind).toBe('validation');
    expect(error.context.field).toBe('quantity');
    expect(errorForStatus(answer(400, 'bad'), request).context.field).toBeUndefined();
  });

  it('404 on write: permanent, the record is gone', () => {
    const error = errorForStatus(answer(404), {
      ...request,
      operation: 'write',
      method: 'PATCH',
      key: 'PO-1',
    });
    expect(error.kind).toBe('permanent');
    expect(error.context.hint).toBe('the record does not exist in the ERP (deleted or renamed?)');
  });

  it('404 on read: permanent, check the entity path', () => {
    expect(errorForStatus(answer(404), request).context.hint).toBe(
      'check connectors.erp.entities.purchase_orders.path',
    );
  });

  it('an unknown status is permanent and still printable', () => {
    const error = errorForStatus(answer(599), request);
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('answered 599 Unknown Status');
  });
});

describe('parseRetryAfter', () => {
  it.each<[string | undefined, number | undefined]>([
    ['0', 0],
    ['5', 5000],
    [' 12 ', 12_000],
    ['Thu, 01 Jan 2026 12:01:00 GMT', 60_000],
    ['Thu, 01 Jan 2026 11:00:00 GMT', 0],
    ['Thursday, 01-Jan-26 12:00:10 GMT', 10_000],
    ['Thu Jan  1 12:00:20 2026', 20_000],
    ['Thu, 99 Foo 2026 12:00:00 GMT', undefined],
    ['2026-01-01T12:00:30Z', undefined],
    ['-3', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['2026', 2_026_000],
    ['', undefined],
    [undefined, undefined],
  ])('%j → %j', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe('bodyExcerpt', () => {
  it('collapses whitespace and cuts to 200 characters', () => {
    const excerpt = bodyExcerpt(`<html>\n  <body>${'x'.repeat(500)}</body>`, []);
    expect(excerpt).toHaveLength(200);
    expect(excerpt.startsWith('<html> <body>xxx')).toBe(true);
    expect(excerpt.endsWith('…')).toBe(true);
  });

  it('redacts before cutting, so a secret at the edge does not leak in part', () => {
    const secret = 'sk-live-abcdefghijklmnop';
    const excerpt = bodyExcerpt(`${'y'.repeat(190)}${secret}`, [secret]);
    expect(excerpt).not.toContain('sk-live');
  });
});

describe('fieldFromBody', () => {
  it.each<[string, string | undefined]>([
    ['{"field":"amount"}', 'amount'],
    ['{"error":{"field":"amount","message":"x"}}', 'amount'],
    ['{"errors":[{"path":["lines",0,"qty"],"message":"x"}]}', 'lines.0.qty'],
    ['{"errors":[{"param":"due_date"}]}', 'due_date'],
    ['{"errors":{"supplier_id":["must exist"]}}', 'supplier_id'],
    ['{"detail":[{"loc":["body","quantity"],"msg":"x"}]}', 'quantity'],
    ['{"invalid_params":[{"name":"currency","reason":"x"}]}', 'currency'],
    ['{"name":"ValidationError","message":"bad"}', undefined],
    ['{"message":"bad"}', undefined],
    ['not json', undefined],
    ['[]', undefined],
  ])('%s → %j', (body, field) => {
    expect(fieldFromBody(body)).toBe(field);
  });
});

describe('network failures', () => {
  const coded = (code: string, message = `connect ${code} 127.0.0.1:4010`) =>
    Object.assign(new Error(message), { code });

  it.each<[string | undefined, ErrorKind]>([
    ['ECONNRESET', 'transient'],
    ['ECONNREFUSED', 'transient'],
    ['ETIMEDOUT', 'transient'],
    ['EAI_AGAIN', 'transient'],
    ['UND_ERR_SOCKET', 'transient'],
    ['UND_ERR_CONNECT_TIMEOUT', 'transient'],
    ['UND_ERR_HEADERS_TIMEOUT', 'transient'],
    ['UND_ERR_BODY_TIMEOUT', 'transient'],
    ['UND_ERR_INVALID_ARG', 'permanent'],
    ['UND_ERR_CLOSED', 'permanent'],
    ['ENOTFOUND', 'permanent'],
    ['ERR_SOMETHING', 'permanent'],
    [undefined, 'permanent'],
  ])('%s → %s', (code, kind) => {
    expect(kindForFailureCode(code)).toBe(kind);
  });

  it('ECONNREFUSED asks whether the ERP runs at baseUrl', () => {
    const error = errorForFailure(coded('ECONNREFUSED'), request);
    expect(error.kind).toBe('transient');
    expect(error.message).toBe(`GET ${request.url} failed: connect ECONNREFUSED 127.0.0.1:4010`);
    expect(error.context.hint).toBe(
      'is the ERP running at http://127.0.0.1:4010? check connectors.erp.baseUrl',
    );
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('ENOTFOUND is permanent with the same hint', () => {
    const error = errorForFailure(coded('ENOTFOUND', 'getaddrinfo ENOTFOUND erp.local'), request);
    expect(error.kind).toBe('permanent');
    expect(error.context.hint).toContain('check connectors.erp.baseUrl');
  });

  it('finds the code in a cause chain and in an AggregateError (happy eyeballs)', () => {
    expect(failureCode(new Error('outer', { cause: coded('ECONNRESET') }))).toBe('ECONNRESET');
    expect(failureCode(new AggregateError([coded('ECONNREFUSED')], ''))).toBe('ECONNREFUSED');
    const aggregate = errorForFailure(
      new AggregateError([coded('ECONNREFUSED', 'refused ::1'), coded('ECONNREFUSED')], ''),
      request,
    );
    expect(aggregate.message).toContain('refused ::1');
  });

  it('redacts secrets from a cause message', () => {
    const error = errorForFailure(new Error('bad header value sk-live-123456'), request);
    expect(error.message).not.toContain('sk-live-123456');
  });

  it('a timeout is transient and says which option to raise', () => {
    const error = errorForTimeout(request, 1500);
    expect(error.kind).toBe('transient');
    expect(error.message).toBe(`GET ${request.url} did not finish within 1500 ms`);
    expect(error.context.hint).toContain('connectors.erp.timeoutMs');
  });
});
