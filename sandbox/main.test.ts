import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { callSandbox, removeDirectory, temporaryDirectory } from './test-support.ts';

const ROOT = resolve(import.meta.dirname, '..');
const directories: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  directories.forEach(removeDirectory);
});

function runMain(args: string[]) {
  const child = spawn(process.execPath, ['bin/run-ts.mjs', 'sandbox/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit').then(([code]) => code);
  const firstLine = new Promise<string>((resolveLine, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no line on stdout within 20 s; stderr: ${stderr}`)),
      20_000,
    );
    const check = () => {
      const end = stdout.indexOf('\n');
      if (end !== -1) {
        clearTimeout(timer);
        resolveLine(stdout.slice(0, end));
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`exited before listening; stderr: ${stderr}`));
    });
  });
  return { child, firstLine, exited, output: () => ({ stdout, stderr }) };
}

describe('sandbox/main.ts', () => {
  test('prints one listening line, serves, and exits cleanly on SIGTERM', async () => {
    const dataDir = temporaryDirectory();
    directories.push(dataDir);
    const run = runMain([
      '--port',
      '0',
      '--data',
      dataDir,
      '--orders',
      '40',
      '--history',
      '30',
      '--suppliers',
      '5',
      '--today',
      '2025-01-15',
      '--api-key',
      'spawned-key',
    ]);
    const line: unknown = JSON.parse(await run.firstLine);
    expect(line).toEqual({
      event: 'listening',
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      apiKey: 'spawned-key',
      dbPath: resolve(dataDir, 'sandbox.sqlite'),
      today: '2025-01-15',
    });
    const url = typeof line === 'object' && line !== null && 'url' in line ? String(line.url) : '';
    const health = await callSandbox({ url, apiKey: null }, '/_sandbox/health');
    expect(health.body).toEqual({ ok: true, orders: 40, today: '2025-01-15' });
    const page = await callSandbox({ url, apiKey: 'spawned-key' }, '/api/purchase_orders?status=open');
    expect(page.status).toBe(200);

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output().stdout.trim().split('\n')).toHaveLength(1);
    expect(run.output().stderr).toContain('"msg":"request"');
  });

  test('refuses bad arguments with a usage line and exit code 2', async () => {
    const run = runMain(['--port', '0']);
    await expect(run.firstLine).rejects.toThrow('exited before listening');
    expect(await run.exited).toBe(2);
    expect(run.output().stderr).toContain('--data is required');
    expect(run.output().stdout).toBe('');
  });

  test('--faults FILE.yaml starts with that fault config', async () => {
    const dataDir = temporaryDirectory();
    directories.push(dataDir);
    const faultsFile = join(dataDir, 'faults.yaml');
    writeFileSync(faultsFile, 'seed: 7\nerrors:\n  rates: { 503: 1 }\n  target: reads\n');
    const run = runMain([
      ...['--port', '0', '--data', dataDir, '--orders', '20', '--history', '5', '--suppliers', '5'],
      ...['--faults', faultsFile, '--quiet'],
    ]);
    const line: unknown = JSON.parse(await run.firstLine);
    const url = typeof line === 'object' && line !== null && 'url' in line ? String(line.url) : '';
    const faults = await callSandbox({ url, apiKey: null }, '/_sandbox/faults');
    expect(faults.body).toEqual({ seed: 7, errors: { rates: { '503': 1 }, target: 'reads' } });
    const read = await callSandbox({ url, apiKey: 'sandbox-key' }, '/api/suppliers');
    expect(read.status).toBe(503);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  test('a bad --faults file exits with code 2, naming the file, line and key', async () => {
    const dataDir = temporaryDirectory();
    directories.push(dataDir);
    const faultsFile = join(dataDir, 'faults.yaml');
    writeFileSync(faultsFile, 'seed: 7\nlatency:\n  fixedMs: -1\n');
    const run = runMain(['--port', '0', '--data', dataDir, '--faults', faultsFile]);
    await expect(run.firstLine).rejects.toThrow('exited before listening');
    expect(await run.exited).toBe(2);
    expect(run.output().stderr).toContain(`${faultsFile}:3 (faults.latency.fixedMs): must be at least 0`);
  });
});
