import { Pool } from 'undici';
import { ErpError, isErpError } from '../../errors/index.ts';
import { clientSecretForms, requestToken, type TokenEndpoint } from './oauth2-token-request.ts';
import type { OAuth2ClientCredentials } from './rest-config.ts';

/**
 * Access tokens for one connection, from an OAuth 2.0 client credentials token endpoint: fetched
 * when first needed, cached with their expiry, refreshed shortly before they expire, and never
 * fetched twice at once — every caller that needs a new token shares the one request in flight.
 *
 * @example
 *   const tokens = createOAuth2TokenSource({ connector: 'erp', auth, tokenUrl, timeoutMs: 10_000 });
 *   const token = await tokens.token(signal);
 *   // … the ERP answers 401 to a request sent with `token`:
 *   tokens.invalidate(token);
 *   const fresh = await tokens.token(signal);
 */
export interface OAuth2TokenSource {
  /**
   * A token to send now: the cached one while it is fresh, else a new one (shared with every
   * concurrent caller). Between the refresh time and expiry a new one is fetched; if that fails
   * transiently, the still-valid token is used and the next attempt waits for half its remaining life.
   *
   * @param signal aborts this caller's wait, not the shared token request.
   * @throws ErpError from the token endpoint (see `requestToken`); the signal's reason on abort.
   */
  token(signal?: AbortSignal): Promise<string>;
  /**
   * Forgets `token` after the ERP refused it (401), so the next {@link token} call fetches a new
   * one. A token already replaced is left alone: when many requests fail with the same token, only
   * the first to report it causes a token request.
   */
  invalidate(token: string): void;
  /** Values never to print: the client secret in each form it travels in, and the latest tokens issued. */
  readonly secrets: readonly string[];
  /** Waits for a token request in flight, then closes the socket. Idempotent. */
  close(): Promise<void>;
}

/** What a token source needs. */
export interface OAuth2TokenSourceOptions {
  /** The connector's name in erpbridge.yaml, for messages. */
  connector: string;
  auth: OAuth2ClientCredentials;
  /** The token endpoint; see {@link resolveTokenUrl}. */
  tokenUrl: URL;
  /** Bound on each token request. */
  timeoutMs: number;
  /** Epoch milliseconds; `Date.now` unless a test drives time. */
  clock?: () => number;
}

/** When a cached token should be replaced, and when it stops working; epoch milliseconds. */
export interface TokenSchedule {
  refreshAt: number;
  expiresAt: number;
}

/** Tokens kept for redaction: the current one and a few before it, which an ERP may still echo. */
const REMEMBERED_TOKENS = 3;

/**
 * The token endpoint's URL: `tokenUrl` itself when absolute, else `tokenUrl` appended to
 * `baseUrl`'s path, as entity paths are (`/oauth/token` with baseUrl `http://h/erp` is
 * `http://h/erp/oauth/token`).
 */
export function resolveTokenUrl(tokenUrl: string, baseUrl: string): URL {
  if (!tokenUrl.startsWith('/')) return new URL(tokenUrl);
  const base = new URL(baseUrl);
  return new URL(`${base.pathname.replace(/\/+$/, '')}${tokenUrl}`, base.origin);
}

/**
 * When to refresh a token issued at `issuedAt` that lives `expiresInSeconds`: `refreshBeforeSeconds`
 * before it expires, or at half its life when it lives less than twice that (else a 1 s token with
 * the default 30 s margin would be fetched anew for every request). Undefined for an unknown
 * lifetime: such a token is kept until the ERP refuses it. Pure.
 *
 * @param issuedAt when the token was asked for, in epoch milliseconds: its lifetime counts from the
 *   request, so network delay cannot make us think it lives longer than it does.
 */
export function tokenSchedule(
  issuedAt: number,
  expiresInSeconds: number | undefined,
  refreshBeforeSeconds: number,
): TokenSchedule | undefined {
  if (expiresInSeconds === undefined) return undefined;
  const lifetimeMs = expiresInSeconds * 1000;
  const marginMs = Math.min(refreshBeforeSeconds * 1000, lifetimeMs / 2);
  return { refreshAt: issuedAt + lifetimeMs - marginMs, expiresAt: issuedAt + lifetimeMs };
}

interface CachedToken {
  value: string;
  /** Undefined: lifetime unknown, used until refused. */
  schedule: TokenSchedule | undefined;
}

/** Creates the token source of one connection. Opens no socket until the first {@link OAuth2TokenSource.token}. */
export function createOAuth2TokenSource(options: OAuth2TokenSourceOptions): OAuth2TokenSource {
  const { connector, auth, tokenUrl, timeoutMs } = options;
  const clock = options.clock ?? Date.now;
  // Its own pool: the token endpoint may live on another origin, and a token request must not wait
  // behind ERP requests for a connection.
  const pool = new Pool(tokenUrl.origin, {
    connections: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: { timeout: timeoutMs },
  });
  const endpoint: TokenEndpoint = { connector, auth, url: tokenUrl, timeoutMs };
  const secretForms = clientSecretForms(auth);
  const issued: string[] = [];
  let current: CachedToken | undefined;
  let inFlight: Promise<string> | undefined;
  let closing: Promise<void> | undefined;

  const secrets = (): string[] => [...secretForms, ...issued];

  const fetchToken = async (): Promise<CachedToken> => {
    const issuedAt = clock();
    const answer = await requestToken(pool, endpoint, secrets());
    issued.push(answer.accessToken);
    if (issued.length > REMEMBERED_TOKENS) issued.shift();
    return {
      value: answer.accessToken,
      schedule: tokenSchedule(issuedAt, answer.expiresInSeconds, auth.refreshBeforeExpirySeconds),
    };
  };

  /** A failed refresh: keeps a token that still works when the failure may pass, else rethrows. */
  const keepOrThrow = (previous: CachedToken | undefined, error: unknown): string => {
    const now = clock();
    const schedule = previous?.schedule;
    const stillCurrent = previous !== undefined && current === previous;
    if (
      !stillCurrent ||
      schedule === undefined ||
      now >= schedule.expiresAt ||
      !isErpError(error, 'transient', 'rate_limited')
    ) {
      throw error;
    }
    // The token endpoint is down but the token still works: use it rather than fail the ERP
    // request, and try again halfway to its expiry rather than on every request. Should the
    // endpoint stay down, the caller after expiry receives its error.
    current = {
      value: previous.value,
      schedule: { ...schedule, refreshAt: now + (schedule.expiresAt - now) / 2 },
    };
    return previous.value;
  };

  const refresh = (previous: CachedToken | undefined): Promise<string> => {
    inFlight ??= fetchToken()
      .then(
        (fresh) => {
          current = fresh;
          return fresh.value;
        },
        (error: unknown) => keepOrThrow(previous, error),
      )
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  return {
    async token(signal) {
      signal?.throwIfAborted();
      if (closing !== undefined) {
        throw new ErpError('permanent', `the token source of connection ${connector} is closed`, {
          connector,
        });
      }
      const cached = current;
      if (cached !== undefined && (cached.schedule === undefined || clock() < cached.schedule.refreshAt)) {
        return cached.value;
      }
      return abortable(refresh(cached), signal);
    },
    invalidate(token) {
      if (current?.value === token) current = undefined;
    },
    get secrets() {
      return secrets();
    },
    close() {
      closing ??= pool.close();
      return closing;
    },
  };
}

/** `promise`, or the signal's reason as soon as it aborts; the promise itself goes on for others. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
