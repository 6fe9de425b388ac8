import { z } from 'zod';
import { IsoDate } from '../../canonical/purchase-order.ts';
import { READ_STRATEGIES, renderShadowReport, shadowReport } from '../../shadow/index.ts';
import type { ServiceDeps } from '../app.ts';
import { HttpProblem } from '../errors.ts';
import type { ServiceApp } from '../fastify-types.ts';
import { Id } from './params.ts';

/** `GET /api/workflows/:name/shadow-report`: the shadow report as JSON, with its Markdown. */
export function registerShadowReportRoutes(app: ServiceApp, deps: ServiceDeps): void {
  const { context } = deps;

  app.get(
    '/api/workflows/:name/shadow-report',
    {
      schema: {
        summary:
          'Compares a shadow workflow’s decisions with what people later did in the ERP: agreement per label and over time, coverage, and whether the promotion rule holds (it only suggests)',
        params: z.strictObject({ name: Id }),
        querystring: z.strictObject({
          /** Only shadow runs started on or after this day. */
          since: IsoDate.optional(),
          field: z
            .string()
            .max(64)
            .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a canonical field name, e.g. priority')
            .optional(),
          reads: z.enum(READ_STRATEGIES).default('auto'),
        }),
      },
    },
    async (request) => {
      const { since, field, reads } = request.query;
      const workflow = context.workflow(request.params.name);
      if (field !== undefined && !workflow.fields.includes(field)) {
        throw new HttpProblem(
          400,
          'invalid_request',
          `workflow ${workflow.name} writes ${workflow.fields.join(', ')}; it cannot be compared on ${field}`,
        );
      }
      const report = await shadowReport(
        {
          store: context.store,
          audit: context.audit,
          connect: context.connect,
          configFile: context.loaded.file,
        },
        workflow,
        {
          reads,
          actor: request.caller?.name ?? 'anonymous',
          ...(since ? { since } : {}),
          ...(field ? { field } : {}),
        },
      );
      return { ...report, markdown: renderShadowReport(report) };
    },
  );
}
