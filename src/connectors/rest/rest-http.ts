import { Buffer } from 'node:buffer';
import { Pool } from 'undici';
import { isSensitiveName } from '../../config/secrets.ts';
import { ErpError } from '../../errors/index.ts';
import { exchangeDeadline } from './exchange-deadline.ts';
import {
  contextOf,
  errorForFailure,
  errorForTimeout,
  type HttpAnswer,
  type Operation,
  type RequestDescription,
} from './http-errors.ts';
import { clientSecretForms } from './oauth2-token-request.ts';
import { createOAuth2TokenSource, type OAuth2TokenSource, resolveTokenUrl } from './oauth2-token-source.ts';
import type { RestAuth, RestConfig } from './rest-config.ts';
import { safeUrl } from './safe-url.ts';

/**
 * The HTTP side of the rest connector: one keep-alive undici Pool per connection, sized by
 * `concurrency`, every request bounded by `timeoutMs` (headers and body together, the wait for a
 * free connection included) and cancellable by the caller's signal.
 *
 * With `oauth2-client-credentials` auth every request carries `Authorization: Bearer <token>` from
 * the connection's token source; fetching a token is bounded apart, by `auth.tokenTimeoutMs`.
 */

/** One request to the ERP. */
export interface RestRequest {
  operation: Operation;
  method: 'GET' | 'PATCH' | 'PUT' | 'POST';
  url: URL;
  entity?: string;
  key?: string;
  /** Extra headers for this request only (Content-Type, If-Match…). */
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal | undefined;
}

/** The HTTP client of one connection. */
export interface RestHttp {
  /**
   * Sends a request and reads the whole answer, whatever its status. Network failures and timeouts
   * throw ErpError; a caller's abort throws the signal's reason, untouched.
   *
   * With OAuth2 auth, a 401 makes it drop the token, get a fresh one and send the request once more
   * — writes too: an ERP authenticates a request before it acts on it, so a 401 means nothing was
   * applied, and the retry carries the same If-Match and Idempotency-Key. A second 401 is returned
   * like any answer (the caller turns it into an `auth` ErpError). Token endpoint failures throw
   * their ErpError.
   */
  send(request: RestRequest): Promise<HttpAnswer>;
  /** The printable description of a request, for errors the caller raises itself. */
  describe(request: RestRequest): RequestDescription;
  /**
   * Values that must never appear in a message: credentials, secret-looking header values, and the
   * latest OAuth2 tokens. Read it when printing: it changes as tokens are issued.
   */
  readonly secrets: readonly string[];
  /** Waits for requests in flight, then closes the sockets. Idempotent. */
  close(): Promise<void>;
}

