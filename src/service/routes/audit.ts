import { z } from 'zod';
import type { ServiceDeps } from '../app.ts';
import type { ServiceApp } from '../fastify-types.ts';
import { Id, Limit } from './params.ts';

export function registerAuditRoutes(app: ServiceApp, deps: ServiceDeps): void {
  const { store, audit } = deps.context;

  app.get(
    '/api/audit',
    {
      schema: {
        summary: 'Audit entries in order, from a sequence number',
        querystring: z.strictObject({
          runId: Id.optional(),
          type: z
            .string()
            .max(64)
            .regex(/^[a-z.-]+$/, 'an entry type or its prefix, e.g. change. or write.applied')
            .optional(),
          fromSeq: z.coerce.number().int().min(0).default(0),
          limit: Limit.default(100),
        }),
      },
    },
    async (request) => {
      const { runId, type, fromSeq, limit } = request.query;
      return store.readAudit({
        fromSeq,
        limit,
        ...(runId ? { runId } : {}),
        ...(type ? { typePrefix: type } : {}),
      });
    },
  );

  app.post(
    '/api/audit/verify',
    {
      schema: { summary: 'Checks the whole hash chain; names the first entry edited, missing or reordered' },
    },
    async () => audit.verify(),
  );
}
