/**
 * The CLI against a distributed deployment: `run`, `apply`, `revert` commit their work to the
 * queue and then wait for the workers, so a person sees the finished run as in the embedded mode;
 * `--no-wait` returns at once; with no worker, the command says so and a timeout stops the
 * waiting, never the run.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../src/distributed/test-until.ts';
import type { CliContext } from '../src/runtime/context.ts';
import {
  type Deployment,
  distributedUnavailable,
  killChildren,
  settled,
  startDeployment,
  type WorkerProcess,
} from './support/distributed.ts';
import { type CliResult, PROJECT_ROOT, runCli } from './support/harness.ts';

const unavailable = await distributedUnavailable();
if (unavailable) process.stderr.write(`skipping the distributed CLI tests: ${unavailable}\n`);

/** The value of one row of the run summary table (`│ applied │ 12 │`), or undefined. */
function summaryValue(stdout: string, row: string): string | undefined {
  const line = stdout.split('\n').find((text) => new RegExp(`│\\s*${row}\\s*│`).test(text));
  return line?.split('│')[2]?.trim();
}

describe.skipIf(unavailable !== null)('distributed: the CLI waits for the workers', () => {
  let deployment: Deployment;
  let context: CliContext;
  let worker: WorkerProcess;
  const cli = (...args: string[]): Promise<CliResult> =>
    runCli(['--config', deployment.configFile, ...args], { env: deployment.env });

  beforeAll(async () => {
    deployment = await startDeployment({
      name: 'cli',
      orders: 400,
      history: 3000,
      workflow: { labels: ['urgent', 'high'], policy: 'auto' },
      requestsPerSecond: null,
    });
    context = await deployment.open();
    worker = await deployment.startWorker();
  }, 120_000);

  afterAll(async () => {
    killChildren();
    await context?.close();
    await deployment?.cleanup();
  });

  it('run --apply and revert print the finished run, as the embedded mode does', async () => {
    const ran = await cli('run', 'po-urgency', '--apply', '--as-of', '2026-11-02', '--quiet');
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const runId = summaryValue(ran.stdout, 'run') ?? '';
    expect(summaryValue(ran.stdout, 'state')).toBe('completed');
    const counts = await context.store.countChanges(runId);
    expect(counts.applied).toBeGreaterThan(0);
    expect(summaryValue(ran.stdout, 'applied')).toBe(String(counts.applied));
    expect((await context.store.getRun(runId))?.state).toBe('completed');

    const reverted = await cli('revert', runId, '--by', 'anna', '--quiet');
    expect(reverted.code).toBe(0);
    expect(reverted.stdout).toContain(`reverted ${counts.applied} changes; 0 records changed since`);
    const revertId = summaryValue(reverted.stdout, 'run') ?? '';
    expect((await context.store.countChanges(revertId)).applied).toBe(counts.applied);
  }, 180_000);

  it('--no-wait returns once the run is queued; the workers finish it', async () => {
    const queued = await cli('run', 'po-urgency', '--no-wait', '--as-of', '2026-11-02');
    expect(queued.code).toBe(0);
    const runId = summaryValue(queued.stdout, 'run') ?? '';
    expect(queued.stderr).toContain(`run ${runId} is queued for the workers`);
    expect(queued.stdout).not.toContain('Dry run: nothing was written');
    expect((await settled(context, runId, 120_000)).state).toBe('planned');
  }, 180_000);

  it('with no worker it says so, and a timeout stops the waiting, not the run', async () => {
    expect(await worker.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const waited = await cli('run', 'po-urgency', '--timeout', '17', '--as-of', '2026-11-02');
    expect(waited.code).toBe(5);
    const runId = summaryValue(waited.stdout, 'run') ?? waited.stderr.match(/run (\S+) is still/)?.[1] ?? '';
    expect(waited.stderr).toContain(`run ${runId} is running and has not moved for 15 s`);
    expect(waited.stderr).toContain('is an `erpbridge worker` running?');
    expect(waited.stderr).toContain(
      `erpbridge: waited 17 s; run ${runId} is still running and goes on in the workers: follow it with \`erpbridge show ${runId}\``,
    );
    expect((await context.store.getRun(runId))?.state).toBe('running');

    // Ctrl-C while waiting: the command stops waiting and says so; the run stays queued.
    const child = spawn(
      process.execPath,
      [
        join(PROJECT_ROOT, 'bin/erpbridge.mjs'),
        '--config',
        deployment.configFile,
        'run',
        'po-urgency',
        '--as-of',
        '2026-11-02',
      ],
      { cwd: PROJECT_ROOT, env: deployment.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Its first progress line: it is waiting.
    await until(() => stderr.includes('extract: 0'), 30_000, 'the command waits for the run');
    child.kill('SIGINT');
    expect(await exited).toBe(5);
    expect(stderr).toContain(`resuming run ${runId}`);
    expect(stderr).toContain(
      `erpbridge: stopped waiting; run ${runId} is still running and goes on in the workers`,
    );

    await deployment.startWorker();
    expect((await settled(context, runId, 120_000)).state).toBe('planned');
  }, 180_000);

  it('refuses a bad --timeout before queueing anything', async () => {
    const before = (await context.store.listRuns({ limit: 100 })).length;
    const refused = await cli('run', 'po-urgency', '--timeout', 'soon');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe("erpbridge: --timeout takes a number of seconds above 0, got 'soon'\n");
    expect((await context.store.listRuns({ limit: 100 })).length).toBe(before);
  }, 60_000);
});
