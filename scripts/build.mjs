/**
 * Bundles the TypeScript entry points into dist/ with esbuild (dependencies stay external), so the
 * CLI runs on plain Node: no loader thread, ~60 MB less memory and a faster start than running the
 * sources through tsx. `ensureBuilt()` rebuilds when any source is newer than the bundle, so an
 * edited checkout never runs stale code.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['src', 'sandbox', 'bench', 'workflows'];
export const ENTRIES = {
  cli: 'src/cli/main.ts',
  sandbox: 'sandbox/main.ts',
  'bench-engine-run': 'bench/engine-run.ts',
};
const STAMP = join(ROOT, 'dist/cli.mjs');

function newestSourceMtime() {
  let newest = statSync(join(ROOT, 'package.json')).mtimeMs;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of SOURCES) if (existsSync(join(ROOT, dir))) walk(join(ROOT, dir));
  return newest;
}

export async function build() {
  const { build: esbuild } = await import('esbuild');
  await esbuild({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, join(ROOT, file)])),
    outdir: join(ROOT, 'dist'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

/** Builds dist/ unless it is newer than every source file. */
export async function ensureBuilt() {
  if (existsSync(STAMP) && statSync(STAMP).mtimeMs >= newestSourceMtime()) return;
  await build();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await build();
}
