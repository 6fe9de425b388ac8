import { z } from 'zod';
import type { ServiceDeps } from '../app.ts';
import type { ServiceApp } from '../fastify-types.ts';

export function registerHealthRoutes(app: ServiceApp, deps: ServiceDeps): void {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: { summary: 'The process is up', response: { 200: z.object({ status: z.literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    { config: { public: true }, schema: { summary: 'The store answers; 503 when it does not' } },
    async (_request, reply) => {
      try {
        await deps.context.store.listRuns({ limit: 1 });
        return { status: 'ready' };
      } catch (error) {
        return reply.code(503).send({
          error: 'not_ready',
          message: `the store does not answer: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    },
  );
}
