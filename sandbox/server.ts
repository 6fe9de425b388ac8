import { setMaxListeners } from 'node:events';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { type ApiAccess, authorizeApiRequest } from './auth.ts';
import { trackConnections } from './connection-tracker.ts';
import type { ExpenseLineRepository } from './expense-lines/expense-line-repository.ts';
import { registerExpenseLineRoutes } from './expense-lines/routes.ts';
import { requestKindOf } from './fault-config.ts';
import type { FaultInjector, FaultLabel } from './fault-injector.ts';
import type { UrgencyLabel } from './hidden-rules.ts';
import { errorBody, errorCodeForStatus } from './http-errors.ts';
import { type AccountsPayable, registerAccountsPayableRoutes } from './invoices/routes.ts';
import type { OAuthTokenStore } from './oauth-tokens.ts';
import type { PatchOutcome, PatchRequest } from './purchase-order-patch.ts';
import type { PurchaseOrderRepository } from './purchase-order-repository.ts';
import { headerText } from './request-headers.ts';
import type { RequestLog } from './request-log.ts';
import { registerOAuthTokenRoute } from './routes/oauth-token.ts';
import { registerPurchaseOrderRoutes } from './routes/purchase-orders.ts';
import { registerSandboxAdminRoutes } from './routes/sandbox-admin.ts';
import { registerSandboxBuyerRoute } from './routes/sandbox-buyer.ts';
import { registerSandboxFaultRoutes } from './routes/sandbox-faults.ts';
import { registerSupplierRoutes } from './routes/suppliers.ts';
import { registerSoapRoutes, type SoapPersonality } from './soap/index.ts';
import type { SupplierRepository } from './supplier-repository.ts';

/** What the sandbox's HTTP app is built from. */
export interface SandboxAppDependencies {
  purchaseOrders: PurchaseOrderRepository;
  suppliers: SupplierRepository;
  patch: (request: PatchRequest) => PatchOutcome;
  truthLabels: () => Record<string, UrgencyLabel>;
  requestLog: RequestLog;
  /** The fault state; `createFaultInjector()` for none. */
  faults: FaultInjector;
  /** The tokens `POST /oauth/token` issues while the oauth fault is on. */
  oauthTokens: OAuthTokenStore;
  /** The static key `/api` takes while the oauth fault is off. */
  apiKey: string;
  today: string;
  logger: Logger;
  /** One log line per request, at info level. */
  logRequests: boolean;
  /** The SOAP personality served beside `/api` (sandbox/soap); none by default. */
  personality?: SoapPersonality | null;
  /** Invoices, goods receipts and price reviews (sandbox/invoices); not served when absent. */
  accountsPayable?: AccountsPayable;
  /** Expense lines to code and the chart of accounts (sandbox/expense-lines); not served when absent. */
  expenseLines?: ExpenseLineRepository;
}

const API_PREFIX = '/api/';

function isApiPath(url: string): boolean {
  return url.startsWith(API_PREFIX) || url === '/api' || url.startsWith('/api?');
}

function pathOf(url: string): string {
  const queryStart = url.indexOf('?');
  return queryStart === -1 ? url : url.slice(0, queryStart);
}

function queryRecord(query: unknown): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  if (typeof query !== 'object' || query === null) return record;
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === 'string') record[name] = value;
    else if (Array.isArray(value))
      record[name] = value.filter((item): item is string => typeof item === 'string');
  }
  return record;
}

function poNumberOf(request: FastifyRequest): string | null {
  const params: unknown = request.params;
  if (typeof params === 'object' && params !== null && 'po_number' in params) {
    return typeof params.po_number === 'string' ? params.po_number : null;
  }
  return null;
}

