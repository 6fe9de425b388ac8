import { z } from 'zod';
import { SESSION_COOKIE, type ServiceDeps } from '../app.ts';
import { logIn, SESSION_HOURS } from '../auth/access.ts';
import { secretHash } from '../auth/credentials.ts';
import { HttpProblem } from '../errors.ts';
import type { ServiceApp } from '../fastify-types.ts';

const Login = z.strictObject({ user: z.string().min(1).max(64), password: z.string().min(1).max(1024) });

export function registerSessionRoutes(app: ServiceApp, deps: ServiceDeps): void {
  const { store, audit } = deps.context;

  app.post(
    '/auth/login',
    { config: { public: true }, schema: { summary: 'Console login: sets the session cookie', body: Login } },
    async (request, reply) => {
      const { sessionId, caller } = await logIn(store, audit, request.body);
      request.caller = caller;
      reply.setCookie(SESSION_COOKIE, sessionId, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: deps.secureCookies,
        maxAge: SESSION_HOURS * 3600,
      });
      return { user: caller.name, role: caller.role, csrfToken: caller.csrfToken };
    },
  );

  app.post(
    '/auth/logout',
    { config: { public: true }, schema: { summary: 'Ends the console session' } },
    async (request, reply) => {
      const sessionId = request.cookies[SESSION_COOKIE];
      if (sessionId) {
        await store.deleteSession(secretHash(sessionId), new Date().toISOString());
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true };
    },
  );

  app.get(
    '/auth/me',
    { schema: { summary: 'Who is calling, and the CSRF token of a session' } },
    async (request) => {
      const caller = request.caller;
      if (!caller) throw new HttpProblem(401, 'unauthorized', 'not logged in');
      return { user: caller.name, role: caller.role, via: caller.via, csrfToken: caller.csrfToken };
    },
  );
}
