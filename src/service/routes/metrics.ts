import type { ServiceDeps } from '../app.ts';
import type { ServiceApp } from '../fastify-types.ts';

export function registerMetricsRoutes(app: ServiceApp, deps: ServiceDeps): void {
  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics (text format); scrape with a viewer token' } },
    async (_request, reply) => reply.type(deps.metrics.contentType).send(await deps.metrics.render()),
  );
}
