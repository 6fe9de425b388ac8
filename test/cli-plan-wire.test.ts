import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import {
  runCli,
  sandboxEnv,
  sandboxRequests,
  tempDir,
  testSandbox,
  writeTestConfig,
} from './support/harness.ts';

/** `plan <run> --wire` shows each change as the request its connector would send, and sends nothing. */
describe('plan --wire', () => {
  let sandbox: Sandbox;
  let config: string;

  beforeAll(async () => {
    const dir = tempDir('plan-wire');
    sandbox = await testSandbox(dir, { orders: 300, history: 2000 });
    config = writeTestConfig(dir);
  });
  afterAll(() => sandbox?.close());

  it('renders the REST request of each change: method, URL, If-Match, Idempotency-Key, body', async () => {
    const env = sandboxEnv(sandbox);
    const run = await runCli(['--config', config, 'run', 'po-urgency', '--as-of', sandbox.today, '-q'], {
      env,
    });
    expect(run.code, run.stderr).toBe(0);
    const runId = /(\d{8}-\d{6}-[0-9a-f]{4})/.exec(run.stdout)?.[1];
    expect(runId).toBeDefined();
    const writesBefore = (await sandboxRequests(sandbox, 'PATCH')).length;
    const plan = await runCli(['--config', config, 'plan', runId ?? '', '--limit', '2', '--wire'], { env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/PATCH http:\/\/127\.0\.0\.1:\d+\/api\/purchase_orders\/00\d{8}/);
    expect(plan.stdout).toMatch(/If-Match: "/);
    expect(plan.stdout).toMatch(/Idempotency-Key: [0-9a-f]{32}/);
    expect(plan.stdout).toMatch(/\{"priority":"1"\}/);
    expect(plan.stdout).not.toContain(sandbox.apiKey);
    expect((await sandboxRequests(sandbox, 'PATCH')).length).toBe(writesBefore);
  });
});
