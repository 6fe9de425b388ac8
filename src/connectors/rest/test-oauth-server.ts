import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * An OAuth 2.0 authorization server and the small ERP API it protects, for the rest connector's
 * tests, on 127.0.0.1 and a free port. The token endpoint follows the sandbox's contract:
 * `POST /oauth/token`, client_credentials, a form or JSON body, client credentials by HTTP Basic
 * (form-urlencoded first, RFC 6749 §2.3.1) or in the body, answering
 * `{ access_token, token_type: 'Bearer', expires_in }`.
 *
 * Under `/api` every request wants a live `Bearer` token it issued, else 401 — which echoes the
 * Authorization header, as careless ERPs do, so the connector's redaction is put to the test.
 */

/** Options of {@link startTestOAuthServer}. */
export interface TestOAuthServerOptions {
  /** Seconds a token lives, sent as `expires_in`; null sends no `expires_in` (tokens never expire). Default 1. */
  ttlSeconds?: number | null;
  /** Delay before answering a token request, so concurrent callers overlap. Default 0. */
  tokenDelayMs?: number;
  /**
   * Tokens stop working this many milliseconds before `expires_in` says, as when the server's clock
   * runs ahead of the client's. Default 0.
   */
  expiryLeadMs?: number;
  /** Epoch milliseconds; `Date.now` unless a test drives time. */
  clock?: () => number;
}

/** One request the token endpoint received. */
export interface TestTokenRequest {
  /** How the client authenticated, or `none`. */
  clientAuth: 'basic' | 'body' | 'none';
  /** The body's fields, from a form or JSON. */
  form: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
}

/** One request to the protected API. */
export interface TestApiRequest {
  method: string;
  url: string;
  /** The bearer token it carried, if any. */
  token: string | undefined;
  /** The status it was answered with. */
  status: number;
}

export interface TestOAuthServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  clientId: string;
  /** Contains `:`, `+`, `/`, `%` and a space, so that form-urlencoding matters. */
  clientSecret: string;
  tokenRequests: TestTokenRequest[];
  apiRequests: TestApiRequest[];
  /** Purchase orders by number; PATCHes change them. */
  purchaseOrders: Map<string, { po_number: string; status: string; amount: number }>;
  /** PATCHes that changed a record. */
  writesApplied: number;
  /** Answer token requests with this status (and an OAuth error body) until set back to undefined. */
  tokenFailure: number | undefined;
  /** Refuse every token under `/api`, live or not: the API wants something no token gives. */
  refuseAllTokens: boolean;
  /** Revokes every token issued so far, before it expires. */
  revokeAll(): void;
  /** Number of 401 answers the API gave. */
  readonly unauthorized: number;
  close(): Promise<void>;
}

