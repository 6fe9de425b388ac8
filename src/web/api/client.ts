/**
 * The console's only way to the service: same-origin fetch with the session cookie, the CSRF token
 * on every mutating request, a time bound on every call, and the server's `{ error, message }` as an
 * `ApiError`. A 401 from anything but the login itself tells the app the session is gone.
 */

/** How long a console request may take before it fails; the service answers in milliseconds. */
const REQUEST_TIMEOUT_MS = 15_000;

/** An answer other than 2xx, with the server's error code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
let sessionLost: () => void = () => {};

/** The token `POST /auth/login` and `GET /auth/me` return; sent as `X-CSRF-Token` when mutating. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when any request but the login answers 401. */
export function onSessionLost(listener: () => void): void {
  sessionLost = listener;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Calls the API and returns its JSON answer; throws `ApiError` for a non-2xx answer. */
export async function callApi<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  const answer: unknown = text ? parseJson(text) : undefined;
  if (response.ok) return answer as T;
  if (response.status === 401 && path !== '/auth/login') sessionLost();
  throw toApiError(response, answer);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {
      error: 'bad_answer',
      message: `the service answered with something that is not JSON: ${text.slice(0, 120)}`,
    };
  }
}

function toApiError(response: Response, answer: unknown): ApiError {
  if (typeof answer === 'object' && answer !== null) {
    const { error, message } = answer as { error?: unknown; message?: unknown };
    if (typeof message === 'string')
      return new ApiError(response.status, String(error ?? response.status), message);
  }
  return new ApiError(response.status, String(response.status), `${response.status} ${response.statusText}`);
}

/** The message to show a person for any failure of a call. */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return `the service did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
