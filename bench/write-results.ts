import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

const RESULTS = resolve(import.meta.dirname, 'results');

/**
 * Writes a benchmark's results with the machine they were measured on, as
 * `bench/results/<name>-<time>.json` and `<name>-latest.json`, and says where.
 */
export function writeResults(name: string, results: Record<string, unknown>): void {
  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: totalmem() / 2 ** 30,
  };
  const at = new Date().toISOString();
  const body = JSON.stringify({ benchmark: name, at, machine, ...results }, null, 2);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `${name}-${at.replace(/[:.]/g, '-')}.json`), body);
  writeFileSync(join(RESULTS, `${name}-latest.json`), body);
  process.stdout.write(`results: bench/results/${name}-latest.json\n`);
}
