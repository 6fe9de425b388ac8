import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import {
  PROJECT_ROOT,
  runCli,
  sandboxEnv,
  sandboxRequests,
  tempDir,
  testSandbox,
  writeTestConfig,
} from './support/harness.ts';

/**
 * The sandbox at its worst — 10 % 5xx, 3 % hangs, 2 % lost answers to applied writes, 429 bursts,
 * OAuth tokens expiring every 10 s and a 5 s maintenance window — and po-urgency under `auto`
 * through the real CLI. Every change ends applied or dead-lettered with a reason; the sandbox's
 * own log shows no record written twice; the audit verifies; no secret reaches any output.
 */
const CLIENT_SECRET = 'chaos-client-secret-7f3a9c';

async function chaosSandbox(): Promise<{
  dir: string;
  sandbox: Sandbox;
  config: string;
  env: NodeJS.ProcessEnv;
}> {
  const dir = tempDir('chaos');
  const sandbox = await testSandbox(dir, {
    orders: 2000,
    history: 4000,
    faults: {
      seed: 2026,
      errors: { rates: { '500': 0.03, '502': 0.03, '503': 0.02, '504': 0.02 } },
      hangs: { rate: 0.03 },
      lostAnswers: { rate: 0.02, mode: 502 },
      bursts429: { every: 200, length: 10 },
      maintenance: { startAfterMs: 2500, durationMs: 5000 },
      oauth: { clientId: 'erp-client', clientSecret: CLIENT_SECRET, tokenTtlSeconds: 10 },
    },
  });
  const config = writeTestConfig(dir, [
    [
      '    auth:\n      kind: bearer\n      token: ${SANDBOX_API_KEY:-sandbox-key}\n',
      [
        '    auth:',
        '      kind: oauth2-client-credentials',
        '      tokenUrl: /oauth/token',
        '      clientId: erp-client',
        '      clientSecret: ${SANDBOX_CLIENT_SECRET}',
        '      refreshBeforeExpirySeconds: 2',
        '    resilience:',
        '      timeoutMs: 1000',
        '      retry: { maxAttempts: 12, baseDelayMs: 50, maxDelayMs: 1000 }',
        '      breaker: { failureThreshold: 25, halfOpenAfterMs: 500 }',
        '',
      ].join('\n'),
    ],
  ]);
  return { dir, sandbox, config, env: { ...sandboxEnv(sandbox), SANDBOX_CLIENT_SECRET: CLIENT_SECRET } };
}

/** What a chaos run must end with, read from the store and from the sandbox's own log. */
async function expectCleanEnd(dir: string, sandbox: Sandbox): Promise<{ runErrors: string[] }> {
  const store = new Database(join(dir, 'erpbridge.sqlite'), { readonly: true });
  const states = new Map<string, number>();
  for (const row of store.prepare('SELECT state, count(*) AS n FROM changes GROUP BY state').all()) {
    states.set(String(Reflect.get(Object(row), 'state')), Number(Reflect.get(Object(row), 'n')));
  }
  const deadLetters = store.prepare("SELECT count(*) FROM dead_letters WHERE stage = 'apply'").pluck().get();
  const read = store.prepare('SELECT count(*) FROM items').pluck().get();
  const runErrors = store.prepare('SELECT error FROM runs WHERE error IS NOT NULL').pluck().all().map(String);
  store.close();

  expect(read).toBe(2000);
  expect(states.get('approved') ?? 0).toBe(0);
  expect(states.get('applying') ?? 0).toBe(0);
  expect(states.get('applied') ?? 0).toBeGreaterThan(50);
  expect(states.get('failed') ?? 0).toBe(deadLetters);

  const writes = (await sandboxRequests(sandbox, 'PATCH')).filter((entry) => entry.applied);
  const perOrder = new Map<string, number>();
  for (const write of writes)
    perOrder.set(write.poNumber ?? '', (perOrder.get(write.poNumber ?? '') ?? 0) + 1);
  expect([...perOrder].filter(([, count]) => count > 1)).toEqual([]);
  expect(writes).toHaveLength(states.get('applied') ?? -1);
  return { runErrors };
}

describe('chaos: po-urgency against a failing, rate-limited, token-expiring sandbox', () => {
  let chaos: Awaited<ReturnType<typeof chaosSandbox>>;

  beforeAll(async () => {
    chaos = await chaosSandbox();
  });

  afterAll(async () => {
    await chaos?.sandbox.close();
  });

  it('ends with every change applied or dead-lettered, none written twice, the audit intact', async () => {
    const { dir, sandbox, config, env } = chaos;
    const run = await runCli(['--config', config, 'run', 'po-urgency', '--apply', '--as-of', sandbox.today], {
      env,
    });
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.code).toBe(0);
    const { runErrors } = await expectCleanEnd(dir, sandbox);

    const faults = new Set((await sandboxRequests(sandbox)).map((entry) => entry.fault));
    for (const fault of ['hang', 'lost-502', '503-maintenance', '429-burst', 'error-500'])
      expect(faults).toContain(fault);

    const verify = await runCli(['--config', config, 'audit', 'verify'], { env });
    expect(verify.stdout).toMatch(/audit log intact/);
    const runId = /run\s+│\s+(\S+)/.exec(run.stdout)?.[1] ?? '';
    const shown = await runCli(['--config', config, 'show', runId], { env });
    expect(shown.stdout).toMatch(/connector sandbox: \d+ requests, [1-9]\d* retries, [1-9]\d* answered 429/);

    // No secret anywhere a person or a log collector would see it.
    for (const text of [run.stdout, run.stderr, verify.stdout, shown.stdout, ...runErrors]) {
      expect(text).not.toContain(CLIENT_SECRET);
    }
  }, 180_000);
});

describe('chaos with the engine killed twice', () => {
  let chaos: Awaited<ReturnType<typeof chaosSandbox>>;

  beforeAll(async () => {
    chaos = await chaosSandbox();
  });

  afterAll(async () => {
    await chaos?.sandbox.close();
  });

  it('SIGKILLed at two points and run again, it reaches the same end state with no duplicate', async () => {
    const { dir, sandbox, config, env } = chaos;
    const args = ['--config', config, 'run', 'po-urgency', '--apply', '--as-of', sandbox.today, '-q'];
    // Two fixed points: the first lands while planning or early in apply, the second in apply.
    for (const killAfterMs of [2500, 4000]) {
      const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin/erpbridge.mjs'), ...args], {
        env,
        stdio: 'ignore',
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, signal) => resolve(signal)),
      );
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      const signal = await exited;
      clearTimeout(timer);
      expect(signal).toBe('SIGKILL');
    }
    const finish = await runCli(args, { env });
    expect(finish.stderr).toMatch(/resuming run/);
    expect(finish.code).toBe(0);
    await expectCleanEnd(dir, sandbox);
    const verify = await runCli(['--config', config, 'audit', 'verify'], { env });
    expect(verify.stdout).toMatch(/audit log intact/);
  }, 180_000);
});
