import { z } from 'zod';
import type { ServiceDeps } from '../app.ts';
import { HttpProblem } from '../errors.ts';
import type { ServiceApp } from '../fastify-types.ts';
import { Id, Limit } from './params.ts';

const Decision = z.strictObject({
  /** Edit before approving: new values for fields the change writes, e.g. `{ "priority": "high" }`. */
  after: z.record(z.string().max(64), z.unknown()).optional(),
  comment: z.string().max(2000).optional(),
});

export function registerChangeRoutes(app: ServiceApp, deps: ServiceDeps): void {
  const { context, runs } = deps;
  const { store, engine } = context;

  app.get(
    '/api/approvals',
    {
      schema: {
        summary: 'The approvals inbox: pending changes of every run, oldest first',
        querystring: z.strictObject({ limit: Limit.default(100), after: Id.optional() }),
      },
    },
    async (request) => {
      const { limit, after } = request.query;
      return store.listChangesByState({ state: 'pending', limit, ...(after ? { after } : {}) });
    },
  );

  app.get(
    '/api/changes/:id',
    { schema: { summary: 'One change', params: z.strictObject({ id: Id }) } },
    async (request) => {
      const change = await store.getChange(request.params.id);
      if (!change) throw new HttpProblem(404, 'not_found', `no change ${request.params.id}`);
      return change;
    },
  );

  for (const verdict of ['approve', 'reject'] as const) {
    app.post(
      `/api/changes/:id/${verdict}`,
      {
        config: { role: 'approver' },
        schema: {
          summary:
            verdict === 'approve'
              ? 'Approves a pending change, optionally after editing it; four-eyes and own-change rules apply'
              : 'Rejects a pending change',
          params: z.strictObject({ id: Id }),
          body: Decision.prefault({}),
        },
      },
      async (request) => {
        const existing = await store.getChange(request.params.id);
        if (!existing) throw new HttpProblem(404, 'not_found', `no change ${request.params.id}`);
        const run = await store.getRun(existing.runId);
        if (!run) throw new HttpProblem(404, 'not_found', `no run ${existing.runId}`);
        if (verdict === 'reject' && request.body.after !== undefined) {
          throw new HttpProblem(400, 'invalid_request', 'a rejection takes no edited values');
        }
        const workflow = context.workflow(run.workflow);
        const change = await engine.decideChange(workflow, existing.id, {
          verdict,
          by: request.caller?.name ?? 'anonymous',
          ...(request.body.after ? { after: request.body.after } : {}),
          comment: request.body.comment ?? null,
        });
        // A run started to write (not a dry run) writes what people approve, at once.
        const applies = change.state === 'approved' && !run.dryRun && run.policy !== 'shadow';
        if (applies) runs.background(run.workflow, () => engine.apply(workflow, run.id));
        return { change, applying: applies };
      },
    );
  }
}
