import { STATUS_CODES } from 'node:http';
import { redact } from '../../config/secrets.ts';
import { ErpError, type ErrorKind } from '../../errors/index.ts';
import type { RestAuth } from './rest-config.ts';

/**
 * How HTTP answers and network failures become ErpErrors. Pure: the same inputs give the same
 * error, so each rule is tested on its own. Every error names the connector, method, URL (already
 * made safe by the caller), status, entity and key, and never carries a secret: the body excerpt
 * and any cause message pass through `redact` first.
 */

/** What the connector was doing; a 404 means different things for each. */
export type Operation = 'read' | 'get' | 'write' | 'test';

/** The request an error is about. */
export interface RequestDescription {
  /** The connector's name in erpbridge.yaml. */
  connector: string;
  operation: Operation;
  method: string;
  /** The URL as it may be printed (see `safeUrl`). */
  url: string;
  /** The configured baseUrl, for "is the ERP running?" hints. */
  baseUrl: string;
  entity?: string;
  key?: string;
  /** Whether `auth` is configured; a 401 without it needs a different hint. */
  hasAuth: boolean;
  /** The configured auth kind, when there is one: a 401 despite a fresh OAuth token needs its own hint. */
  authKind?: RestAuth['kind'];
  /** Values that must never appear in a message. */
  secrets: readonly string[];
}

/** Response headers as undici gives them. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** An HTTP answer, body already read as text. */
export interface HttpAnswer {
  status: number;
  headers: ResponseHeaders;
  body: string;
}

/** Longest body excerpt an error message carries. */
export const EXCERPT_LENGTH = 200;

const STATUS_KINDS: Record<number, ErrorKind> = {
  400: 'validation',
  401: 'auth',
  403: 'auth',
  408: 'transient',
  409: 'conflict',
  412: 'conflict',
  422: 'validation',
  425: 'transient',
  429: 'rate_limited',
  500: 'transient',
  502: 'transient',
  503: 'transient',
  504: 'transient',
};

/** The error kind for an HTTP status that is not a success; anything unlisted is `permanent`. */
export function kindForStatus(status: number): ErrorKind {
  return STATUS_KINDS[status] ?? 'permanent';
}

/**
 * The ErpError for an answer with a failure status. 429 and 503 carry `retryAfterMs` when the
 * ERP sent a readable Retry-After; 400/422 name the field when the body does.
 *
 * @param now clock for HTTP-date Retry-After values, in epoch milliseconds.
 */
