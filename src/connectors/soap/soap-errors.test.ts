import { describe, expect, it } from 'vitest';
import { parseXml, XmlError } from '../../xml/index.ts';
import { type CallDescription, errorForExchange, SoapFaultError } from './soap-errors.ts';
import { SoapExchange } from './soap-exchange.ts';
import { soapEnvelope, soapFault11 } from './test-soap-server.ts';

const call: CallDescription = {
  connector: 'sap',
  operation: 'BAPI_PO_CHANGE',
  url: 'http://127.0.0.1:8000/sap/po',
  expectsAnswer: true,
  maxResponseBytes: 1000,
  hasAuth: true,
  secrets: ['hunter2-secret'],
};
const NOW = Date.parse('2026-01-01T12:00:00Z');

function exchange(
  answer?: { status: number; body?: string; headers?: Record<string, string> },
  extra: Partial<SoapExchange> = {},
): SoapExchange {
  const recorded = new SoapExchange({ timeoutMs: 500, source: 'the answer of BAPI_PO_CHANGE' });
  recorded.request = { method: 'POST', url: call.url, body: '<x/>' };
  if (answer !== undefined) {
    const body = answer.body ?? '';
    recorded.answer = { status: answer.status, headers: answer.headers ?? {}, body };
    try {
      recorded.envelope = body.trim().startsWith('<') ? parseXml(body) : undefined;
    } catch (error) {
      if (error instanceof XmlError) recorded.xmlError = error;
    }
  }
  return Object.assign(recorded, extra);
}

describe('errorForExchange', () => {
  it('a 2xx SOAP envelope is no error; neither is an empty answer to a one-way call', () => {
    expect(errorForExchange(exchange({ status: 200, body: soapEnvelope('<R/>') }), call)).toBeUndefined();
    expect(errorForExchange(exchange({ status: 202 }), { ...call, expectsAnswer: false })).toBeUndefined();
    expect(errorForExchange(exchange({ status: 200 }), call)?.message).toBe(
      'BAPI_PO_CHANGE: the answer is not a SOAP envelope (empty)',
    );
  });

  it('a timeout is transient and says how long it waited', () => {
    const error = errorForExchange(exchange(undefined, { timedOut: true }), call);
    expect(error).toMatchObject({
      kind: 'transient',
      message: 'BAPI_PO_CHANGE: no answer from POST http://127.0.0.1:8000/sap/po within 500 ms',
    });
  });

  it('network failures by code; the cause keeps the code, never the HTTP library error', () => {
    const reset = Object.assign(new Error('socket hang up'), {
      code: 'ECONNRESET',
      config: { auth: { password: 'hunter2-secret' } },
    });
    const error = errorForExchange(exchange(undefined, { failure: reset }), call);
    expect(error).toMatchObject({
      kind: 'transient',
      message: 'BAPI_PO_CHANGE: POST http://127.0.0.1:8000/sap/po failed: socket hang up',
    });
    expect(error?.cause).not.toBe(reset);
    expect(error?.cause).toMatchObject({ code: 'ECONNRESET' });
    const tls = Object.assign(new Error('unable to verify the first certificate'), {
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    expect(errorForExchange(exchange(undefined, { failure: tls }), call)).toMatchObject({
      kind: 'permanent',
      context: {
        hint: "the TLS handshake failed; check the ERP's certificate and connectors.sap.auth (cert, key, ca)",
      },
    });
  });

  it('401 without configured auth hints at configuring it; 403 at permissions', () => {
    expect(errorForExchange(exchange({ status: 401 }), { ...call, hasAuth: false })?.context.hint).toBe(
      'the ERP wants credentials; configure connectors.sap.auth',
    );
    expect(errorForExchange(exchange({ status: 403 }), call)).toMatchObject({
      kind: 'auth',
      context: {
        status: 403,
        hint: 'check the credentials in connectors.sap.auth and the permissions of that user',
      },
    });
  });

  it('503 with an HTTP-date Retry-After, 429 without one', () => {
    const unavailable = errorForExchange(
      exchange({ status: 503, headers: { 'retry-after': 'Thu, 01 Jan 2026 12:00:30 GMT' } }),
      call,
      NOW,
    );
    expect([unavailable?.kind, unavailable?.retryAfterMs, unavailable?.context.hint]).toEqual([
      'transient',
      30_000,
      'the ERP asks to wait 30 s',
    ]);
    const limited = errorForExchange(exchange({ status: 429 }), call, NOW);
    expect([limited?.kind, limited?.retryAfterMs]).toEqual(['rate_limited', undefined]);
  });

  it('a fault keeps its text verbatim, secrets redacted in the message and in the fault kept', () => {
    const error = errorForExchange(
      exchange({ status: 500, body: soapFault11('soap:Client', 'password hunter2-secret is wrong') }),
      call,
    );
    expect(error).toBeInstanceOf(SoapFaultError);
    expect(error?.message).toBe('password [redacted] is wrong');
    expect(error instanceof SoapFaultError && error.fault.reason).toBe('password [redacted] is wrong');
  });

  it('an unreadable answer: by status when it failed, else permanent', () => {
    expect(errorForExchange(exchange({ status: 502, body: '<html><body>Bad gateway' }), call)).toMatchObject({
      kind: 'transient',
      context: { status: 502 },
    });
    expect(errorForExchange(exchange({ status: 404, body: '<html>' }), call)).toMatchObject({
      kind: 'permanent',
      context: { hint: 'check connectors.sap.endpoint' },
    });
    expect(errorForExchange(exchange({ status: 200, body: '<a><b></a>' }), call)).toMatchObject({
      kind: 'permanent',
      message: expect.stringMatching(/^BAPI_PO_CHANGE: the answer is not well-formed XML: /),
    });
  });

  it('other failure statuses by status: 400 validation, 500 transient', () => {
    expect(errorForExchange(exchange({ status: 400, body: 'Bad SOAPAction' }), call)).toMatchObject({
      kind: 'validation',
      message: 'BAPI_PO_CHANGE: POST http://127.0.0.1:8000/sap/po answered 400 Bad Request: Bad SOAPAction',
    });
    expect(errorForExchange(exchange({ status: 500, body: '' }), call)?.kind).toBe('transient');
  });
});
