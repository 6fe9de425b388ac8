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
