import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyRequest } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { LoggerOptions } from 'pino';
import type { Metrics } from '../metrics/index.ts';
import type { CliContext } from '../runtime/context.ts';
import { callerOfSession, callerOfToken } from './auth/access.ts';
import { sameSecret } from './auth/credentials.ts';
import { roleAtLeast } from './auth/roles.ts';
import { HttpProblem, sendError } from './errors.ts';
import type { ServiceApp } from './fastify-types.ts';
import { registerAccessRoutes } from './routes/access.ts';
import { registerAuditRoutes } from './routes/audit.ts';
import { registerChangeRoutes } from './routes/changes.ts';
import { registerConnectorRoutes } from './routes/connectors.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerHookRoutes } from './routes/hooks.ts';
import { registerMetricsRoutes } from './routes/metrics.ts';
import { registerOperationRoutes } from './routes/operations.ts';
import { registerRunRoutes } from './routes/runs.ts';
import { registerSessionRoutes } from './routes/session.ts';
import { registerShadowReportRoutes } from './routes/shadow-report.ts';
import { registerWorkflowRoutes } from './routes/workflows.ts';
import type { RunManager } from './run-manager.ts';
import './fastify-types.ts';

/** The session cookie's name. */
export const SESSION_COOKIE = 'erpbridge_session';

/** What the routes share. */
export interface ServiceDeps {
  context: CliContext;
  runs: RunManager;
  /** Where the built console is (dist/web); null serves no console. */
  webDir: string | null;
  /** Whether the service is reached over HTTPS (the cookie is then `Secure`). */
  secureCookies: boolean;
  metrics: Metrics;
  /** When a workflow's schedule fires next; null without one. */
  nextScheduled(workflow: string): Date | null;
}

/** Largest request body accepted, in bytes: the API takes small JSON documents only. */
export const BODY_LIMIT = 256 * 1024;

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Builds the HTTP service: zod-validated routes with an OpenAPI document, callers from API tokens
 * or console sessions (CSRF-checked), roles per route, every mutating request audited with its
 * caller, JSON errors for everything, and the console's files.
 */
export async function buildServiceApp(
  deps: ServiceDeps,
  options: { logger: LoggerOptions | false },
): Promise<ServiceApp> {
  const app = Fastify({
    logger: options.logger,
    bodyLimit: BODY_LIMIT,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
    },
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: 200 },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('caller', null);
  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'erpbridge',
        description:
          'AI workflow automation for legacy ERPs: runs, changes, approvals, audit. See docs/api.md.',
        version: '1',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'an API token from `erpbridge tokens create`',
          },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });

  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      new HttpProblem(404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`),
      request,
      reply,
    ),
  );

  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    // The console's own files (routes @fastify/static made: they carry `rootPath`) are public.
    const consoleFile = config !== undefined && 'rootPath' in config;
    if (config?.public || consoleFile || request.is404) return;
    request.caller = await authenticate(deps, request);
    const needed = config?.role ?? 'viewer';
    if (!roleAtLeast(request.caller.role, needed)) {
      throw new HttpProblem(
        403,
        'forbidden',
        `${request.method} ${request.routeOptions.url} needs the ${needed} role; ${request.caller.name} is ${article(request.caller.role)} ${request.caller.role}`,
      );
    }
    if (request.caller.via === 'session' && MUTATING.has(request.method)) {
      const sent = request.headers['x-csrf-token'];
      if (
        typeof sent !== 'string' ||
        !request.caller.csrfToken ||
        !sameSecret(sent, request.caller.csrfToken)
      ) {
        throw new HttpProblem(
          403,
          'csrf',
          'a console request that changes something must carry X-CSRF-Token from /auth/me',
        );
      }
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpRequest({
      method: request.method,
      route: request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched'),
      status: reply.statusCode,
      seconds: reply.elapsedTime / 1000,
    });
  });

  // Every mutating request is audited with who made it and how it ended, before the answer leaves:
  // a caller that got an answer finds its request in the audit log.
  app.addHook('onSend', async (request, reply, payload) => {
    if (!MUTATING.has(request.method) || request.is404) return payload;
    const url = request.routeOptions.url ?? request.url.split('?')[0];
    await deps.context.audit
      .record(
        'service.request',
        null,
        {
          method: request.method,
          route: url,
          params: { ...(request.params as Record<string, unknown> | undefined) },
          status: reply.statusCode,
          requestId: request.id,
          via: request.caller?.via ?? null,
        },
        request.caller?.name ?? 'anonymous',
      )
      .catch((error: unknown) => request.log.error({ err: error }, 'could not audit the request'));
    return payload;
  });

  registerHealthRoutes(app, deps);
  registerSessionRoutes(app, deps);
  registerWorkflowRoutes(app, deps);
  registerShadowReportRoutes(app, deps);
  registerRunRoutes(app, deps);
  registerChangeRoutes(app, deps);
  registerAuditRoutes(app, deps);
  registerConnectorRoutes(app, deps);
  registerAccessRoutes(app, deps);
  registerOperationRoutes(app, deps);
  registerMetricsRoutes(app, deps);
  await registerHookRoutes(app, deps);

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  if (deps.webDir && existsSync(deps.webDir)) {
    await app.register(fastifyStatic, {
      root: deps.webDir,
      prefix: '/',
      wildcard: false,
      index: 'index.html',
    });
    // The console routes by hash; a path that is no file and no API answers with the console.
    app.get('/console', { config: { public: true }, schema: { hide: true } }, (_request, reply) =>
      reply.sendFile('index.html'),
    );
  }
  return app;
}

async function authenticate(deps: ServiceDeps, request: FastifyRequest) {
  const { store } = deps.context;
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.length > 0) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new HttpProblem(401, 'unauthorized', 'Authorization must be "Bearer <token>"');
    const caller = await callerOfToken(store, match[1]);
    if (!caller) throw new HttpProblem(401, 'unauthorized', 'unknown or revoked API token');
    return caller;
  }
  const sessionId = request.cookies[SESSION_COOKIE];
  if (sessionId) {
    const caller = await callerOfSession(store, sessionId);
    if (!caller) throw new HttpProblem(401, 'unauthorized', 'the console session has expired; log in again');
    return caller;
  }
  throw new HttpProblem(
    401,
    'unauthorized',
    'no credentials: send "Authorization: Bearer <token>" (erpbridge tokens create) or log in to the console',
  );
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
