import { Buffer } from 'node:buffer';
import { STATUS_CODES } from 'node:http';
import type { Pool } from 'undici';
import { redact } from '../../config/secrets.ts';
import { ErpError, type ErrorKind } from '../../errors/index.ts';
import {
  bodyExcerpt,
  causeMessage,
  failureCode,
  type HttpAnswer,
  headerValue,
  kindForFailureCode,
  parseRetryAfter,
} from './http-errors.ts';
import type { OAuth2ClientCredentials } from './rest-config.ts';
import { safeUrl } from './safe-url.ts';

/**
 * One OAuth 2.0 client credentials token request (RFC 6749 §4.4): the form, the client
 * authentication, reading the answer, and what a failed answer means. Caching and refreshing are
 * the token source's business (see `oauth2-token-source.ts`).
 *
 * Nothing here ever prints a token or the client secret: a successful answer's body is never quoted
 * (it holds the token), and failed answers pass through `redact` first.
 */

/** A token the endpoint issued. */
export interface IssuedToken {
  accessToken: string;
  /** Lifetime in seconds, from `expires_in`; undefined when the endpoint did not say. */
  expiresInSeconds: number | undefined;
}

/** Where and how to ask for tokens, and the connector to name in messages. */
export interface TokenEndpoint {
  /** The connector's name in erpbridge.yaml. */
  connector: string;
  auth: OAuth2ClientCredentials;
  /** The token endpoint, resolved against baseUrl. */
  url: URL;
  /** Bound on the whole exchange, connecting included. */
  timeoutMs: number;
}

/**
 * Asks the endpoint for a token on `pool` (a pool to `endpoint.url`'s origin), bounded by
 * `endpoint.timeoutMs`. No redirect is followed: the client secret goes to the configured URL only.
 *
 * @param secrets values to redact from every message, the client secret's forms among them.
 * @throws ErpError: `auth` when the endpoint rejects the client or its scope, `transient` for 5xx,
 *   timeouts and network failures, `rate_limited` for 429, `permanent` for a malformed answer.
 */
export async function requestToken(
  pool: Pool,
  endpoint: TokenEndpoint,
  secrets: readonly string[],
): Promise<IssuedToken> {
  const printable = safeUrl(endpoint.url, secrets);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), endpoint.timeoutMs);
  let answer: HttpAnswer;
  try {
    const response = await pool.request({
      path: `${endpoint.url.pathname}${endpoint.url.search}`,
      method: 'POST',
      headers: tokenRequestHeaders(endpoint.auth),
      body: tokenRequestForm(endpoint.auth).toString(),
      signal: controller.signal,
    });
    answer = { status: response.statusCode, headers: response.headers, body: await response.body.text() };
  } catch (cause) {
    throw controller.signal.aborted
      ? new ErpError('transient', `POST ${printable} did not finish within ${endpoint.timeoutMs} ms`, {
          ...where(endpoint, printable),
          cause,
          hint: `the token endpoint is slow or hanging; raise ${keyOf(endpoint, 'tokenTimeoutMs')} if it is just slow`,
        })
      : new ErpError(
          kindForFailureCode(failureCode(cause)),
          `POST ${printable} failed: ${redact(causeMessage(cause), secrets)}`,
          {
            ...where(endpoint, printable),
            cause,
            hint: `is the token endpoint running at ${endpoint.url.origin}? check ${keyOf(endpoint, 'tokenUrl')}`,
          },
        );
  } finally {
    clearTimeout(timer);
  }
  if (answer.status < 200 || answer.status >= 300) throw errorForTokenAnswer(answer, endpoint, secrets);
  return parseTokenAnswer(answer, endpoint, secrets);
}

/** The form of a token request: `grant_type=client_credentials`, scope, audience, and the client's credentials when `clientAuth` is `body`. */
export function tokenRequestForm(auth: OAuth2ClientCredentials): URLSearchParams {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (auth.scope !== undefined) form.set('scope', auth.scope);
  if (auth.audience !== undefined) form.set('audience', auth.audience);
  if (auth.clientAuth === 'body') {
    form.set('client_id', auth.clientId);
    form.set('client_secret', auth.clientSecret);
  }
  return form;
}

