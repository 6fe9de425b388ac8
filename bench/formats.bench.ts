/**
 * Benchmark: the streaming readers of src/formats on large files. Generates (as streams) a CSV of
 * BENCH_CSV_MB (default 1024) and an X12 interchange of BENCH_X12_MB (default 200) in a temp
 * folder, then reads each in a child process of its own — so the peak RSS is the reader's — with
 * erpbridge's readers and, for the CSV, with csv-parse alone for the throughput ratio. The child is
 * bundled with esbuild and runs on plain Node, as the CLI does. Prints a table and writes
 * bench/results/formats-latest.json.
 *
 * Targets: peak RSS < 200 MB for both files; CSV throughput ≥ 0.7 × csv-parse alone.
 *
 *   node bin/run-ts.mjs bench/formats.bench.ts                          # 1 GB CSV, 200 MB X12: ≈ 2 min
 *   BENCH_CSV_MB=50 BENCH_X12_MB=20 node bin/run-ts.mjs bench/formats.bench.ts   # a quick check
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import Table from 'cli-table3';
import { build } from 'esbuild';
import { generateCsv, generateX12 } from './formats/generate-files.ts';
import { writeResults } from './write-results.ts';

const ROOT = resolve(import.meta.dirname, '..');
const csvMb = Number(process.env.BENCH_CSV_MB ?? 1024);
const x12Mb = Number(process.env.BENCH_X12_MB ?? 200);
for (const [name, value] of [
  ['BENCH_CSV_MB', csvMb],
  ['BENCH_X12_MB', x12Mb],
] as const) {
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number of megabytes, not ${value}`);
}
/** Longest a child may run: a reader that hangs must not hang the benchmark. */
const CHILD_TIMEOUT_MS = 15 * 60 * 1000;
const RSS_TARGET_MB = 200;
const THROUGHPUT_TARGET = 0.7;

interface ReaderRun {
  file: 'csv' | 'x12';
  reader: string;
  megabytes: number;
  records: number;
  seconds: number;
  cpuSeconds: number;
  megabytesPerSecond: number;
  maxRssMb: number;
}

interface ChildAnswer {
  records: number;
  ms: number;
  cpuMs: number;
  maxRssMb: number;
}

function runChild(script: string, reader: string, file: string): Promise<ChildAnswer> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, '--reader', reader, '--file', file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${reader} did not finish within ${CHILD_TIMEOUT_MS} ms`));
    }, CHILD_TIMEOUT_MS);
    let answer: ChildAnswer | undefined;
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line.startsWith('{')) answer = JSON.parse(line);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0 && answer !== undefined) resolvePromise(answer);
      else reject(new Error(`${reader} exited with ${code}`));
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'erpbridge-bench-formats-'));
const runs: ReaderRun[] = [];
try {
  const script = join(dir, 'read-child.mjs');
  await build({
    entryPoints: [join(ROOT, 'bench/formats/read-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: script,
    logLevel: 'warning',
    // Bundled CommonJS dependencies (iconv-lite) call require().
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  const csvFile = join(dir, 'orders.csv');
  const x12File = join(dir, 'orders.x12');
  process.stderr.write(`bench: writing a ${csvMb} MB CSV and a ${x12Mb} MB X12 file to ${dir}…\n`);
  const csv = await generateCsv(csvFile, csvMb);
  const x12 = await generateX12(x12File, x12Mb);
  const plan: [ReaderRun['file'], string, string, number][] = [
    ['csv', 'csv-parse', csvFile, csv.bytes],
    ['csv', 'csv-records', csvFile, csv.bytes],
    ['csv', 'csv-batches', csvFile, csv.bytes],
    ['x12', 'x12', x12File, x12.bytes],
  ];
  for (const [file, reader, path, bytes] of plan) {
    process.stderr.write(`bench: ${reader} on ${(bytes / 2 ** 20).toFixed(0)} MB…\n`);
    const result = await runChild(script, reader, path);
    const megabytes = bytes / 2 ** 20;
    runs.push({
      file,
      reader,
      megabytes,
      records: result.records,
      seconds: result.ms / 1000,
      cpuSeconds: result.cpuMs / 1000,
      megabytesPerSecond: megabytes / (result.ms / 1000),
      maxRssMb: result.maxRssMb,
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const baseline = runs.find((run) => run.reader === 'csv-parse');
/** Throughput relative to csv-parse alone, by wall time and by CPU time. */
const ratio = (run: ReaderRun | undefined) =>
  baseline === undefined || run === undefined || run.file !== 'csv'
    ? undefined
    : { wall: baseline.seconds / run.seconds, cpu: baseline.cpuSeconds / run.cpuSeconds };
const table = new Table({
  head: [
    'file',
    'reader',
    'MB',
    'records / sets',
    'wall (s)',
    'CPU (s)',
    'MB/s',
    'peak RSS (MB)',
    '× csv-parse (wall / CPU)',
  ],
  style: { head: [], border: [] },
});
for (const run of runs) {
  table.push([
    run.file,
    run.reader,
    run.megabytes.toFixed(0),
    run.records,
    run.seconds.toFixed(2),
    run.cpuSeconds.toFixed(2),
    run.megabytesPerSecond.toFixed(1),
    run.maxRssMb.toFixed(0),
    ((r) => (r === undefined ? '' : `${r.wall.toFixed(2)} / ${r.cpu.toFixed(2)}`))(ratio(run)),
  ]);
}
process.stdout.write(`${table.toString()}\n`);
const ours = runs.filter((run) => run.reader !== 'csv-parse');
const targets = {
  peakRssBelowMb: RSS_TARGET_MB,
  rssHeld: ours.every((run) => run.maxRssMb < RSS_TARGET_MB),
  csvThroughputAtLeast: THROUGHPUT_TARGET,
  csvRecordsRatio: ratio(runs.find((run) => run.reader === 'csv-records')),
  csvBatchesRatio: ratio(runs.find((run) => run.reader === 'csv-batches')),
};
const show = (r: { wall: number; cpu: number } | undefined) =>
  r === undefined ? '?' : `${r.wall.toFixed(2)} wall, ${r.cpu.toFixed(2)} CPU`;
process.stdout.write(
  `peak RSS < ${RSS_TARGET_MB} MB for erpbridge's readers: ${targets.rssHeld ? 'held' : 'MISSED'}; CSV throughput vs csv-parse alone: ${show(targets.csvRecordsRatio)} (records), ${show(targets.csvBatchesRatio)} (batches); target ≥ ${THROUGHPUT_TARGET}\n`,
);
writeResults('formats', { csvMb, x12Mb, runs, targets });
