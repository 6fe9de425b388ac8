import { timingSafeEqual } from 'node:crypto';
import type { TokenCheck } from './oauth-tokens.ts';

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or null. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1] ?? null;
}

/** Whether an `Authorization` header carries `Bearer <apiKey>` (scheme case-insensitive). */
export function isAuthorized(header: string | undefined, apiKey: string): boolean {
  const token = bearerToken(header);
  if (token === null) return false;
  const given = Buffer.from(token);
  const expected = Buffer.from(apiKey);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** How `/api` checks its callers: the static API key, or (with the oauth fault) issued tokens only. */
export type ApiAccess =
  | { kind: 'api-key'; apiKey: string }
  | { kind: 'oauth'; checkToken: (accessToken: string) => TokenCheck };

/** The verdict on an `/api` request's credentials. */
export type ApiAuthorization =
  | { kind: 'allowed' }
  | {
      kind: 'denied';
      /** For the request log: why a token was refused; null for a missing or wrong static key. */
      fault: 'token-expired' | 'token-invalid' | null;
      /** The `WWW-Authenticate` header. */
      challenge: string;
      message: string;
    };

/**
 * Checks an `/api` request's `Authorization` header. Under OAuth every refusal carries
 * `WWW-Authenticate: Bearer error="invalid_token"`, the signal for a client to fetch a new token.
 */
export function authorizeApiRequest(header: string | undefined, access: ApiAccess): ApiAuthorization {
  if (access.kind === 'api-key') {
    if (isAuthorized(header, access.apiKey)) return { kind: 'allowed' };
    return {
      kind: 'denied',
      fault: null,
      challenge: 'Bearer realm="sandbox"',
      message: 'missing or wrong API key; send the header "Authorization: Bearer <api key>"',
    };
  }
  const challenge = 'Bearer error="invalid_token"';
  const token = bearerToken(header);
  if (token === null) {
    return {
      kind: 'denied',
      fault: null,
      challenge,
      message:
        'missing access token; get one from POST /oauth/token and send "Authorization: Bearer <token>"',
    };
  }
  const check = access.checkToken(token);
  if (check === 'valid') return { kind: 'allowed' };
  return check === 'expired'
    ? {
        kind: 'denied',
        fault: 'token-expired',
        challenge,
        message: 'the access token expired; get a new one from POST /oauth/token',
      }
    : {
        kind: 'denied',
        fault: 'token-invalid',
        challenge,
        message:
          'unknown access token (OAuth is on, so the API key no longer works); get one from POST /oauth/token',
      };
}