/** Waits `ms`, or less if the server starts closing, so a delayed request never holds up a close. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    }
    signal.addEventListener('abort', finish, { once: true });
  });
}

/** Resolves once the socket is closed (at once if it already is). */
function closed(socket: Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

/**
 * Builds the sandbox's Fastify app: auth on `/api/*` (the API key, or issued tokens under the
 * oauth fault), the faults, the routes, JSON error bodies for every failure, and the request log
 * (every `/api/*` attempt, recorded when its response is sent — or, for one that is never
 * answered, when that was decided).
 *
 * Per `/api` request, in this order: auth/oauth → maintenance → rate limit, bursts429 → hangs,
 * resets, errors (the handler never runs) → degradation, latency → the handler → lostAnswers
 * (writes only, after the commit).
 */
export function buildSandboxApp(dependencies: SandboxAppDependencies): FastifyInstance {
  const { requestLog, logger, apiKey, faults, oauthTokens } = dependencies;
  const app = Fastify({ logger: false, forceCloseConnections: 'idle' });
  const connections = trackConnections(app.server);
  const closing = new AbortController();
  // Every delayed request listens for the close, and each removes its listener when its delay
  // ends: the count is bounded by the requests in flight, not a leak, so Node's warning at 11 is not.
  setMaxListeners(0, closing.signal);
  const applied = new WeakSet<FastifyRequest>();
  const faultOf = new WeakMap<FastifyRequest, FaultLabel>();
  const reachedHandler = new WeakSet<FastifyRequest>();
  const logged = new WeakSet<FastifyRequest>();

  const logRequest = (request: FastifyRequest, reply: FastifyReply, status: number) => {
    if (logged.has(request)) return;
    logged.add(request);
    const durationMs = Math.round(reply.elapsedTime * 1000) / 1000;
    const fault = faultOf.get(request) ?? null;
    if (isApiPath(request.url)) {
      requestLog.record({
        at: new Date(Date.now() - reply.elapsedTime).toISOString(),
        method: request.method,
        path: pathOf(request.url),
        query: queryRecord(request.query),
        status,
        durationMs,
        idempotencyKey: headerText(request.headers['idempotency-key']),
        applied: applied.has(request),
        poNumber: poNumberOf(request),
        fault,
      });
    }
    if (dependencies.logRequests) {
      logger.info({ method: request.method, url: request.url, status, durationMs, fault }, 'request');
    }
  };

  /** Logs a request that gets no answer, at the moment that was decided. */
  const logUnanswered = (request: FastifyRequest, reply: FastifyReply, fault: FaultLabel) => {
    faultOf.set(request, fault);
    logRequest(request, reply, 0);
  };

  // Clients write with `application/merge-patch+json` as often as with `application/json`.
  app.addContentTypeParser(
    'application/merge-patch+json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );

  app.addHook('onRequest', async (request, reply) => {
    if (!isApiPath(request.url)) return;
    // A client that gives up first (say, during an injected delay) gets no answer: log it anyway.
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) logRequest(request, reply, 0);
    });
    const oauth = faults.oauth;
    const access: ApiAccess = oauth
      ? { kind: 'oauth', checkToken: (token) => oauthTokens.check(token, oauth.clientId) }
      : { kind: 'api-key', apiKey };
    const verdict = authorizeApiRequest(request.headers.authorization, access);
    if (verdict.kind === 'denied') {
      if (verdict.fault !== null) faultOf.set(request, verdict.fault);
      reply
        .code(401)
        .header('www-authenticate', verdict.challenge)
        .send(errorBody('unauthorized', verdict.message));
      return reply;
    }
    const admission = faults.admit(requestKindOf(request.method));
    switch (admission.kind) {
      case 'refuse':
        faultOf.set(request, admission.fault);
        reply.code(admission.status).headers(admission.headers).send(admission.body);
        return reply;
      case 'hang':
        reply.hijack();
        logUnanswered(request, reply, admission.fault);
        connections.hold(request.raw.socket);
        return reply;
      case 'reset':
        reply.hijack();
        logUnanswered(request, reply, admission.fault);
        request.raw.socket.resetAndDestroy();
        return reply;
      case 'proceed':
        reply.raw.once('close', () => faults.release());
        if (admission.delayMs > 0) await delay(admission.delayMs, closing.signal);
        // The client gave up during the delay: like a server that notices, skip the handler, so
        // what was logged (status 0, not applied) stays true.
        if (request.raw.socket.destroyed) {
          reply.hijack();
          return reply;
        }
        return undefined;
    }
  });

  app.addHook('preHandler', (request, _reply, done) => {
    if (isApiPath(request.url)) reachedHandler.add(request);
    done();
  });

  // Lost answers: the handler has run and committed; only the answer goes missing.
  app.addHook('onSend', async (request, reply, payload) => {
    if (!reachedHandler.has(request)) return payload;
    const lost = faults.loseAnswer(requestKindOf(request.method));
    if (lost === null) return payload;
    const { socket } = request.raw;
    switch (lost) {
      case '502':
        faultOf.set(request, 'lost-502');
        reply.removeHeader('etag');
        reply.removeHeader('idempotent-replayed');
        reply.code(502).type('application/json; charset=utf-8');
        return JSON.stringify(
          errorBody('bad_gateway', 'the gateway lost the ERP’s answer (sandbox fault lostAnswers)'),
        );
      case 'reset':
        logUnanswered(request, reply, 'lost-reset');
        socket.resetAndDestroy();
        await closed(socket);
        return payload;
      case 'hang':
        logUnanswered(request, reply, 'lost-hang');
        connections.hold(socket);
        await closed(socket);
        return payload;
    }
  });

  app.addHook('onResponse', (request, reply, done) => {
    logRequest(request, reply, reply.statusCode);
    done();
  });

  app.addHook('preClose', (done) => {
    closing.abort();
    connections.destroyHeldAndIdle();
    done();
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    const statusCode =
      typeof error === 'object' && error !== null && 'statusCode' in error ? error.statusCode : null;
    const status = typeof statusCode === 'number' && statusCode >= 400 && statusCode < 600 ? statusCode : 500;
    const message = error instanceof Error ? error.message : String(error);
    if (status >= 500) {
      logger.error({ err: error, method: request.method, url: request.url }, 'sandbox request failed');
      reply.code(status).send(errorBody('internal', `the sandbox failed: ${message}`));
      return;
    }
    reply.code(status).send(errorBody(errorCodeForStatus(status), message));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody('not_found', `no route ${request.method} ${pathOf(request.url)}`));
  });

  registerPurchaseOrderRoutes(app, {
    purchaseOrders: dependencies.purchaseOrders,
    patch: dependencies.patch,
    markApplied: (request) => applied.add(request),
  });
  registerSupplierRoutes(app, dependencies.suppliers);
  if (dependencies.accountsPayable) {
    registerAccountsPayableRoutes(app, {
      accountsPayable: dependencies.accountsPayable,
      markApplied: (request) => applied.add(request),
    });
  }
  if (dependencies.expenseLines) {
    registerExpenseLineRoutes(app, {
      expenseLines: dependencies.expenseLines,
      markApplied: (request) => applied.add(request),
    });
  }
  registerSandboxAdminRoutes(app, {
    requestLog,
    truthLabels: dependencies.truthLabels,
    openOrders: dependencies.purchaseOrders.count('OPEN'),
    today: dependencies.today,
  });
  registerSandboxBuyerRoute(app, {
    purchaseOrders: dependencies.purchaseOrders,
    truthLabels: dependencies.truthLabels,
  });
  registerSandboxFaultRoutes(app, faults);
  registerOAuthTokenRoute(app, { oauth: () => faults.oauth, tokens: oauthTokens });
  registerSoapRoutes(app, {
    personality: dependencies.personality ?? null,
    requestLog,
    faults,
    connections,
    closing: closing.signal,
    logger,
  });
  return app;
}
