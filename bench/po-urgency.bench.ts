/**
 * Benchmark: po-urgency over 10,000 and 100,000 open orders against the sandbox running as its own
 * process. Measures the engine process end to end (extract → classify → plan → apply of the urgent
 * orders, every item's state and the audit persisted): wall time, items/s for extract→plan and for
 * apply, and its peak RSS. Prints a table and writes JSON under bench/results/.
 *
 *   npm run bench                      # 10k and 100k
 *   BENCH_SIZES=10000 npm run bench    # just one size
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import Table from 'cli-table3';
import { ensureBuilt } from '../scripts/build.mjs';
import { writeResults } from './write-results.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
const TODAY = '2026-11-02';
const sizes = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);

interface SizeResult {
  orders: number;
  seedMs: number;
  trainMs: number;
  wallMs: number;
  read: number;
  extractMs: number;
  applyMs: number;
  extractItemsPerSecond: number;
  applied: number;
  applyItemsPerSecond: number;
  conflicts: number;
  failed: number;
  maxRssMb: number;
  sandboxRequests: number;
}

/** Starts a child and resolves with the first stdout line that parses as JSON. */
function firstJsonLine(child: ChildProcess): Promise<Record<string, unknown>> {
  return new Promise((resolvePromise, reject) => {
    if (!child.stdout) throw new Error('child has no stdout');
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      lines.close();
      resolvePromise(JSON.parse(line));
    });
    child.on('exit', (code) => reject(new Error(`child exited with ${code} before reporting`)));
  });
}

async function runChild(args: string[]): Promise<{ line: Record<string, unknown>; ms: number }> {
  const started = performance.now();
  // The same V8 flags the erpbridge CLI runs with (bin/erpbridge.mjs).
  const child = spawn(process.execPath, ['--max-old-space-size=1024', '--enable-source-maps', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await firstJsonLine(child);
  await new Promise((resolvePromise) => child.on('exit', resolvePromise));
  if (child.exitCode !== 0) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
  return { line, ms: performance.now() - started };
}

async function benchSize(orders: number): Promise<SizeResult> {
  const dir = mkdtempSync(join(tmpdir(), `erpbridge-bench-${orders}-`));
  const seedStarted = performance.now();
  const sandbox = spawn(
    process.execPath,
    [
      join(DIST, 'sandbox.mjs'),
      '--port',
      '0',
      '--data',
      join(dir, 'sandbox'),
      '--orders',
      String(orders),
      '--today',
      TODAY,
      '--quiet',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const listening = await firstJsonLine(sandbox);
    const seedMs = performance.now() - seedStarted;
    const url = String(listening.url);
    const config = readFileSync(join(ROOT, 'erpbridge.yaml'), 'utf8')
      .replace('path: .erpbridge/erpbridge.sqlite', `path: ${join(dir, 'erpbridge.sqlite')}`)
      .replace('${SANDBOX_URL:-http://127.0.0.1:4010}', url);
    const configFile = join(dir, 'erpbridge.yaml');
    writeFileSync(configFile, config);

    const prepared = await runChild([
      join(DIST, 'bench-engine-run.mjs'),
      '--config',
      configFile,
      '--prepare',
    ]);
    const { line: run, ms: wallMs } = await runChild([
      join(DIST, 'bench-engine-run.mjs'),
      '--config',
      configFile,
      '--as-of',
      TODAY,
    ]);
    const changes = (run.changes ?? {}) as Record<string, number>;
    const log: unknown = await fetch(`${url}/_sandbox/requests`).then((response) => response.json());
    const requests = typeof log === 'object' && log !== null ? Reflect.get(log, 'requests') : undefined;
    const extractMs = Number(run.extractMs);
    const applyMs = Number(run.applyMs);
    const applied = changes.applied ?? 0;
    return {
      orders,
      seedMs,
      trainMs: prepared.ms,
      wallMs,
      read: Number(run.read),
      extractMs,
      applyMs,
      extractItemsPerSecond: Number(run.read) / (extractMs / 1000),
      applied,
      applyItemsPerSecond: applied / (applyMs / 1000),
      conflicts: changes.conflict ?? 0,
      failed: changes.failed ?? 0,
      maxRssMb: Number(run.maxRssMb),
      sandboxRequests: Array.isArray(requests) ? requests.length : -1,
    };
  } finally {
    sandbox.kill('SIGTERM');
    await new Promise((resolvePromise) => sandbox.on('exit', resolvePromise));
    rmSync(dir, { recursive: true, force: true });
  }
}

// The engine and the sandbox run as users run them: plain Node on the bundle (see scripts/build.mjs).
await ensureBuilt();
const results: SizeResult[] = [];
for (const size of sizes) {
  process.stderr.write(`bench: po-urgency over ${size} open orders…\n`);
  results.push(await benchSize(size));
}

const table = new Table({
  head: [
    'open orders',
    'wall (s)',
    'extract→plan items/s',
    'applied',
    'apply items/s',
    'peak RSS (MB)',
    'requests',
    'train (s)',
  ],
  style: { head: [], border: [] },
});
for (const r of results) {
  table.push([
    r.orders,
    (r.wallMs / 1000).toFixed(2),
    Math.round(r.extractItemsPerSecond),
    `${r.applied}${r.conflicts || r.failed ? ` (+${r.conflicts} conflicts, ${r.failed} failed)` : ''}`,
    Math.round(r.applyItemsPerSecond),
    r.maxRssMb.toFixed(0),
    r.sandboxRequests,
    (r.trainMs / 1000).toFixed(2),
  ]);
}
process.stdout.write(`${table.toString()}\n`);
process.stdout.write(
  'wall = the engine process from spawn to exit (extract → classify → plan → apply, all persisted);\n',
);
process.stdout.write(
  'train = a separate first-use process that trains the embedded model on 20,000 closed orders.\n',
);

writeResults('po-urgency', { results });
