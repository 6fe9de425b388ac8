import type { FastifyInstance } from 'fastify';
import type { ResolvedFaults } from '../fault-config.ts';
import { errorBody } from '../http-errors.ts';
import type { OAuthTokenStore } from '../oauth-tokens.ts';

/** What `POST /oauth/token` needs. */
export interface OAuthTokenRouteDependencies {
  /** The active OAuth settings; null while the oauth fault is off. */
  oauth: () => ResolvedFaults['oauth'];
  tokens: OAuthTokenStore;
}

/** An OAuth 2 error answer (RFC 6749 §5.2): `{"error": code, "error_description": ...}`. */
interface OAuthError {
  status: 400 | 401;
  error: 'invalid_request' | 'invalid_client' | 'unsupported_grant_type';
  description: string;
}

type ClientCredentials =
  | { kind: 'given'; clientId: string; clientSecret: string }
  | { kind: 'refused'; failure: OAuthError };

const invalidRequest = (description: string): OAuthError => ({
  status: 400,
  error: 'invalid_request',
  description,
});

const invalidClient: OAuthError = {
  status: 401,
  error: 'invalid_client',
  description: 'unknown client or wrong secret',
};

function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch (error) {
    if (error instanceof URIError) return null;
    throw error;
  }
}

function textParameter(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The client's id and secret, from HTTP Basic (each part form-encoded, RFC 6749 §2.3.1) or from
 * `client_id`/`client_secret` in the body; using both is an invalid request.
 */
function clientCredentials(
  authorization: string | undefined,
  body: Record<string, unknown>,
): ClientCredentials {
  const bodyId = textParameter(body, 'client_id');
  const bodySecret = textParameter(body, 'client_secret');
  const basic = authorization === undefined ? null : /^basic\s+(\S+)$/i.exec(authorization.trim());
  if (basic?.[1] !== undefined) {
    if (bodySecret !== undefined) {
      return { kind: 'refused', failure: invalidRequest('use one client authentication method, not two') };
    }
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const clientId = colon === -1 ? null : formDecode(decoded.slice(0, colon));
    const clientSecret = colon === -1 ? null : formDecode(decoded.slice(colon + 1));
    if (clientId === null || clientSecret === null) {
      return { kind: 'refused', failure: invalidRequest('malformed HTTP Basic client credentials') };
    }
    return { kind: 'given', clientId, clientSecret };
  }
  if (bodyId === undefined || bodySecret === undefined) {
    return {
      kind: 'refused',
      failure: {
        ...invalidClient,
        description: 'no client credentials: use HTTP Basic or client_id and client_secret',
      },
    };
  }
  return { kind: 'given', clientId: bodyId, clientSecret: bodySecret };
}

/**
 * `POST /oauth/token`: the OAuth 2 client-credentials grant, while the oauth fault is on (404
 * otherwise). Takes a form (`application/x-www-form-urlencoded`) or JSON body, and HTTP Basic or
 * body client authentication; answers `{access_token, token_type: "Bearer", expires_in}` with
 * `Cache-Control: no-store`. Errors are RFC 6749 bodies: 400 `invalid_request` or
 * `unsupported_grant_type`, 401 `invalid_client` (with `WWW-Authenticate: Basic`).
 */
export function registerOAuthTokenRoute(app: FastifyInstance, dependencies: OAuthTokenRouteDependencies) {
  // Encapsulated, so the form parser serves this route only and `/api` keeps refusing forms with 415.
  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      },
    );

    scope.post('/oauth/token', (request, reply) => {
      const oauth = dependencies.oauth();
      if (oauth === null) {
        reply
          .code(404)
          .send(
            errorBody(
              'not_found',
              'OAuth is off; turn it on with the oauth fault (startSandbox faults, --faults or POST /_sandbox/faults)',
            ),
          );
        return;
      }
      const fail = (failure: OAuthError) => {
        if (failure.status === 401) reply.header('www-authenticate', 'Basic realm="sandbox"');
        reply
          .code(failure.status)
          .header('cache-control', 'no-store')
          .send({ error: failure.error, error_description: failure.description });
      };
      const body: unknown = request.body ?? {};
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        fail(invalidRequest('the body must be a form or a JSON object'));
        return;
      }
      const parameters = Object.fromEntries(Object.entries(body));
      const credentials = clientCredentials(request.headers.authorization, parameters);
      if (credentials.kind === 'refused') {
        fail(credentials.failure);
        return;
      }
      if (credentials.clientId !== oauth.clientId || credentials.clientSecret !== oauth.clientSecret) {
        fail(invalidClient);
        return;
      }
      const grantType = textParameter(parameters, 'grant_type');
      if (grantType === undefined) {
        fail(invalidRequest('grant_type is required; this server supports client_credentials'));
        return;
      }
      if (grantType !== 'client_credentials') {
        fail({
          status: 400,
          error: 'unsupported_grant_type',
          description: `grant_type "${grantType}" is not supported; use client_credentials`,
        });
        return;
      }
      const issued = dependencies.tokens.issue(oauth.clientId, oauth.tokenTtlSeconds);
      reply
        .header('cache-control', 'no-store')
        .header('pragma', 'no-cache')
        .send({ access_token: issued.accessToken, token_type: 'Bearer', expires_in: oauth.tokenTtlSeconds });
    });
  });
}
