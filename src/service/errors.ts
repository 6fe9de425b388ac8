import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { EngineRefused } from '../engine/engine.ts';
import { ConfigError, describeError, isErpError } from '../errors/index.ts';
import { AccessRefused } from './auth/access.ts';
import { RunRefused } from './run-manager.ts';

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: string;
  message: string;
  requestId?: string;
}

/** An answer the service gives on purpose (a 4xx with a message for the caller). */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Turns any error into a status and a JSON body: validation and parsing problems are 4xx naming
 * the field, refusals carry their reason, and anything unexpected is a 500 that says only that,
 * with the request id to find the logged details — never a stack trace to the caller.
 */
export function errorAnswer(error: unknown, request: FastifyRequest): { status: number; body: ErrorBody } {
  const body = (status: number, code: string, message: string) => ({
    status,
    body: { error: code, message, requestId: request.id },
  });
  if (error instanceof HttpProblem) return body(error.status, error.code, error.message);
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((issue) => {
      const where = [error.validationContext, issue.instancePath.replace(/^\//, '').replaceAll('/', '.')]
        .filter(Boolean)
        .join('.');
      return `${where}: ${issue.message}`;
    });
    return body(400, 'invalid_request', issues.join('; '));
  }
  if (error instanceof AccessRefused) {
    const status = error.reason === 'unauthorized' ? 401 : error.reason === 'forbidden' ? 403 : 400;
    return body(status, error.reason === 'invalid' ? 'invalid_request' : error.reason, error.message);
  }
  if (error instanceof EngineRefused) {
    const status = { forbidden: 403, conflict: 409, invalid: 400, not_found: 404 }[error.reason];
    return body(status, error.reason, error.message);
  }
  if (error instanceof RunRefused) return body(409, 'conflict', error.message);
  if (error instanceof ConfigError) return body(404, 'not_found', error.message);
  if (isErpError(error)) {
    if (error.kind === 'validation') return body(400, 'invalid_request', describeError(error));
    return body(502, 'erp_error', describeError(error));
  }
  const fastifyError = error as Partial<FastifyError>;
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    const code =
      {
        FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
        FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
        FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
        FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
        FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
      }[fastifyError.code ?? ''] ?? (fastifyError.statusCode === 404 ? 'not_found' : 'invalid_request');
    return body(fastifyError.statusCode, code, fastifyError.message ?? 'bad request');
  }
  if (error instanceof SyntaxError)
    return body(400, 'invalid_json', `the body is not valid JSON: ${error.message}`);
  return body(
    500,
    'internal',
    'the service failed on this request; the log has the details under its request id',
  );
}

/** Sends the error answer; logs a 500 with its details. */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body } = errorAnswer(error, request);
  if (status >= 500 && status !== 502) request.log.error({ err: error }, 'request failed');
  else request.log.info({ status, error: body.error }, body.message);
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}
