import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { z } from 'zod';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../sandbox/index.ts';

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

/** A fresh temporary folder for one test's files. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `erpbridge-${prefix}-`));
}

/** A sandbox on a free port with a quiet log, seeded small enough for a test. */
export function testSandbox(dir: string, options: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  return startSandbox({
    dataDir: join(dir, 'sandbox'),
    port: 0,
    orders: 3000,
    history: 6000,
    today: '2026-11-02',
    logRequests: false,
    ...options,
  });
}

/**
 * Writes an erpbridge.yaml for a test: the shipped one with the store in `dir`, and optional
 * text replacements (e.g. a policy) applied to it.
 */
export function writeTestConfig(dir: string, replacements: [string, string][] = []): string {
  let text = readFileSync(join(PROJECT_ROOT, 'erpbridge.yaml'), 'utf8');
  text = text.replace('path: .erpbridge/erpbridge.sqlite', `path: ${join(dir, 'erpbridge.sqlite')}`);
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`test config: "${from}" not found in erpbridge.yaml`);
    text = text.replace(from, to);
  }
  const file = join(dir, 'erpbridge.yaml');
  writeFileSync(file, text);
  return file;
}

export function sandboxEnv(sandbox: Sandbox): NodeJS.ProcessEnv {
  return { ...process.env, SANDBOX_URL: sandbox.url, SANDBOX_API_KEY: sandbox.apiKey };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process, as a person would. */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin/erpbridge.mjs'), ...args], {
      cwd: options.cwd ?? PROJECT_ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

export interface LoggedRequest {
  id: number;
  method: string;
  path: string;
  status: number;
  applied: boolean;
  poNumber: string | null;
  fault: string | null;
  idempotencyKey: string | null;
}

/** The sandbox's own record of the requests it served. */
export async function sandboxRequests(sandbox: Sandbox, method?: string): Promise<LoggedRequest[]> {
  const query = method ? `?method=${method}` : '';
  const response = await request(`${sandbox.url}/_sandbox/requests${query}`);
  const body = (await response.body.json()) as { requests: LoggedRequest[] };
  return body.requests;
}

/** Reads or writes a purchase order through the sandbox's API, as a person at the ERP would. */
export async function sandboxApi(
  sandbox: Sandbox,
  method: 'GET' | 'PATCH',
  poNumber: string,
  body?: Record<string, unknown>,
): Promise<{ status: number; record: Record<string, unknown> }> {
  const response = await request(`${sandbox.url}/api/purchase_orders/${poNumber}`, {
    method,
    headers: { authorization: `Bearer ${sandbox.apiKey}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.statusCode, record: (await response.body.json()) as Record<string, unknown> };
}

/** The first `count` open purchase orders' numbers, as the sandbox's REST API lists them. */
export async function openOrders(sandbox: Sandbox, count: number): Promise<string[]> {
  const response = await request(`${sandbox.url}/api/purchase_orders?status=open&page=1&page_size=${count}`, {
    headers: { authorization: `Bearer ${sandbox.apiKey}` },
  });
  const body = z
    .object({ data: z.array(z.object({ po_number: z.string() })) })
    .parse(await response.body.json());
  return body.data.map((order) => order.po_number.trim());
}
