import { STATUS_CODES } from 'node:http';
import { redact } from '../../config/secrets.ts';
import { ErpError, type ErrorKind } from '../../errors/index.ts';
import { parseRetryAfter } from '../../resilience/index.ts';
import { childAt, type XmlValue } from '../../xml/index.ts';
import {
  bodyExcerpt,
  causeMessage,
  failureCode,
  kindForFailureCode,
  kindForStatus,
} from '../rest/http-errors.ts';
import type { AnswerHeaders, SoapExchange } from './soap-exchange.ts';
import { faultKind, faultMessage, type SoapFault, soapFaultOf } from './soap-fault.ts';

/**
 * How a SOAP exchange becomes an ErpError. Reads only the exchange the transport recorded, so each
 * rule is tested on its own without a server. Messages name the connector's call (method, URL,
 * operation) and never carry a secret: everything from the wire passes through `redact`.
 *
 * Rules, in order:
 * 1. cut off by the timeout → `transient`;
 * 2. no answer: over the size bound → `permanent`; connection refused, reset, DNS → `transient`;
 *    TLS and other failures → `permanent`;
 * 3. 401/403 → `auth`, 429 → `rate_limited`, 503 → `transient`, with `retryAfterMs` from
 *    Retry-After (the fault text is the message when the ERP sent one);
 * 4. a SOAP fault → kind by its code (`faultKind`), message = the ERP's text verbatim (AIF: the
 *    infolog joined);
 * 5. a redirect → `permanent` (erpbridge follows none);
 * 6. an answer that is not readable XML: by its status when it failed (a 500 HTML page is
 *    `transient`), else `permanent` ("not well-formed", "declares a DTD", "too large");
 * 7. another failure status → by status (5xx `transient`, 404 `permanent`, 400 `validation`);
 * 8. a 2xx call answer that is no SOAP envelope (neither read as one by node-soap nor by
 *    `parseXml`) → `permanent`.
 */

/** The call an exchange belongs to. */
export interface CallDescription {
  /** The connector's name, for messages and hints (`connectors.<name>`). */
  connector: string;
  /** The operation (`GetOrder`) or what was fetched (`the WSDL`). */
  operation: string;
  /** The URL as it may be printed. */
  url: string;
  /** False for a one-way operation: an empty 2xx answer is then a success. */
  expectsAnswer: boolean;
  maxResponseBytes: number;
  /** Whether `auth` is configured: a 401 without it needs a different hint. */
  hasAuth: boolean;
  /** Values that must never appear in a message. */
  secrets: readonly string[];
}

/** The ErpError of an ERP's SOAP fault; the parsed fault is kept for profiles that look closer. */
export class SoapFaultError extends ErpError {
  readonly operation: string;
  readonly fault: SoapFault;

  constructor(
    kind: ErrorKind,
    message: string,
    operation: string,
    fault: SoapFault,
    options: ConstructorParameters<typeof ErpError>[2],
  ) {
    super(kind, message, options);
    this.operation = operation;
    this.fault = fault;
  }
}

/** TLS failure codes: the certificate chain, not the network. */
const TLS_CODES = /^(?:ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$|ERR_SSL_)/;

/** The ErpError for a finished exchange, or undefined when it succeeded. */
export function errorForExchange(
  exchange: SoapExchange,
  call: CallDescription,
  now = Date.now(),
): ErpError | undefined {
  const method = exchange.request?.method ?? 'POST';
  const where = { connector: call.connector, method, url: call.url };
  if (exchange.timedOut) {
    return new ErpError(
      'transient',
      `${call.operation}: no answer from ${method} ${call.url} within ${exchange.timeoutMs} ms`,
      {
        ...where,
        hint: `the ERP is slow or hanging; raise connectors.${call.connector}.timeoutMs if it is just slow`,
      },
    );
  }
  const { answer } = exchange;
  if (answer === undefined) return failureError(exchange.failure, call, where);
  const { status } = answer;
  const context = { ...where, status };
  const fault = exchange.envelope === undefined ? undefined : soapFaultOf(exchange.envelope);
  if (status === 401 || status === 403 || status === 429 || status === 503) {
    const kind = kindForStatus(status);
    const retryAfterMs =
      status === 401 || status === 403
        ? undefined
        : parseRetryAfter(header(answer.headers, 'retry-after'), now);
    const message =
      fault === undefined
        ? statusMessage(answer.status, answer.body, call, method)
        : redact(faultMessage(fault), call.secrets);
    return new ErpError(kind, message, {
      ...context,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      hint: statusHint(status, call, retryAfterMs),
    });
  }
  if (fault !== undefined) {
    const kind = faultKind(fault);
    return new SoapFaultError(
      kind,
      redact(faultMessage(fault), call.secrets),
      call.operation,
      redactFault(fault, call.secrets),
      {
        ...context,
        hint: faultHint(kind, fault, call),
      },
    );
  }
  if (status >= 300 && status < 400) {
    const location = header(answer.headers, 'location');
    return new ErpError(
      'permanent',
      `${call.operation}: ${method} ${call.url} answered ${status}, a redirect${location ? ` to ${redact(location, call.secrets)}` : ''}`,
      {
        ...context,
        hint: `erpbridge follows no redirects; point connectors.${call.connector} at the final address`,
      },
    );
  }
  const xmlError = exchange.xmlError;
  if (xmlError !== undefined) {
    if (status >= 400)
      return new ErpError(kindForStatus(status), statusMessage(status, answer.body, call, method), {
        ...context,
        hint: statusHint(status, call, undefined),
      });
    const what =
      xmlError.problem === 'too-large'
        ? `is larger than ${call.maxResponseBytes} bytes`
        : xmlError.problem === 'doctype'
          ? 'declares a DTD, which erpbridge refuses'
          : 'is not well-formed XML';
    return new ErpError(
      'permanent',
      `${call.operation}: the answer ${what}: ${redact(xmlError.message, call.secrets)}`,
      {
        ...context,
        cause: xmlError,
        hint:
          xmlError.problem === 'too-large'
            ? `raise connectors.${call.connector}.maxResponseBytes if answers this large are expected`
            : 'the ERP (or something in front of it) sent a broken answer; trying again will not help',
      },
    );
  }
  if (status >= 400 || status < 200) {
    return new ErpError(kindForStatus(status), statusMessage(status, answer.body, call, method), {
      ...context,
      hint: statusHint(status, call, undefined),
    });
  }
  if (
    method === 'POST' &&
    call.expectsAnswer &&
    !exchange.bodyRead &&
    childAt(exchange.envelope, 'Envelope', 'Body') === undefined
  ) {
    const excerpt = bodyExcerpt(answer.body, call.secrets);
    return new ErpError(
      'permanent',
      `${call.operation}: the answer is not a SOAP envelope${excerpt ? `: ${excerpt}` : ' (empty)'}`,
      {
        ...context,
        hint: `is connectors.${call.connector}.endpoint the SOAP service's address?`,
      },
    );
  }
  return undefined;
}

