import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseFaultConfig } from '../fault-config.ts';
import type { FaultInjector } from '../fault-injector.ts';
import { errorBody } from '../http-errors.ts';

const MAINTENANCE_MAX_MS = 86_400_000;

const MaintenanceRequest = z.strictObject({
  durationMs: z
    .number({ error: 'durationMs must be a whole number of milliseconds' })
    .int('durationMs must be a whole number of milliseconds')
    .min(1, 'durationMs must be at least 1')
    .max(MAINTENANCE_MAX_MS, `durationMs must be at most ${MAINTENANCE_MAX_MS}`),
});

/**
 * The fault controls, outside `/api` and without auth: `GET /_sandbox/faults` (the active config,
 * `{}` for none), `POST /_sandbox/faults` (replace it; 400 naming the bad key), `DELETE
 * /_sandbox/faults` (no faults, and any maintenance window ends) — each answers with the config
 * then active — and `POST /_sandbox/maintenance {durationMs}`, a maintenance window from now.
 */
export function registerSandboxFaultRoutes(app: FastifyInstance, faults: FaultInjector) {
  app.get('/_sandbox/faults', (_request, reply) => {
    reply.send(faults.config);
  });

  app.post('/_sandbox/faults', (request, reply) => {
    const parsed = parseFaultConfig(request.body);
    if (parsed.kind === 'invalid') {
      const where = parsed.key === '' ? 'fault config' : `fault config ${parsed.key}`;
      reply.code(400).send(errorBody('bad_request', `${where}: ${parsed.message}`, { key: parsed.key }));
      return;
    }
    faults.apply(parsed.config);
    reply.send(faults.config);
  });

  app.delete('/_sandbox/faults', (_request, reply) => {
    faults.clear();
    reply.send(faults.config);
  });

  app.post('/_sandbox/maintenance', (request, reply) => {
    const parsed = MaintenanceRequest.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const message =
        issue === undefined || issue.path.length === 0
          ? 'the body must be {"durationMs": <milliseconds>}'
          : issue.message;
      reply.code(400).send(errorBody('bad_request', message, { key: 'durationMs' }));
      return;
    }
    const window = faults.startMaintenance(parsed.data.durationMs);
    reply.send({
      maintenance: { from: new Date(window.from).toISOString(), until: new Date(window.until).toISOString() },
    });
  });
}
