/**
 * The HTTP side of the SOAP personalities, beside `/api` in the same Fastify app: each service's
 * endpoint (POST) and WSDL (GET), `GET /_sandbox/wsdl`, Windows authentication where the
 * personality wants it, and the same faults and request log as `/api`.
 *
 * Logon: `POST /_sandbox/logon` `{"user","password"}` makes every SOAP route (calls and WSDLs) of a
 * personality without NTLM require HTTP basic authentication with that user — as SAP's ICF
 * requires a logon on `/sap/bc/soap/rfc` — until `DELETE /_sandbox/logon`; `GET` says whether one
 * is required. Off by default.
 *
 * Per SOAP call, in this order: NTLM (dynamics-ax) or the basic logon → size and media type → the envelope (DTDs,
 * entities and malformed XML are Client faults) → the operation (an unknown one is a Client fault)
 * → maintenance, rate limit, bursts429, hangs, resets, errors — the operation decides whether it
 * counts as a read or a write → degradation, latency → the operation → lostAnswers (writes only,
 * after the commit). Faults the sandbox injects answer as SOAP faults with their HTTP status (and
 * Retry-After). Every POST to an endpoint is logged, with its `operation`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ConnectionTracker } from '../connection-tracker.ts';
import type { FaultInjector, FaultLabel } from '../fault-injector.ts';
import { headerText } from '../request-headers.ts';
import type { RequestLog } from '../request-log.ts';
import { createNtlmGuard } from './ntlm-guard.ts';
import {
  type EnvelopeStyle,
  isSoapFault,
  readSoapRequest,
  SOAP11_CONTENT_TYPE,
  type SoapFault,
  soapEnvelope,
  soapFault,
  soapFaultEnvelope,
} from './soap-envelope.ts';
import type { SoapPersonality, SoapService } from './soap-service.ts';

/** The user and password every SOAP route requires when a logon is set (`POST /_sandbox/logon`). */
const BasicLogon = z.strictObject({
  user: z
    .string()
    .min(1)
    .max(40)
    .refine((user) => !user.includes(':'), 'no ":" in a user'),
  password: z.string().min(1).max(128),
});
type BasicLogon = z.infer<typeof BasicLogon>;

/** Whether an Authorization header carries the logon: the user case-insensitively (SAP's are upper case), the password exactly. */
function isLoggedOn(logon: BasicLogon, authorization: string | undefined): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (match?.[1] === undefined) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return false;
  const user = decoded.slice(0, colon);
  const password = Buffer.from(decoded.slice(colon + 1));
  const expected = Buffer.from(logon.password);
  return (
    user.toUpperCase() === logon.user.toUpperCase() &&
    password.length === expected.length &&
    timingSafeEqual(password, expected)
  );
}

/** The largest SOAP request accepted (413 with a SOAP fault beyond). */
export const SOAP_BODY_LIMIT = 1024 * 1024;

const SOAP_MEDIA_TYPES = ['text/xml', 'application/soap+xml', 'application/xml'];

/** What the SOAP routes need from the sandbox app. */
export interface SoapRouteDependencies {
  personality: SoapPersonality | null;
  requestLog: RequestLog;
  faults: FaultInjector;
  connections: ConnectionTracker;
  /** Aborted when the server starts closing: cuts injected delays short. */
  closing: AbortSignal;
  logger: Logger;
}

/** `GET /_sandbox/wsdl`: what the personality publishes. */
export interface WsdlListing {
  personality: string | null;
  /** The WSDL URLs. */
  wsdl: string[];
  services: Array<{ name: string; endpoint: string; wsdl: string; operations: string[] }>;
}

/** The WSDL listing for a sandbox reached at `baseUrl`. */
export function wsdlListing(personality: SoapPersonality | null, baseUrl: string): WsdlListing {
  const services = (personality?.services ?? []).map((service) => ({
    name: service.name,
    endpoint: `${baseUrl}${service.path}`,
    wsdl: service.wsdlUrl(baseUrl),
    operations: [...service.operations],
  }));
  return { personality: personality?.name ?? null, wsdl: services.map((service) => service.wsdl), services };
}

function pathOf(url: string): string {
  const queryStart = url.indexOf('?');
  return queryStart === -1 ? url : url.slice(0, queryStart);
}

function firstValues(query: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  if (typeof query !== 'object' || query === null) return values;
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === 'string') values[name] = value;
    else if (Array.isArray(value) && typeof value[0] === 'string') values[name] = value[0];
  }
  return values;
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const equals = part.indexOf('=');
    if (equals <= 0) continue;
    const name = part.slice(0, equals).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(equals + 1).trim());
  }
  return cookies;
}

