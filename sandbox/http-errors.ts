/** The `error` codes the sandbox answers with, one per kind of failure. */
export const ERROR_CODES = [
  'unauthorized',
  'not_found',
  'validation',
  'precondition_failed',
  'bad_request',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'internal',
  'bad_gateway',
  'unavailable',
  'gateway_timeout',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error body: `{"error": code, "message": ..., ...details}`. */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
  [detail: string]: unknown;
}

/** Builds an error body; `details` (such as `field` or `current_etag`) follow the message. */
export function errorBody(
  error: ErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): ErrorBody {
  return { error, message, ...details };
}

/** The error code for an HTTP status Fastify or a fault chose (bad JSON, wrong media type, an injected 503, …). */
export function errorCodeForStatus(status: number): ErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status === 413) return 'payload_too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 429) return 'rate_limited';
  if (status >= 400 && status < 500) return 'bad_request';
  if (status === 502) return 'bad_gateway';
  if (status === 503) return 'unavailable';
  if (status === 504) return 'gateway_timeout';
  return 'internal';
}
