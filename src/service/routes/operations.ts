import { z } from 'zod';
import type { ServiceDeps } from '../app.ts';
import { HttpProblem } from '../errors.ts';
import type { ServiceApp } from '../fastify-types.ts';
import { Id } from './params.ts';

/** Dead letters, eval figures, and the seed's middleware endpoint. */
export function registerOperationRoutes(app: ServiceApp, deps: ServiceDeps): void {
  const { context, runs } = deps;
  const { store, engine } = context;

  app.get(
    '/api/dead-letters',
    {
      schema: {
        summary: 'Dead letters not replayed yet',
        querystring: z.strictObject({
          runId: Id.optional(),
          includeReplayed: z.coerce.boolean().default(false),
        }),
      },
    },
    async (request) =>
      store.listDeadLetters({
        includeReplayed: request.query.includeReplayed,
        ...(request.query.runId ? { runId: request.query.runId } : {}),
      }),
  );

  app.post(
    '/api/dead-letters/retry',
    {
      config: { role: 'operator' },
      schema: {
        summary: "Replays a run's dead letters (all, or the ids given) from the start of their pipeline",
        body: z.strictObject({ runId: Id, ids: z.array(Id).min(1).max(10_000).optional() }),
      },
    },
    async (request, reply) => {
      const run = await store.getRun(request.body.runId);
      if (!run) throw new HttpProblem(404, 'not_found', `no run ${request.body.runId}`);
      const workflow = context.workflow(run.workflow);
      const report = await runs.exclusive(run.workflow, () =>
        engine.retry(workflow, run.id, request.body.ids, request.caller?.name ?? null),
      );
      return reply.code(202).send({ run: report.run });
    },
  );

  app.get(
    '/api/eval/:workflow',
    {
      schema: {
        summary: "The workflow's model and its validation figures",
        params: z.strictObject({ workflow: Id }),
      },
    },
    async (request) => {
      const workflow = context.workflow(request.params.workflow);
      const model = await store.loadModel(workflow.task.name);
      if (!model) {
        throw new HttpProblem(
          404,
          'not_found',
          `no model trained for ${workflow.name} yet; run it once or run erpbridge eval`,
        );
      }
      return {
        workflow: workflow.name,
        model: model.name,
        version: model.version,
        createdAt: model.createdAt,
        metrics: model.metrics,
      };
    },
  );

  app.post(
    '/api/ai-update-order',
    {
      config: { role: 'operator' },
      schema: {
        summary:
          'Runs the AI decision for one order and returns its change: applied when the policy allows, waiting for approval otherwise',
        body: z.strictObject({
          orderNumber: z
            .string()
            .min(1)
            .max(64)
            .regex(/^[A-Za-z0-9._-]+$/, 'an order number'),
          workflow: Id.optional(),
        }),
      },
    },
    async (request) => {
      const name = request.body.workflow ?? Object.keys(context.loaded.config.workflows)[0];
      if (!name) throw new HttpProblem(404, 'not_found', 'no workflow is configured');
      const workflow = context.workflow(name);
      const report = await runs.exclusive(workflow.name, () =>
        engine.runRecords(workflow, [request.body.orderNumber], {
          requestedBy: request.caller?.name ?? null,
        }),
      );
      const [item] = await store.listItems(report.run.id, { limit: 1 });
      if (!item) {
        const letters = await store.listDeadLetters({ runId: report.run.id });
        const reason = letters[0]?.message ?? 'the ERP has no such order';
        throw new HttpProblem(404, 'not_found', `order ${request.body.orderNumber}: ${reason}`);
      }
      if (item.state === 'failed') {
        // The record was not there (a permanent reject) or could not be read (a mapping problem).
        const [letter] = await store.listDeadLetters({ runId: report.run.id });
        const missing = letter?.errorKind === 'permanent';
        throw new HttpProblem(
          missing ? 404 : 422,
          missing ? 'not_found' : 'unreadable_record',
          `order ${request.body.orderNumber}: ${item.error ?? letter?.message ?? 'could not be read'}`,
        );
      }
      const change = (await store.getChange(`${report.run.id}:${item.recordId}`)) ?? null;
      return {
        run: report.run,
        decision: {
          label: item.label,
          confidence: item.confidence,
          explanation: change?.explanation ?? null,
          error: item.error,
        },
        change,
        outcome: change !== null ? change.state : item.state === 'review' ? 'review' : 'unchanged',
      };
    },
  );
}
