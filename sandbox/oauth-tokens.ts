import { randomBytes } from 'node:crypto';

/** What a bearer token is worth: issued and unexpired, issued and expired, or never issued here. */
export type TokenCheck = 'valid' | 'expired' | 'unknown';

/** An issued access token. */
export interface IssuedToken {
  accessToken: string;
  /** When it stops working, in ms since the epoch. */
  expiresAt: number;
}

/** The opaque access tokens `POST /oauth/token` issued, each with its client and expiry. */
export interface OAuthTokenStore {
  issue(clientId: string, ttlSeconds: number): IssuedToken;
  /** A token is valid for the client it was issued to until its expiry (real clock). */
  check(accessToken: string, clientId: string): TokenCheck;
}

/** Tokens kept at most, so a long chaos run cannot grow the store without bound; the oldest go first. */
export const OAUTH_TOKEN_CAPACITY = 100_000;

/**
 * Creates an in-memory token store. Tokens are 32 random bytes (base64url): opaque, like a real
 * authorisation server's, and not drawn from the fault seed so issuing one never shifts the faults.
 * Expired tokens are kept (up to the capacity) so a client hears "expired", not "unknown".
 */
export function createOAuthTokenStore(
  now: () => number = Date.now,
  capacity = OAUTH_TOKEN_CAPACITY,
): OAuthTokenStore {
  const tokens = new Map<string, { clientId: string; expiresAt: number }>();
  return {
    issue(clientId, ttlSeconds) {
      const accessToken = randomBytes(32).toString('base64url');
      const expiresAt = now() + ttlSeconds * 1000;
      tokens.set(accessToken, { clientId, expiresAt });
      for (const oldest of tokens.keys()) {
        if (tokens.size <= capacity) break;
        tokens.delete(oldest);
      }
      return { accessToken, expiresAt };
    },
    check(accessToken, clientId) {
      const token = tokens.get(accessToken);
      if (!token || token.clientId !== clientId) return 'unknown';
      return now() < token.expiresAt ? 'valid' : 'expired';
    },
  };
}