export function errorForStatus(answer: HttpAnswer, request: RequestDescription, now = Date.now()): ErpError {
  const kind = kindForStatus(answer.status);
  const reason = STATUS_CODES[answer.status] ?? 'Unknown Status';
  const excerpt = bodyExcerpt(answer.body, request.secrets);
  const message = `${request.method} ${request.url} answered ${answer.status} ${reason}${excerpt ? `: ${excerpt}` : ''}`;
  const retryAfterMs =
    kind === 'rate_limited' || answer.status === 503
      ? parseRetryAfter(headerValue(answer.headers, 'retry-after'), now)
      : undefined;
  const field = kind === 'validation' ? fieldFromBody(answer.body) : undefined;
  return new ErpError(kind, message, {
    ...contextOf(request),
    status: answer.status,
    ...(field === undefined ? {} : { field }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    hint: hintForStatus(answer.status, kind, request, retryAfterMs),
  });
}

function hintForStatus(
  status: number,
  kind: ErrorKind,
  request: RequestDescription,
  retryAfterMs: number | undefined,
): string {
  const where = `connectors.${request.connector}`;
  switch (kind) {
    case 'auth':
      if (!request.hasAuth) return `the ERP wants credentials; configure ${where}.auth`;
      if (status === 401 && request.authKind === 'oauth2-client-credentials') {
        // The connection already retried once with a freshly issued token.
        return `the ERP refused a freshly issued token; check that ${where}.auth.scope and ${where}.auth.audience grant access to this API`;
      }
      return status === 403
        ? `check the credentials in ${where}.auth and the permissions of that user`
        : `check the credentials in ${where}.auth`;
    case 'rate_limited':
      return retryAfterMs === undefined
        ? `the ERP is rate limiting; lower ${where}.concurrency or wait`
        : `the ERP asks to wait ${Math.ceil(retryAfterMs / 1000)} s`;
    case 'transient':
      return 'the ERP failed or is overloaded; trying again later may succeed';
    case 'conflict':
      return 'the record changed in the ERP since it was read; read it again and re-plan';
    case 'validation':
      return 'the ERP rejected the data; fix the value it names';
    case 'permanent':
      if (status !== 404) return 'the ERP refused the request; trying again will not help';
      if (request.operation === 'write') return 'the record does not exist in the ERP (deleted or renamed?)';
      return request.entity === undefined
        ? `check ${where}.baseUrl and ${where}.testPath`
        : `check ${where}.entities.${request.entity}.path`;
  }
}

/** Node and undici failure codes that say nothing about the request itself: trying again may work. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
]);
/**
 * undici codes that are our own mistakes or a closed connection, not the network's: retrying
 * cannot help, so they are `permanent` although they start with `UND_ERR_`.
 */
const PERMANENT_UNDICI_CODES = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_INVALID_RETURN_VALUE',
  'UND_ERR_NOT_SUPPORTED',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND']);

/** The error kind for a request that failed without an answer, by its failure code. */
export function kindForFailureCode(code: string | undefined): ErrorKind {
  if (code === undefined) return 'permanent';
  if (TRANSIENT_CODES.has(code)) return 'transient';
  if (code.startsWith('UND_ERR_') && !PERMANENT_UNDICI_CODES.has(code)) return 'transient';
  return 'permanent';
}

/** The ErpError for a request that got no answer: connection refused or reset, DNS, socket errors. */
export function errorForFailure(cause: unknown, request: RequestDescription): ErpError {
  const code = failureCode(cause);
  const detail = redact(causeMessage(cause), request.secrets);
  const hint = UNREACHABLE_CODES.has(code ?? '')
    ? `is the ERP running at ${request.baseUrl}? check connectors.${request.connector}.baseUrl`
    : undefined;
  return new ErpError(kindForFailureCode(code), `${request.method} ${request.url} failed: ${detail}`, {
    ...contextOf(request),
    cause,
    ...(hint === undefined ? {} : { hint }),
  });
}

/** The ErpError for a request that did not finish within the connector's timeout. */
export function errorForTimeout(request: RequestDescription, timeoutMs: number, cause?: unknown): ErpError {
  return new ErpError('transient', `${request.method} ${request.url} did not finish within ${timeoutMs} ms`, {
    ...contextOf(request),
    ...(cause === undefined ? {} : { cause }),
    hint: `the ERP is slow or hanging; raise connectors.${request.connector}.timeoutMs if it is just slow`,
  });
}

/** The context every error of this request carries. */
export function contextOf(request: RequestDescription): {
  connector: string;
  method: string;
  url: string;
  entity?: string;
  key?: string;
} {
  return {
    connector: request.connector,
    method: request.method,
    url: request.url,
    ...(request.entity === undefined ? {} : { entity: request.entity }),
    ...(request.key === undefined ? {} : { key: request.key }),
  };
}

/**
 * Milliseconds to wait from a Retry-After header: delay-seconds (`120`) or an HTTP date in any of
 * its three formats (a date in the past is 0). Anything else, negative or fractional seconds included, is `undefined`.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only something shaped like an HTTP date (IMF-fixdate, RFC 850, asctime): Date.parse alone
  // accepts "2026-01-01" or "1 2". HTTP dates are GMT; asctime omits the zone, so it is added.
  if (!/^[A-Za-z]{3,9},? /.test(text)) return undefined;
  const at = Date.parse(/GMT$/.test(text) ? text : `${text} GMT`);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The body, secrets redacted, whitespace collapsed, cut to {@link EXCERPT_LENGTH} characters. */
export function bodyExcerpt(body: string, secrets: readonly string[], limit = EXCERPT_LENGTH): string {
  const flat = redact(body, secrets).replace(/\s+/g, ' ').trim();
  return flat.length <= limit ? flat : `${flat.slice(0, limit - 1)}…`;
}

/**
 * The field a validation error names, from the common body shapes: `{field}`, `{error: {field}}`,
 * `{errors: [{field | path | param | name | loc}]}`, `{errors: {<field>: …}}` (Rails),
 * `{detail: [{loc: ['body', <field>]}]}` (FastAPI), `{invalid_params: [{name}]}` (RFC 9457).
 */
export function fieldFromBody(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Not JSON: a plain-text or HTML error page names no field we could trust.
    return undefined;
  }
  return fieldOf(parsed, 0, false);
}

function fieldOf(node: unknown, depth: number, named: boolean): string | undefined {
  if (depth > 3 || typeof node !== 'object' || node === null) return undefined;
  if (Array.isArray(node)) return fieldOf(node[0], depth + 1, named);
  const record = toRecord(node);
  // `name` is a field only inside RFC 9457 invalid_params; elsewhere it is often the error's class.
  for (const name of named ? ['name', 'field'] : ['field', 'param', 'property']) {
    const value = record[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  const path = record.path ?? record.loc;
  if (typeof path === 'string' && path !== '') return path;
  if (Array.isArray(path)) {
    // FastAPI prefixes the location: ['body', 'quantity'].
    const steps = ['body', 'query'].includes(String(path[0])) ? path.slice(1) : path;
    if (steps.length > 0) return steps.map(String).join('.');
  }
  for (const container of ['error', 'errors', 'detail', 'details', 'invalid_params']) {
    const value = record[container];
    const found = fieldOf(value, depth + 1, container === 'invalid_params');
    if (found !== undefined) return found;
    if (container === 'errors' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      // Rails: { errors: { quantity: ["must be positive"] } }
      const first = Object.keys(value)[0];
      if (first !== undefined) return first;
    }
  }
  return undefined;
}

function toRecord(node: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(node));
}

/** The first value of a response header, by lower-case name. */
export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The failure code of a network error: its own `code`, its cause's, or (happy-eyeballs
 * AggregateError) that of its first inner error.
 */
export function failureCode(error: unknown): string | undefined {
  for (let node = error, depth = 0; node instanceof Error && depth < 5; depth++) {
    const code = Reflect.get(node, 'code');
    if (typeof code === 'string' && code !== '') return code;
    node = node instanceof AggregateError && node.errors.length > 0 ? node.errors[0] : node.cause;
  }
  return undefined;
}

/** The message of a failure cause, falling back to its code or name when it has none. Not redacted. */
export function causeMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message !== '') return error.message;
  if (error instanceof AggregateError) return error.errors.map(causeMessage).join('; ');
  return failureCode(error) ?? error.name;
}
