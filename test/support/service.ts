import type { Sandbox } from '../../sandbox/index.ts';
import { isRunGoing, type Run } from '../../src/engine/run.ts';
import { createCredential, type Role, type RunningService, startService } from '../../src/service/index.ts';
import { sandboxEnv, testSandbox, writeTestConfig } from './harness.ts';

/** A service on a sandbox, with the config, data folder and env a test needs to restart it. */
export interface TestService {
  sandbox: Sandbox;
  service: RunningService;
  configFile: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** Starts the service again on the same data (after `service.close()`). */
  restart(): Promise<RunningService>;
  close(): Promise<void>;
}

/**
 * Starts a sandbox and the service on a fresh config in `dir` (the shipped one with `replacements`),
 * quiet, on a free port, without the console's files.
 */
export async function startTestService(
  dir: string,
  options: { replacements?: [string, string][]; orders?: number; history?: number } = {},
): Promise<TestService> {
  const sandbox = await testSandbox(dir, { orders: options.orders ?? 300, history: options.history ?? 2000 });
  const configFile = writeTestConfig(dir, options.replacements ?? []);
  const env = sandboxEnv(sandbox);
  const open = () =>
    startService({ configFile, dataDir: dir, port: 0, env, logLevel: 'silent', webDir: null });
  const running: TestService = {
    sandbox,
    service: await open(),
    configFile,
    dataDir: dir,
    env,
    async restart() {
      running.service = await open();
      return running.service;
    },
    async close() {
      await running.service.close().catch(() => {});
      await sandbox.close();
    },
  };
  return running;
}

/** Creates an API token for `name` with `role` in the service's store. */
export async function tokenFor(test: TestService, name: string, role: Role): Promise<string> {
  const { token } = await createCredential(
    { configFile: test.configFile, dataDir: test.dataDir, env: test.env },
    { kind: 'token', name, role },
  );
  if (!token) throw new Error('no token created');
  return token;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
  headers: Headers;
}

/** Calls the service as `token` (or anonymously with null); JSON in and out. */
export async function api(
  test: TestService,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiAnswer> {
  const response = await fetch(`${test.service.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (metrics text): keep the text.
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** Polls a run until it is no longer running or applying. */
export async function settledRun(
  test: TestService,
  token: string,
  runId: string,
  timeoutMs = 60_000,
): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await api(test, token, 'GET', `/api/runs/${runId}`);
    const { run, busy } = answer.body as { run: Run; busy: boolean };
    if (!isRunGoing(run) && !busy) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts a run of po-urgency through the API and waits for it to settle. */
export async function runWorkflow(test: TestService, token: string, dryRun: boolean): Promise<Run> {
  const started = await api(test, token, 'POST', '/api/workflows/po-urgency/runs', { dryRun });
  if (started.status !== 202)
    throw new Error(`run not started: ${started.status} ${JSON.stringify(started.body)}`);
  return settledRun(test, token, (started.body as { run: Run }).run.id);
}