/** Creates the HTTP client for a connection. Opens no socket until the first request. */
export function createRestHttp(connector: string, config: RestConfig): RestHttp {
  const base = new URL(config.baseUrl);
  const pool = new Pool(base.origin, {
    connections: config.concurrency,
    // Backstops only: the per-request timer below bounds the whole exchange.
    headersTimeout: config.timeoutMs,
    bodyTimeout: config.timeoutMs,
    connect: { timeout: config.timeoutMs },
  });
  const { auth } = config;
  const tokens: OAuth2TokenSource | undefined =
    auth?.kind === 'oauth2-client-credentials'
      ? createOAuth2TokenSource({
          connector,
          auth,
          tokenUrl: resolveTokenUrl(auth.tokenUrl, config.baseUrl),
          timeoutMs: auth.tokenTimeoutMs ?? config.timeoutMs,
        })
      : undefined;
  const configSecrets = secretsOf(config);
  const secrets = (): readonly string[] =>
    tokens === undefined ? configSecrets : [...configSecrets, ...tokens.secrets];
  const fixedHeaders: Record<string, string> = {
    accept: 'application/json',
    'user-agent': 'erpbridge',
    ...config.headers,
    ...authHeaders(config.auth),
  };
  let closing: Promise<void> | undefined;

  const describe = (request: RestRequest): RequestDescription => ({
    connector,
    operation: request.operation,
    method: request.method,
    url: safeUrl(request.url, secrets()),
    baseUrl: config.baseUrl,
    hasAuth: auth !== undefined,
    ...(auth === undefined ? {} : { authKind: auth.kind }),
    secrets: secrets(),
    ...(request.entity === undefined ? {} : { entity: request.entity }),
    ...(request.key === undefined ? {} : { key: request.key }),
  });

  const send = async (request: RestRequest): Promise<HttpAnswer> => {
    const description = describe(request);
    if (closing !== undefined) {
      throw new ErpError('permanent', `connection ${connector} is closed`, contextOf(description));
    }
    if (request.url.origin !== base.origin) {
      throw new ErpError('permanent', `${description.url} is not at ${base.origin}`, contextOf(description));
    }
    if (tokens === undefined) return exchange(request, {});
    const token = await tokens.token(request.signal);
    const answer = await exchange(request, { authorization: `Bearer ${token}` });
    if (answer.status !== 401) return answer;
    // Rejected before the ERP did anything (see `send`'s contract): safe to send again, once.
    tokens.invalidate(token);
    const fresh = await tokens.token(request.signal);
    return exchange(request, { authorization: `Bearer ${fresh}` });
  };

  /** One HTTP exchange, bounded by `timeoutMs`; `authorization` holds this attempt's credentials. */
  const exchange = async (
    request: RestRequest,
    authorization: Record<string, string>,
  ): Promise<HttpAnswer> => {
    const description = describe(request);
    const { signal } = request;
    const deadline = exchangeDeadline(signal, config.timeoutMs);
    try {
      const response = await pool.request({
        path: `${request.url.pathname}${request.url.search}`,
        method: request.method,
        headers: { ...fixedHeaders, ...request.headers, ...authorization },
        body: request.body ?? null,
        signal: deadline.signal,
      });
      const body = await response.body.text();
      return { status: response.statusCode, headers: response.headers, body };
    } catch (error) {
      if (deadline.timedOut) throw errorForTimeout(description, config.timeoutMs, error);
      if (signal?.aborted) throw signal.reason;
      throw errorForFailure(error, description);
    } finally {
      deadline.clear();
    }
  };

  return {
    send,
    describe,
    get secrets() {
      return secrets();
    },
    close: () => {
      closing ??= Promise.all([pool.close(), tokens?.close()]).then(() => undefined);
      return closing;
    },
  };
}

/** The headers that authenticate every request. */
export function authHeaders(auth: RestAuth | undefined): Record<string, string> {
  if (auth === undefined) return {};
  switch (auth.kind) {
    case 'bearer':
      return { authorization: `Bearer ${auth.token}` };
    case 'api-key':
      return { [auth.header]: auth.value };
    case 'basic':
      return { authorization: `Basic ${basicCredentials(auth.username, auth.password)}` };
    case 'oauth2-client-credentials':
      // The bearer token changes as it expires: each request gets it from the token source.
      return {};
  }
}

function basicCredentials(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
}

/**
 * What this connection must never print: the credentials in every form they travel in, and the
 * values of extra headers whose names look secret (`X-Session`, `Cookie`…). OAuth2 access tokens
 * are issued later; {@link RestHttp.secrets} adds them.
 */
export function secretsOf(config: RestConfig): string[] {
  const secrets: string[] = [];
  const { auth } = config;
  if (auth?.kind === 'bearer') secrets.push(auth.token);
  if (auth?.kind === 'api-key') secrets.push(auth.value);
  if (auth?.kind === 'basic') {
    secrets.push(basicCredentials(auth.username, auth.password), `${auth.username}:${auth.password}`);
    if (auth.password !== '') secrets.push(auth.password);
  }
  if (auth?.kind === 'oauth2-client-credentials') secrets.push(...clientSecretForms(auth));
  for (const [name, value] of Object.entries(config.headers)) {
    if (isSensitiveName(name)) secrets.push(value);
  }
  return secrets;
}
