import type { FastifyInstance } from 'fastify';
import type { UrgencyLabel } from '../hidden-rules.ts';
import { errorBody } from '../http-errors.ts';
import { queryValue } from '../paging.ts';
import type { RequestLog } from '../request-log.ts';

/** What the `/_sandbox/*` routes need. */
export interface SandboxAdminDependencies {
  requestLog: RequestLog;
  /** The hidden-rule labels of the open orders; read once, on first use. */
  truthLabels: () => Record<string, UrgencyLabel>;
  openOrders: number;
  today: string;
}

/**
 * The sandbox's own routes, outside `/api` and without auth: health, the hidden truth (for
 * evaluation only) and the request log.
 */
export function registerSandboxAdminRoutes(app: FastifyInstance, dependencies: SandboxAdminDependencies) {
  const { requestLog, openOrders, today } = dependencies;
  let labels: Record<string, UrgencyLabel> | undefined;

  app.get('/_sandbox/health', (_request, reply) => {
    reply.send({ ok: true, orders: openOrders, today });
  });

  app.get('/_sandbox/truth', (_request, reply) => {
    labels ??= dependencies.truthLabels();
    reply.send({ labels });
  });

  app.get('/_sandbox/requests', (request, reply) => {
    const since = queryValue(request.query, 'since');
    const method = queryValue(request.query, 'method');
    if (since.kind === 'repeated' || method.kind === 'repeated') {
      reply.code(400).send(errorBody('bad_request', 'since and method may each be given once'));
      return;
    }
    if (since.kind === 'value' && !/^\d+$/.test(since.value)) {
      reply.code(400).send(errorBody('bad_request', `since must be a request id, got "${since.value}"`));
      return;
    }
    const requests = requestLog.list({
      since: since.kind === 'value' ? Number(since.value) : undefined,
      method: method.kind === 'value' ? method.value : undefined,
    });
    reply.send({ requests });
  });

  app.delete('/_sandbox/requests', (_request, reply) => {
    const cleared = requestLog.size;
    requestLog.clear();
    reply.send({ cleared });
  });
}
