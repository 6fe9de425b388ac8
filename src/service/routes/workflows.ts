import { z } from 'zod';
import { IsoDate } from '../../canonical/purchase-order.ts';
import type { ServiceDeps } from '../app.ts';
import type { ServiceApp } from '../fastify-types.ts';
import { Id } from './params.ts';

const StartRun = z.strictObject({
  /** Plan only (the default): nothing is written. */
  dryRun: z.boolean().default(true),
  asOf: IsoDate.optional(),
});

export function registerWorkflowRoutes(app: ServiceApp, deps: ServiceDeps): void {
  const { context, runs } = deps;

  app.get('/api/workflows', { schema: { summary: 'Workflows with their policy and last run' } }, async () => {
    const workflows = Object.entries(context.loaded.config.workflows);
    return Promise.all(
      workflows.map(async ([name, config]) => {
        const [lastRun] = await context.store.listRuns({ workflow: name, limit: 1 });
        return {
          name,
          description: config.description ?? null,
          connector: config.connector,
          task: config.task,
          policy: config.policy,
          triggers: {
            schedule: config.triggers?.schedule?.cron ?? null,
            nextScheduled: deps.nextScheduled(name)?.toISOString() ?? null,
            webhook: config.triggers?.webhook !== undefined,
          },
          busy: runs.busy(name),
          lastRun: lastRun ?? null,
        };
      }),
    );
  });

  app.post(
    '/api/workflows/:name/runs',
    {
      config: { role: 'operator' },
      schema: {
        summary: 'Starts a run (a dry run unless dryRun is false); it goes on in the background',
        params: z.strictObject({ name: Id }),
        body: StartRun.prefault({}),
      },
    },
    async (request, reply) => {
      const run = await runs.start({
        workflow: request.params.name,
        dryRun: request.body.dryRun,
        ...(request.body.asOf ? { asOf: request.body.asOf } : {}),
        requestedBy: request.caller?.name ?? 'anonymous',
        trigger: 'api',
      });
      return reply.code(202).send({ run });
    },
  );
}
