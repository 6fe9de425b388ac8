import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { isAuthorized } from './auth.ts';
import type { UrgencyLabel } from './hidden-rules.ts';
import { errorBody, errorCodeForStatus } from './http-errors.ts';
import type { PatchOutcome, PatchRequest } from './purchase-order-patch.ts';
import type { PurchaseOrderRepository } from './purchase-order-repository.ts';
import { headerText } from './request-headers.ts';
import type { RequestLog } from './request-log.ts';
import { registerPurchaseOrderRoutes } from './routes/purchase-orders.ts';
import { registerSandboxAdminRoutes } from './routes/sandbox-admin.ts';
import { registerSupplierRoutes } from './routes/suppliers.ts';
import type { SupplierRepository } from './supplier-repository.ts';

/** What the sandbox's HTTP app is built from. */
export interface SandboxAppDependencies {
  purchaseOrders: PurchaseOrderRepository;
  suppliers: SupplierRepository;
  patch: (request: PatchRequest) => PatchOutcome;
  truthLabels: () => Record<string, UrgencyLabel>;
  requestLog: RequestLog;
  apiKey: string;
  today: string;
  logger: Logger;
  /** One log line per request, at info level. */
  logRequests: boolean;
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

/**
 * Builds the sandbox's Fastify app: bearer auth on `/api/*`, the routes, JSON error bodies for
 * every failure, and the request log (every `/api/*` request, recorded when its response is sent).
 */
export function buildSandboxApp(dependencies: SandboxAppDependencies): FastifyInstance {
  const { requestLog, logger, apiKey } = dependencies;
  const app = Fastify({ logger: false, forceCloseConnections: 'idle' });
  const applied = new WeakSet<FastifyRequest>();

  // Clients write with `application/merge-patch+json` as often as with `application/json`.
  app.addContentTypeParser(
    'application/merge-patch+json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );

  app.addHook('onRequest', (request, reply, done) => {
    if (isApiPath(request.url) && !isAuthorized(request.headers.authorization, apiKey)) {
      reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="sandbox"')
        .send(
          errorBody(
            'unauthorized',
            'missing or wrong API key; send the header "Authorization: Bearer <api key>"',
          ),
        );
      return;
    }
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    const durationMs = Math.round(reply.elapsedTime * 1000) / 1000;
    if (isApiPath(request.url)) {
      requestLog.record({
        at: new Date(Date.now() - reply.elapsedTime).toISOString(),
        method: request.method,
        path: pathOf(request.url),
        query: queryRecord(request.query),
        status: reply.statusCode,
        durationMs,
        idempotencyKey: headerText(request.headers['idempotency-key']),
        applied: applied.has(request),
        poNumber: poNumberOf(request),
      });
    }
    if (dependencies.logRequests) {
      logger.info(
        { method: request.method, url: request.url, status: reply.statusCode, durationMs },
        'request',
      );
    }
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
  registerSandboxAdminRoutes(app, {
    requestLog,
    truthLabels: dependencies.truthLabels,
    openOrders: dependencies.purchaseOrders.count('OPEN'),
    today: dependencies.today,
  });
  return app;
}