function failureError(
  failure: unknown,
  call: CallDescription,
  where: { connector: string; method: string; url: string },
): ErpError {
  const detail = redact(causeMessage(failure), call.secrets);
  if (/maxContentLength size of \d+ exceeded/.test(detail)) {
    return new ErpError(
      'permanent',
      `${call.operation}: the answer from ${where.method} ${call.url} is larger than ${call.maxResponseBytes} bytes`,
      {
        ...where,
        hint: `raise connectors.${call.connector}.maxResponseBytes if answers this large are expected`,
      },
    );
  }
  const code = failureCode(failure);
  // Never the raw failure as cause: axios errors carry the request config, credentials included.
  const cause = Object.assign(new Error(detail), code === undefined ? {} : { code });
  const hint =
    code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? `is the ERP running at ${call.url}? check connectors.${call.connector}.endpoint`
      : code !== undefined && TLS_CODES.test(code)
        ? `the TLS handshake failed; check the ERP's certificate and connectors.${call.connector}.auth (cert, key, ca)`
        : undefined;
  return new ErpError(
    kindForFailureCode(code),
    `${call.operation}: ${where.method} ${call.url} failed: ${detail}`,
    {
      ...where,
      cause,
      ...(hint === undefined ? {} : { hint }),
    },
  );
}

function statusMessage(status: number, body: string, call: CallDescription, method: string): string {
  const excerpt = bodyExcerpt(body, call.secrets);
  const reason = STATUS_CODES[status] ?? 'Unknown Status';
  return `${call.operation}: ${method} ${call.url} answered ${status} ${reason}${excerpt ? `: ${excerpt}` : ''}`;
}

function statusHint(status: number, call: CallDescription, retryAfterMs: number | undefined): string {
  const auth = `connectors.${call.connector}.auth`;
  if (status === 401 || status === 403) {
    if (!call.hasAuth) return `the ERP wants credentials; configure ${auth}`;
    return status === 403
      ? `check the credentials in ${auth} and the permissions of that user`
      : `check the credentials in ${auth}`;
  }
  if (status === 429 || status === 503) {
    return retryAfterMs === undefined
      ? 'the ERP is overloaded or rate limiting; wait and try again'
      : `the ERP asks to wait ${Math.ceil(retryAfterMs / 1000)} s`;
  }
  if (status >= 500) return 'the ERP failed or is overloaded; trying again later may succeed';
  if (status === 404) return `check connectors.${call.connector}.endpoint`;
  return 'the ERP refused the request; trying again will not help';
}

function faultHint(kind: ErrorKind, fault: SoapFault, call: CallDescription): string {
  const code = fault.code === '' ? '' : ` (${fault.code})`;
  const aif = fault.aif === undefined ? '' : '; the AX AIF exception log has the details';
  switch (kind) {
    case 'auth':
      return `the ERP refused the credentials${code}; check connectors.${call.connector}.auth`;
    case 'validation':
      return `the ERP refused ${call.operation} as sent${code}; the message says what to fix${aif}`;
    default:
      return `the ERP failed to process ${call.operation}${code}${aif}`;
  }
}

/** The fault with every text passed through `redact`: the error keeps it, and an ERP may echo a secret. */
function redactFault(fault: SoapFault, secrets: readonly string[]): SoapFault {
  const clean = (text: string) => redact(text, secrets);
  return {
    ...fault,
    code: clean(fault.code),
    subcodes: fault.subcodes.map(clean),
    reason: clean(fault.reason),
    actor: fault.actor === undefined ? undefined : clean(fault.actor),
    detail: fault.detail === undefined ? undefined : redactXml(fault.detail, secrets),
    aif:
      fault.aif === undefined
        ? undefined
        : {
            infolog: fault.aif.infolog.map((entry) => ({ type: entry.type, message: clean(entry.message) })),
            faultMessages: fault.aif.faultMessages.map((entry) => ({
              ...entry,
              message: clean(entry.message),
            })),
            exceptionType: fault.aif.exceptionType,
          },
  };
}

function redactXml(value: XmlValue, secrets: readonly string[]): XmlValue {
  if (typeof value === 'string') return redact(value, secrets);
  if (Array.isArray(value)) return value.map((item) => redactXml(item, secrets));
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, redactXml(child, secrets)]));
}

function header(headers: AnswerHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
