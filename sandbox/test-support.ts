/**
 * Helpers for the sandbox's own tests: temporary data directories and authenticated HTTP calls.
 * Not part of the sandbox's public face.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Sandbox, type SandboxOptions, startSandbox } from './index.ts';

/** A fresh directory under the OS temp dir; remove it with {@link removeDirectory}. */
export function temporaryDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'erpbridge-sandbox-'));
}

export function removeDirectory(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

/** A JSON answer of the sandbox. */
export interface JsonAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Calls the sandbox over HTTP, with the bearer key unless `apiKey` is null. */
export async function callSandbox(
  target: { url: string; apiKey: string | null },
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonAnswer> {
  const headers: Record<string, string> = { ...init.headers };
  if (target.apiKey !== null) headers.authorization = `Bearer ${target.apiKey}`;
  if (init.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${target.url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? null : JSON.parse(text) };
}

/** What a client saw: an answer, or how the attempt failed (`timeout`, `ECONNRESET`, `UND_ERR_SOCKET`, …). */
export type Attempt =
  | { kind: 'answered'; status: number; headers: Headers; body: unknown; ms: number }
  | { kind: 'failed'; code: string; ms: number };

/**
 * Like {@link callSandbox}, but a failed attempt is a value rather than an exception, and the
 * client gives up after `timeoutMs` (default 2000), as a client of a hung server must.
 */
export async function attemptSandbox(
  target: { url: string; apiKey: string | null },
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Attempt> {
  const headers: Record<string, string> = { ...init.headers };
  if (target.apiKey !== null) headers.authorization ??= `Bearer ${target.apiKey}`;
  if (init.body !== undefined) headers['content-type'] ??= 'application/json';
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(`${target.url}${path}`, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(init.timeoutMs ?? 2000),
    });
    const text = await response.text();
    const body: unknown = text === '' ? null : JSON.parse(text);
    return { kind: 'answered', status: response.status, headers: response.headers, body, ms: elapsed() };
  } catch (error) {
    return { kind: 'failed', code: failureCode(error), ms: elapsed() };
  }
}

function failureCode(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timeout';
  const cause = error instanceof Error ? error.cause : undefined;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') {
    return cause.code;
  }
  throw error;
}

/** Replaces the sandbox's fault config (`POST /_sandbox/faults`), failing the test if it is refused. */
export async function setFaults(target: { url: string }, faults: unknown): Promise<void> {
  const answer = await callSandbox({ url: target.url, apiKey: null }, '/_sandbox/faults', {
    method: 'POST',
    body: faults,
  });
  if (answer.status !== 200) throw new Error(`fault config refused: ${JSON.stringify(answer.body)}`);
}

/** The request log entries after `since` (an id; 0 for all). */
export async function loggedRequests(target: { url: string }, since = 0): Promise<Record<string, unknown>[]> {
  const answer = await callSandbox({ url: target.url, apiKey: null }, `/_sandbox/requests?since=${since}`);
  return records(answer.body, 'requests');
}

/** The id of the latest request log entry (0 when empty), to read only what a test caused. */
export async function lastLoggedId(target: { url: string }): Promise<number> {
  const entries = await loggedRequests(target);
  return Number(entries.at(-1)?.id ?? 0);
}

/** Reads `body[key]` of an unknown JSON value, failing the test when the shape is not an object. */
export function field(body: unknown, key: string): unknown {
  if (typeof body !== 'object' || body === null)
    throw new Error(`expected a JSON object, got ${JSON.stringify(body)}`);
  return Object.getOwnPropertyDescriptor(body, key)?.value;
}

/** Reads `body[key]` as an array of JSON objects. */
export function records(body: unknown, key = 'data'): Record<string, unknown>[] {
  const value = field(body, key);
  if (!Array.isArray(value)) throw new Error(`expected "${key}" to be an array`);
  return value.map((item: unknown) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new Error('expected objects');
    return Object.fromEntries(Object.entries(item));
  });
}

/** Reads `body[key]` as a string. */
export function text(body: unknown, key: string): string {
  const value = field(body, key);
  if (typeof value !== 'string')
    throw new Error(`expected "${key}" to be a string, got ${JSON.stringify(value)}`);
  return value;
}

/** Small data, quiet logs, a free port and a temporary directory: a sandbox for one test file. */
export async function startTestSandbox(
  options: Partial<SandboxOptions> = {},
): Promise<{ sandbox: Sandbox; dataDir: string; stop: () => Promise<void> }> {
  const dataDir = options.dataDir ?? temporaryDirectory();
  const sandbox = await startSandbox({
    port: 0,
    orders: 450,
    history: 300,
    suppliers: 25,
    today: '2025-06-15',
    logRequests: false,
    ...options,
    dataDir,
  });
  return {
    sandbox,
    dataDir,
    stop: async () => {
      await sandbox.close();
      removeDirectory(dataDir);
    },
  };
}