/** The headers of a token request; with `clientAuth: basic`, the client's credentials in Authorization. */
export function tokenRequestHeaders(auth: OAuth2ClientCredentials): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
    'user-agent': 'erpbridge',
    // Tokens must not be cached by anything in between (RFC 6749 §5.1 asks the same of the answer).
    'cache-control': 'no-store',
    ...(auth.clientAuth === 'basic'
      ? { authorization: `Basic ${basicClientCredentials(auth.clientId, auth.clientSecret)}` }
      : {}),
  };
}

/**
 * HTTP Basic credentials as RFC 6749 §2.3.1 wants them: id and secret each form-urlencoded first,
 * so a `:` in the id cannot shift the split. For ids and secrets of letters, digits and `-._*` the
 * encoding changes nothing.
 */
export function basicClientCredentials(clientId: string, clientSecret: string): string {
  return Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`, 'utf8').toString('base64');
}

/** Every form the client secret travels in, for `redact`. */
export function clientSecretForms(auth: OAuth2ClientCredentials): string[] {
  const encoded = `${formEncode(auth.clientId)}:${formEncode(auth.clientSecret)}`;
  return [
    auth.clientSecret,
    formEncode(auth.clientSecret),
    encoded,
    basicClientCredentials(auth.clientId, auth.clientSecret),
  ];
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice('v='.length);
}

/** A usable access token: printable ASCII without spaces, so it cannot break a header. */
const ACCESS_TOKEN = /^[\x21-\x7E]+$/;

/**
 * The token in a successful answer (JSON, or form-encoded as some older servers send it). A token
 * type other than Bearer is refused; an absent one is taken for Bearer, as lenient clients do.
 * `expires_in` counts when it is a positive number (or a string of one); otherwise the lifetime is
 * unknown.
 *
 * @throws ErpError `permanent` for a body without a usable token; the message names the keys the
 *   body has, never its values.
 */
export function parseTokenAnswer(
  answer: HttpAnswer,
  endpoint: TokenEndpoint,
  secrets: readonly string[] = [],
): IssuedToken {
  const printable = safeUrl(endpoint.url, secrets);
  const malformed = (what: string) =>
    new ErpError('permanent', `POST ${printable} answered ${answer.status}, but ${what}`, {
      ...where(endpoint, printable),
      status: answer.status,
      hint: `is ${keyOf(endpoint, 'tokenUrl')} an OAuth 2.0 token endpoint?`,
    });
  const fields = answerFields(answer);
  if (fields === undefined) throw malformed('the body is neither a JSON object nor a form');
  const accessToken = fields.access_token;
  if (typeof accessToken !== 'string' || !ACCESS_TOKEN.test(accessToken)) {
    const keys = Object.keys(fields).join(', ') || 'none';
    throw malformed(`the body has no usable access_token (its keys: ${keys})`);
  }
  const tokenType = fields.token_type;
  if (tokenType !== undefined && (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer')) {
    throw malformed(`the token type is ${JSON.stringify(tokenType)}; only Bearer tokens are supported`);
  }
  return { accessToken, expiresInSeconds: lifetimeOf(fields.expires_in) };
}

function answerFields(answer: HttpAnswer): Record<string, unknown> | undefined {
  const type = headerValue(answer.headers, 'content-type') ?? '';
  if (type.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(answer.body));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    // Not JSON: reported by the caller as a malformed answer, without the body.
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  return Object.fromEntries(Object.entries(parsed));
}

function lifetimeOf(value: unknown): number | undefined {
  const seconds = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/** OAuth error codes (RFC 6749 §5.2, RFC 8707) that a person fixes in the auth configuration. */
const AUTH_ERRORS = new Set(['invalid_client', 'unauthorized_client', 'invalid_scope', 'invalid_target']);

/**
 * The ErpError for a token answer with a failure status. A rejected client (401, or
 * `invalid_client`) is `auth`, with a hint naming the clientId and clientSecret keys; so are
 * `unauthorized_client`, `invalid_scope` and `invalid_target`. 5xx is `transient`, 429
 * `rate_limited`. The message quotes the server's `error` and `error_description`, redacted.
 */
export function errorForTokenAnswer(
  answer: HttpAnswer,
  endpoint: TokenEndpoint,
  secrets: readonly string[],
  now = Date.now(),
): ErpError {
  const printable = safeUrl(endpoint.url, secrets);
  const oauthError = oauthErrorOf(answer.body);
  const reason = STATUS_CODES[answer.status] ?? 'Unknown Status';
  const detail =
    oauthError === undefined
      ? bodyExcerpt(answer.body, secrets)
      : bodyExcerpt(
          oauthError.description === undefined
            ? oauthError.code
            : `${oauthError.code} (${oauthError.description})`,
          secrets,
        );
  const message = `POST ${printable} answered ${answer.status} ${reason}${detail ? `: ${detail}` : ''}`;
  const kind = tokenErrorKind(answer.status, oauthError?.code);
  const retryAfterMs =
    kind === 'rate_limited' || answer.status === 503
      ? parseRetryAfter(headerValue(answer.headers, 'retry-after'), now)
      : undefined;
  return new ErpError(kind, message, {
    ...where(endpoint, printable),
    status: answer.status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    hint: tokenErrorHint(kind, answer.status, oauthError?.code, endpoint),
  });
}

function tokenErrorKind(status: number, code: string | undefined): ErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (code !== undefined && AUTH_ERRORS.has(code)) return 'auth';
  if (status === 429) return 'rate_limited';
  if (status >= 500 || status === 408 || status === 425) return 'transient';
  return 'permanent';
}

function tokenErrorHint(
  kind: ErrorKind,
  status: number,
  code: string | undefined,
  endpoint: TokenEndpoint,
): string {
  const key = (option: keyof OAuth2ClientCredentials) => keyOf(endpoint, option);
  switch (kind) {
    case 'auth':
      if (code === 'invalid_scope') return `the token endpoint refused the scope; check ${key('scope')}`;
      if (code === 'invalid_target')
        return `the token endpoint refused the audience; check ${key('audience')}`;
      if (code === 'unauthorized_client') {
        return `the client ${key('clientId')} may not use the client_credentials grant; allow it at the identity provider`;
      }
      return `the token endpoint rejected the client; check ${key('clientId')} and ${key('clientSecret')}${
        endpoint.auth.clientAuth === 'basic'
          ? ` (sent as HTTP Basic; if the server wants them in the form, set ${key('clientAuth')}: body)`
          : ` (sent in the form; if the server wants HTTP Basic, set ${key('clientAuth')}: basic)`
      }`;
    case 'rate_limited':
      return 'the token endpoint is rate limiting; wait before trying again';
    case 'transient':
      return 'the token endpoint failed or is overloaded; trying again later may succeed';
    default:
      return status === 404 || status === 405 || (status >= 300 && status < 400)
        ? `no token endpoint there; check ${key('tokenUrl')}`
        : `the token endpoint refused the request; check ${key('tokenUrl')} and ${key('clientAuth')}`;
  }
}

function oauthErrorOf(body: string): { code: string; description: string | undefined } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Not an RFC 6749 §5.2 error body; the caller quotes an excerpt instead.
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const code: unknown = Reflect.get(parsed, 'error');
  const description: unknown = Reflect.get(parsed, 'error_description');
  if (typeof code !== 'string' || code === '') return undefined;
  return {
    code,
    description: typeof description === 'string' && description !== '' ? description : undefined,
  };
}

function keyOf(endpoint: TokenEndpoint, option: keyof OAuth2ClientCredentials): string {
  return `connectors.${endpoint.connector}.auth.${option}`;
}

function where(
  endpoint: TokenEndpoint,
  printable: string,
): { connector: string; method: string; url: string } {
  return { connector: endpoint.connector, method: 'POST', url: printable };
}
