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

describe('a run killed with SIGKILL in the middle of apply', () => {
  let dir: string;
  let sandbox: Sandbox;
  let config: string;

  beforeAll(async () => {
    dir = tempDir('crash');
    sandbox = await testSandbox(dir, { orders: 8000 });
    // One write at a time keeps apply long enough to be killed in its middle.
    config = writeTestConfig(dir, [['applyConcurrency: 8', 'applyConcurrency: 1']]);
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('resumes on the same command and applies every change exactly once', async () => {
    const args = ['--config', config, 'run', 'po-urgency', '--apply', '--as-of', sandbox.today, '--quiet'];
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin/erpbridge.mjs'), ...args], {
      env: sandboxEnv(sandbox),
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );

    // Kill it once a few dozen writes have landed: the sandbox's own log says when.
    const deadline = Date.now() + 60_000;
    let appliedBeforeKill = 0;
    while (Date.now() < deadline) {
      appliedBeforeKill = (await sandboxRequests(sandbox, 'PATCH')).filter((entry) => entry.applied).length;
      if (appliedBeforeKill >= 40) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(appliedBeforeKill).toBeGreaterThanOrEqual(40);

    const store = new Database(join(dir, 'erpbridge.sqlite'), { readonly: true });
    const { planned } = store
      .prepare("SELECT count(*) AS planned FROM changes WHERE state != 'pending'")
      .get() as {
      planned: number;
    };
    store.close();
    const appliedAtKill = (await sandboxRequests(sandbox, 'PATCH')).filter((entry) => entry.applied).length;
    expect(appliedAtKill).toBeLessThan(planned);

    const rerun = await runCli(args, { env: sandboxEnv(sandbox) });
    expect(rerun.stderr).toMatch(/resuming run/);
    expect(rerun.code).toBe(0);

    const writes = (await sandboxRequests(sandbox, 'PATCH')).filter((entry) => entry.applied);
    const perOrder = new Map<string, number>();
    for (const write of writes)
      perOrder.set(write.poNumber ?? '', (perOrder.get(write.poNumber ?? '') ?? 0) + 1);
    const duplicates = [...perOrder].filter(([, count]) => count > 1);
    expect(duplicates).toEqual([]);

    const after = new Database(join(dir, 'erpbridge.sqlite'), { readonly: true });
    const states = after.prepare('SELECT state, count(*) AS n FROM changes GROUP BY state').all() as {
      state: string;
      n: number;
    }[];
    after.close();
    const applied = states.find((row) => row.state === 'applied')?.n ?? 0;
    expect(states.filter((row) => !['applied', 'pending'].includes(row.state))).toEqual([]);
    expect(writes).toHaveLength(applied);
    expect(perOrder.size).toBe(applied);

    const verify = await runCli(['--config', config, 'audit', 'verify'], { env: sandboxEnv(sandbox) });
    expect(verify.stdout).toMatch(/audit log intact/);
  });
});
