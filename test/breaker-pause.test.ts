import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import {
  PROJECT_ROOT,
  sandboxEnv,
  sandboxRequests,
  tempDir,
  testSandbox,
  writeTestConfig,
} from './support/harness.ts';

describe('an ERP that goes down in the middle of a run', () => {
  let sandbox: Sandbox;
  let config: string;

  beforeAll(async () => {
    const dir = tempDir('breaker');
    sandbox = await testSandbox(dir, { orders: 6000, history: 3000 });
    config = writeTestConfig(dir, [
      ['    applyConcurrency: 8', '    applyConcurrency: 2'],
      [
        '    entities:\n',
        '    resilience:\n      retry: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 200 }\n      breaker: { failureThreshold: 5, halfOpenAfterMs: 400 }\n    entities:\n',
      ],
    ]);
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  const setFaults = (body: object | null) =>
    request(`${sandbox.url}/_sandbox/faults`, {
      method: body ? 'POST' : 'DELETE',
      ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    }).then((response) => response.body.dump());

  it('opens the breaker, pauses with one message instead of hammering, and completes once it is back', async () => {
    const child = spawn(
      process.execPath,
      [
        join(PROJECT_ROOT, 'bin/erpbridge.mjs'),
        '--config',
        config,
        'run',
        'po-urgency',
        '--apply',
        '--as-of',
        sandbox.today,
        '-q',
      ],
      { env: sandboxEnv(sandbox), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    // Down once apply is under way.
    while ((await sandboxRequests(sandbox, 'PATCH')).filter((entry) => entry.applied).length < 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await setFaults({ errors: { rates: { '500': 1 } } });
    const downSince = (await sandboxRequests(sandbox)).length;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const duringOutage = (await sandboxRequests(sandbox)).length - downSince;
    await setFaults(null);

    expect(await exited).toBe(0);
    // Five failures open it; then one probe every 400 ms per waiting call, not a flood.
    expect(duringOutage).toBeLessThan(60);
    expect(stderr.match(/the ERP keeps failing; pausing/g)).toHaveLength(1);
    expect(stderr).toMatch(/the ERP answers again; resuming/);

    const writes = (await sandboxRequests(sandbox, 'PATCH')).filter((entry) => entry.applied);
    const perOrder = new Map<string, number>();
    for (const write of writes)
      perOrder.set(write.poNumber ?? '', (perOrder.get(write.poNumber ?? '') ?? 0) + 1);
    expect([...perOrder].filter(([, count]) => count > 1)).toEqual([]);
  }, 120_000);
});