/** Waits `ms`, or less if the server starts closing. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    }
    signal.addEventListener('abort', finish, { once: true });
  });
}

/** The fault for an error Fastify raised before the handler (size, media type) or a handler threw. */
function faultForError(error: unknown): SoapFault {
  const statusCode =
    typeof error === 'object' && error !== null && 'statusCode' in error ? error.statusCode : null;
  const status = typeof statusCode === 'number' && statusCode >= 400 && statusCode < 600 ? statusCode : 500;
  if (status === 413) {
    return soapFault(
      'Client',
      `The request is larger than this endpoint accepts (${SOAP_BODY_LIMIT} bytes).`,
      null,
      413,
    );
  }
  if (status === 415) {
    return soapFault('Client', 'Unsupported media type: send a SOAP 1.1 envelope as text/xml.', null, 415);
  }
  const message = error instanceof Error ? error.message : String(error);
  return soapFault(status < 500 ? 'Client' : 'Server', message, null, status);
}

/**
 * Registers `GET /_sandbox/wsdl` and, when there is a personality, its services in a scope of
 * their own (their own body parser, error handler and hooks; `/api` is untouched).
 */
export function registerSoapRoutes(app: FastifyInstance, dependencies: SoapRouteDependencies): void {
  const { personality, requestLog, faults, connections, closing, logger } = dependencies;
  const baseUrlOf = (request: FastifyRequest) => `http://${request.host}`;

  app.get('/_sandbox/wsdl', (request, reply) => {
    reply.send(wsdlListing(personality, baseUrlOf(request)));
  });
  if (personality === null) return;

  const serviceByPath = new Map<string, SoapService>();
  for (const service of personality.services) {
    serviceByPath.set(service.path, service);
    for (const path of service.wsdlPaths) serviceByPath.set(path, service);
  }
  const styleOf = (request: FastifyRequest): EnvelopeStyle =>
    serviceByPath.get(pathOf(request.url))?.style ?? { prefix: 'soap' };

  const operationOf = new WeakMap<FastifyRequest, string>();
  const faultOf = new WeakMap<FastifyRequest, FaultLabel>();
  const poNumberOf = new WeakMap<FastifyRequest, string>();
  const applied = new WeakSet<FastifyRequest>();
  const logged = new WeakSet<FastifyRequest>();

  const logCall = (request: FastifyRequest, reply: FastifyReply, status: number) => {
    if (request.method !== 'POST' || logged.has(request)) return;
    logged.add(request);
    requestLog.record({
      at: new Date(Date.now() - reply.elapsedTime).toISOString(),
      method: request.method,
      path: pathOf(request.url),
      query: firstValues(request.query),
      status,
      durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
      idempotencyKey: headerText(request.headers['idempotency-key']),
      applied: applied.has(request),
      poNumber: poNumberOf.get(request) ?? null,
      fault: faultOf.get(request) ?? null,
      operation: operationOf.get(request) ?? null,
    });
  };
  /** A call that gets no answer is logged when that is decided, with status 0. */
  const logUnanswered = (request: FastifyRequest, reply: FastifyReply, fault: FaultLabel) => {
    faultOf.set(request, fault);
    logCall(request, reply, 0);
  };
  const sendFault = (reply: FastifyReply, style: EnvelopeStyle, fault: SoapFault) =>
    reply.code(fault.status).type(SOAP11_CONTENT_TYPE).send(soapFaultEnvelope(style, fault));

  const ntlm =
    personality.authentication.kind === 'ntlm' ? createNtlmGuard(personality.authentication.account) : null;
  let logon: BasicLogon | null = null;

  app.get('/_sandbox/logon', (_request, reply) => {
    reply.send({ required: logon !== null, user: logon?.user ?? null });
  });
  app.post('/_sandbox/logon', (request, reply) => {
    if (ntlm !== null) {
      return reply.code(409).send({
        error: 'conflict',
        message: `${personality.name} authenticates with NTLM; a basic logon is for the other personalities`,
      });
    }
    const parsed = BasicLogon.safeParse(request.body);
    if (!parsed.success) {
      return reply.code(400).send({
        error: 'bad_request',
        message: 'send {"user": "...", "password": "..."}, both non-empty text without ":" in the user',
      });
    }
    logon = parsed.data;
    return reply.send({ required: true, user: logon.user });
  });
  app.delete('/_sandbox/logon', (_request, reply) => {
    logon = null;
    reply.send({ required: false, user: null });
  });

  app.register(async (scope) => {
    scope.addContentTypeParser(
      SOAP_MEDIA_TYPES,
      { parseAs: 'string', bodyLimit: SOAP_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );

    scope.setErrorHandler((error: unknown, request, reply) => {
      const fault = faultForError(error);
      if (fault.status >= 500) logger.error({ err: error, url: request.url }, 'sandbox SOAP call failed');
      sendFault(reply, styleOf(request), fault);
    });

    scope.addHook('onRequest', async (request, reply) => {
      // A client that gives up first (say, during an injected delay) gets no answer: log it anyway.
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) logCall(request, reply, 0);
      });
      if (ntlm === null) {
        if (logon === null || isLoggedOn(logon, request.headers.authorization)) return undefined;
        logger.info({ url: request.url }, 'sandbox basic logon refused');
        reply
          .code(401)
          .header('www-authenticate', `Basic realm="SAP NetWeaver Application Server [ERP/100]"`)
          .type('text/html; charset=utf-8')
          .send(
            '<html><body><h1>Logon failed</h1><p>Logon with user and password required.</p></body></html>',
          );
        return reply;
      }
      const verdict = ntlm.check(request.raw.socket, request.headers.authorization);
      if (verdict.kind === 'authenticated') return undefined;
      if (verdict.challenge === 'NTLM' && request.headers.authorization !== undefined) {
        logger.info({ url: request.url, reason: verdict.reason }, 'sandbox NTLM refused');
      }
      reply
        .code(401)
        .header('www-authenticate', verdict.challenge)
        .type('text/html; charset=utf-8')
        .send(
          '<html><body><h1>401 - Unauthorized: Access is denied due to invalid credentials.</h1></body></html>',
        );
      return reply;
    });

    scope.addHook('onResponse', (request, reply, done) => {
      logCall(request, reply, reply.statusCode);
      done();
    });

    const handleCall = (service: SoapService) => async (request: FastifyRequest, reply: FastifyReply) => {
      const { style } = service;
      // Only the SOAP media types reach here as text; JSON, forms and bodiless POSTs do not.
      if (typeof request.body !== 'string')
        return sendFault(reply, style, faultForError({ statusCode: 415 }));
      const read = readSoapRequest(request.body);
      if (read.kind === 'fault') return sendFault(reply, style, read.fault);
      const operation = service.dispatch(read.request.body);
      if (isSoapFault(operation)) return sendFault(reply, style, operation);
      operationOf.set(request, operation.name);
      const socket: Socket = request.raw.socket;

      const admission = faults.admit(operation.kind);
      switch (admission.kind) {
        case 'refuse':
          faultOf.set(request, admission.fault);
          reply.headers(admission.headers);
          return sendFault(
            reply,
            style,
            soapFault(
              admission.status < 500 ? 'Client' : 'Server',
              admission.body.message,
              null,
              admission.status,
            ),
          );
        case 'hang':
          reply.hijack();
          logUnanswered(request, reply, admission.fault);
          connections.hold(socket);
          return reply;
        case 'reset':
          reply.hijack();
          logUnanswered(request, reply, admission.fault);
          socket.resetAndDestroy();
          return reply;
        case 'proceed':
          reply.raw.once('close', () => faults.release());
          if (admission.delayMs > 0) await delay(admission.delayMs, closing);
          // The client gave up during the delay: skip the operation, so the log stays true.
          if (socket.destroyed) {
            reply.hijack();
            return reply;
          }
      }

      const result = operation.handle({
        request: read.request,
        query: firstValues(request.query),
        cookies: parseCookies(request.headers.cookie),
      });
      if (result.applied) applied.add(request);
      if (result.poNumber !== null) poNumberOf.set(request, result.poNumber);

      // Lost answers: the operation has run and committed; only the answer goes missing.
      switch (faults.loseAnswer(operation.kind)) {
        case '502':
          faultOf.set(request, 'lost-502');
          return sendFault(
            reply,
            style,
            soapFault('Server', 'the gateway lost the ERP’s answer (sandbox fault lostAnswers)', null, 502),
          );
        case 'reset':
          reply.hijack();
          logUnanswered(request, reply, 'lost-reset');
          socket.resetAndDestroy();
          return reply;
        case 'hang':
          reply.hijack();
          logUnanswered(request, reply, 'lost-hang');
          connections.hold(socket);
          return reply;
        case null:
          break;
      }
      if (result.setCookies.length > 0) reply.header('set-cookie', [...result.setCookies]);
      const { answer } = result;
      if (answer.kind === 'fault') return sendFault(reply, style, answer.fault);
      return reply
        .code(200)
        .type(SOAP11_CONTENT_TYPE)
        .send(soapEnvelope(style, answer.body, answer.header));
    };

    const serveWsdl =
      (service: SoapService, alwaysWsdl: boolean) => (request: FastifyRequest, reply: FastifyReply) => {
        const query = firstValues(request.query);
        const asksForWsdl = Object.keys(query).some(
          (key) => key.toLowerCase() === 'wsdl' || key === 'singleWsdl',
        );
        if (!alwaysWsdl && !asksForWsdl) {
          return reply
            .code(405)
            .header('allow', 'POST')
            .type('text/plain; charset=utf-8')
            .send(`SOAP calls are POSTs; the WSDL is at ${service.wsdlUrl(baseUrlOf(request))}\n`);
        }
        const wsdl = service.wsdl(baseUrlOf(request), query);
        if (wsdl === null) {
          return reply.code(404).type('text/plain; charset=utf-8').send('no WSDL for what the query names\n');
        }
        return reply.type(SOAP11_CONTENT_TYPE).send(wsdl);
      };

    for (const service of personality.services) {
      scope.post(service.path, handleCall(service));
      scope.get(service.path, serveWsdl(service, false));
      for (const path of service.wsdlPaths) scope.get(path, serveWsdl(service, true));
    }
  });
}