/** Starts the server with purchase orders PO-1…PO-5. */
export async function startTestOAuthServer(options: TestOAuthServerOptions = {}): Promise<TestOAuthServer> {
  const ttlSeconds = options.ttlSeconds === undefined ? 1 : options.ttlSeconds;
  const clock = options.clock ?? Date.now;
  const clientId = 'erpbridge-test';
  const clientSecret = 'cs:+/%2F secret-9b1e';
  /** Live tokens and when they expire (Infinity: never). */
  const tokens = new Map<string, number>();
  const purchaseOrders = new Map(
    [1, 2, 3, 4, 5].map((index) => [
      `PO-${index}`,
      { po_number: `PO-${index}`, status: 'open', amount: index * 100 },
    ]),
  );

  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  const server: TestOAuthServer = {
    url: '',
    clientId,
    clientSecret,
    tokenRequests: [],
    apiRequests: [],
    purchaseOrders,
    writesApplied: 0,
    tokenFailure: undefined,
    refuseAllTokens: false,
    revokeAll: () => tokens.clear(),
    get unauthorized() {
      return server.apiRequests.filter((request) => request.status === 401).length;
    },
    close: () => app.close(),
  };

  app.post('/oauth/token', async (request, reply) => {
    const form = stringFields(request.body);
    const basic = basicCredentials(request.headers.authorization);
    const bodyAuth = form.client_id !== undefined || form.client_secret !== undefined;
    server.tokenRequests.push({
      clientAuth: basic !== undefined ? 'basic' : bodyAuth ? 'body' : 'none',
      form,
      headers: request.headers,
    });
    if (options.tokenDelayMs) await new Promise((resolve) => setTimeout(resolve, options.tokenDelayMs));
    reply.header('cache-control', 'no-store');
    if (server.tokenFailure !== undefined) {
      return reply.code(server.tokenFailure).send({ error: 'temporarily_unavailable' });
    }
    if (basic !== undefined && bodyAuth) {
      return reply
        .code(400)
        .send({ error: 'invalid_request', error_description: 'more than one client auth' });
    }
    const given = basic ?? { id: form.client_id, secret: form.client_secret };
    if (given.id !== clientId || given.secret !== clientSecret) {
      // Echoes what it got, as careless servers do: the connector must not repeat it.
      const body = {
        error: 'invalid_client',
        error_description: `unknown client ${given.id ?? '?'} with secret ${given.secret ?? '?'}`,
      };
      return basic === undefined
        ? reply.code(400).send(body)
        : reply.code(401).header('www-authenticate', 'Basic realm="erp"').send(body);
    }
    if (form.grant_type !== 'client_credentials') {
      return reply.code(400).send({ error: 'unsupported_grant_type' });
    }
    const token = `at-${randomBytes(12).toString('hex')}`;
    const lead = options.expiryLeadMs ?? 0;
    tokens.set(token, ttlSeconds === null ? Number.POSITIVE_INFINITY : clock() + ttlSeconds * 1000 - lead);
    return {
      access_token: token,
      token_type: 'Bearer',
      ...(ttlSeconds === null ? {} : { expires_in: ttlSeconds }),
      ...(form.scope === undefined ? {} : { scope: form.scope }),
    };
  });

  const authorised = async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
    const expiresAt = token === undefined ? undefined : tokens.get(token);
    const live = expiresAt !== undefined && clock() < expiresAt && !server.refuseAllTokens;
    server.apiRequests.push({ method: request.method, url: request.url, token, status: live ? 200 : 401 });
    if (!live) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer error="invalid_token"')
        .send({ error: `invalid token: ${header ?? 'none'}` });
    }
  };

  app.register(async (api) => {
    api.addHook('onRequest', authorised);
    api.get('/api/purchase_orders', async () => ({
      data: [...purchaseOrders.values()],
      total: purchaseOrders.size,
    }));
    api.get<{ Params: { key: string } }>('/api/purchase_orders/:key', async (request, reply) => {
      const order = purchaseOrders.get(request.params.key);
      return order === undefined ? reply.code(404).send({ error: 'no such order' }) : order;
    });
    api.patch<{ Params: { key: string }; Body: { amount?: number } }>(
      '/api/purchase_orders/:key',
      async (request, reply) => {
        const order = purchaseOrders.get(request.params.key);
        if (order === undefined) return reply.code(404).send({ error: 'no such order' });
        const updated = { ...order, ...request.body, po_number: order.po_number };
        purchaseOrders.set(order.po_number, updated);
        server.writesApplied++;
        return updated;
      },
    );
  });

  server.url = await app.listen({ host: '127.0.0.1', port: 0 });
  return server;
}

/** A body's string fields, whether it came as a form or as JSON. */
function stringFields(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null) return {};
  return Object.fromEntries(
    Object.entries(body).flatMap(([key, value]) => (typeof value === 'string' ? [[key, value]] : [])),
  );
}

/** HTTP Basic client credentials, each part form-urldecoded (RFC 6749 §2.3.1). */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const formDecode = (part: string) => decodeURIComponent(part.replaceAll('+', ' '));
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}
