import { z } from 'zod';
import { describeError } from '../../errors/index.ts';
import type { ServiceDeps } from '../app.ts';
import { HttpProblem } from '../errors.ts';
import type { ServiceApp } from '../fastify-types.ts';
import { Id } from './params.ts';

export function registerConnectorRoutes(app: ServiceApp, deps: ServiceDeps): void {
  const { context } = deps;
  const names = () => Object.keys(context.loaded.config.connectors);

  app.get('/api/connectors', { schema: { summary: "Each connector's health and figures" } }, async () =>
    Promise.all(
      names().map(async (name) => {
        const kind = context.loaded.config.connectors[name]?.kind ?? 'unknown';
        try {
          const connection = await context.connect(name);
          return { name, kind, figures: connection.figures(), error: null };
        } catch (error) {
          return { name, kind, figures: null, error: describeError(error) };
        }
      }),
    ),
  );

  app.post(
    '/api/connectors/:name/test',
    {
      config: { role: 'operator' },
      schema: { summary: 'Asks the ERP one small question', params: z.strictObject({ name: Id }) },
    },
    async (request) => {
      const { name } = request.params;
      if (!names().includes(name)) throw new HttpProblem(404, 'not_found', `no connector ${name}`);
      const started = performance.now();
      try {
        const connection = await context.connect(name);
        const result = await connection.test();
        return { ok: true, latencyMs: Math.round(performance.now() - started), result, error: null };
      } catch (error) {
        return {
          ok: false,
          latencyMs: Math.round(performance.now() - started),
          result: null,
          error: describeError(error),
        };
      }
    },
  );
}
