import { z } from 'zod';
import { CHANGE_STATES } from '../../engine/change.ts';
import { ITEM_STATES, RUN_STATES, type Run } from '../../engine/run.ts';
import type { ServiceDeps } from '../app.ts';
import { HttpProblem } from '../errors.ts';
import type { ServiceApp } from '../fastify-types.ts';
import { lineageOf } from '../lineage.ts';
import { Id, Limit } from './params.ts';

const RunParams = z.strictObject({ id: Id });

export function registerRunRoutes(app: ServiceApp, deps: ServiceDeps): void {
  const { context, runs } = deps;
  const { store, engine } = context;
  const requireRun = async (id: string): Promise<Run> => {
    const run = await store.getRun(id);
    if (!run) throw new HttpProblem(404, 'not_found', `no run ${id}`);
    return run;
  };

  app.get(
    '/api/runs',
    {
      schema: {
        summary: 'Runs, newest first',
        querystring: z.strictObject({
          workflow: Id.optional(),
          state: z.enum(RUN_STATES).optional(),
          limit: Limit.default(50),
        }),
      },
    },
    async (request) => {
      const { workflow, state, limit } = request.query;
      return store.listRuns({
        limit,
        ...(workflow ? { workflow } : {}),
        ...(state ? { states: [state] } : {}),
      });
    },
  );

  app.get(
    '/api/runs/:id',
    { schema: { summary: 'A run with its counts', params: RunParams } },
    async (request) => {
      const run = await requireRun(request.params.id);
      return {
        run,
        items: await store.countItems(run.id),
        changes: await store.countChanges(run.id),
        busy: runs.busy(run.workflow),
      };
    },
  );

  app.post(
    '/api/runs/:id/cancel',
    {
      config: { role: 'operator' },
      schema: { summary: 'Stops a run before its next batch', params: RunParams },
    },
    async (request) => ({ run: await engine.cancel(request.params.id, request.caller?.name ?? 'anonymous') }),
  );

  app.post(
    '/api/runs/:id/apply',
    {
      config: { role: 'operator' },
      schema: { summary: "Applies the run's approved changes (in the background)", params: RunParams },
    },
    async (request, reply) => {
      const run = await requireRun(request.params.id);
      const workflow = context.workflow(run.workflow);
      if (run.policy === 'shadow')
        throw new HttpProblem(409, 'conflict', `run ${run.id} is a shadow run: it never writes`);
      if (run.state === 'running' || run.state === 'cancelled') {
        throw new HttpProblem(
          409,
          'conflict',
          `run ${run.id} is ${run.state}; only a planned run is applied`,
        );
      }
      runs.background(run.workflow, () => engine.apply(workflow, run.id));
      return reply.code(202).send({ run });
    },
  );

  app.post(
    '/api/runs/:id/revert',
    {
      config: { role: 'approver' },
      schema: { summary: "Undoes a run's applied changes; answers with the revert run", params: RunParams },
    },
    async (request, reply) => {
      const run = await requireRun(request.params.id);
      const workflow = context.workflow(run.workflow);
      const report = await runs.exclusive(run.workflow, () =>
        engine.revert(workflow, run.id, request.caller?.name ?? 'anonymous'),
      );
      return reply.code(202).send({ run: report.run });
    },
  );

  app.get(
    '/api/runs/:id/items',
    {
      schema: {
        summary: "A run's items",
        params: RunParams,
        querystring: z.strictObject({
          state: z.enum(ITEM_STATES).optional(),
          limit: Limit.default(100),
          offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
        }),
      },
    },
    async (request) => {
      await requireRun(request.params.id);
      const { state, limit, offset } = request.query;
      return store.listItems(request.params.id, { limit, offset, ...(state ? { state } : {}) });
    },
  );

  app.get(
    '/api/runs/:id/items/:recordId/lineage',
    {
      schema: {
        summary:
          "One record's way through a run: record, AI input and answer, change, approvals, write, audit",
        params: z.strictObject({ id: Id, recordId: Id }),
      },
    },
    async (request) => {
      const lineage = await lineageOf(store, request.params.id, request.params.recordId);
      if (!lineage)
        throw new HttpProblem(
          404,
          'not_found',
          `run ${request.params.id} has no item ${request.params.recordId}`,
        );
      return lineage;
    },
  );

  app.get(
    '/api/runs/:id/changes',
    {
      schema: {
        summary: "A run's changes, by id",
        params: RunParams,
        querystring: z.strictObject({
          state: z.enum(CHANGE_STATES).optional(),
          afterId: Id.optional(),
          limit: Limit.default(100),
        }),
      },
    },
    async (request) => {
      await requireRun(request.params.id);
      const { state, afterId, limit } = request.query;
      return store.listChanges(request.params.id, {
        limit,
        ...(state ? { states: [state] } : {}),
        ...(afterId ? { afterId } : {}),
      });
    },
  );
}
