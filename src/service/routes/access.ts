import { z } from 'zod';
import { ROLES } from '../../store/contract.ts';
import type { ServiceDeps } from '../app.ts';
import { createApiToken, saveUser } from '../auth/access.ts';
import { HttpProblem } from '../errors.ts';
import type { ServiceApp } from '../fastify-types.ts';
import { Id } from './params.ts';

export function registerAccessRoutes(app: ServiceApp, deps: ServiceDeps): void {
  const { store, audit } = deps.context;

  app.get(
    '/api/tokens',
    { config: { role: 'admin' }, schema: { summary: 'API tokens (never their secrets)' } },
    async () => (await store.listApiTokens()).map(({ tokenHash: _hash, ...token }) => token),
  );

  app.post(
    '/api/tokens',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Creates an API token; the answer is the only time its secret is shown',
        body: z.strictObject({ name: z.string().min(1).max(64), role: z.enum(ROLES) }),
      },
    },
    async (request, reply) => {
      const { token, record } = await createApiToken(store, audit, {
        ...request.body,
        createdBy: request.caller?.name ?? 'anonymous',
      });
      const { tokenHash: _hash, ...shown } = record;
      return reply.code(201).send({ token, ...shown });
    },
  );

  app.delete(
    '/api/tokens/:id',
    {
      config: { role: 'admin' },
      schema: { summary: 'Revokes an API token', params: z.strictObject({ id: Id }) },
    },
    async (request) => {
      const revoked = await store.revokeApiToken(request.params.id, new Date().toISOString());
      if (!revoked) throw new HttpProblem(404, 'not_found', `no live token ${request.params.id}`);
      await audit.record('access.token-revoked', null, { id: request.params.id }, request.caller?.name);
      return { revoked: true };
    },
  );

  app.post(
    '/api/users',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Creates a console user or sets its role and password',
        body: z.strictObject({
          name: z.string().min(1).max(64),
          role: z.enum(ROLES),
          password: z.string().min(12).max(1024),
        }),
      },
    },
    async (request, reply) => {
      await saveUser(store, audit, { ...request.body, savedBy: request.caller?.name ?? 'anonymous' });
      return reply.code(201).send({ name: request.body.name, role: request.body.role });
    },
  );
}
