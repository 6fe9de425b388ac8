/**
 * Builds dist/: the TypeScript entry points bundled with esbuild (dependencies stay external), so
 * the CLI runs on plain Node — no loader thread, ~60 MB less memory and a faster start than running
 * the sources through tsx — and the web console (src/web, Preact) built with Vite into dist/web,
 * which the service serves. `ensureBuilt()` rebuilds each part when one of its sources is newer than
 * its output, so an edited checkout never runs stale code.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['src', 'sandbox', 'bench', 'workflows'];
export const ENTRIES = {
  cli: 'src/cli/main.ts',
  sandbox: 'sandbox/main.ts',
  'bench-engine-run': 'bench/engine-run.ts',
};
const STAMP = join(ROOT, 'dist/cli.mjs');

/** The console: its sources, its Vite config, and where it is built to. */
const WEB_SOURCES = 'src/web';
const WEB_CONFIG = join(ROOT, WEB_SOURCES, 'vite.config.ts');
const WEB_STAMP = join(ROOT, 'dist/web/index.html');
/** Every project file the last console build read (src/web imports a few engine files for types and constants). */
const WEB_INPUTS = join(ROOT, 'dist/web-inputs.json');

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

/** Newest mtime of the files under `dirs` that `include` accepts, and of package.json. */
function newestMtime(dirs, include) {
  let newest = mtime(join(ROOT, 'package.json'));
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (include(path)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of dirs) if (existsSync(join(ROOT, dir))) walk(join(ROOT, dir));
  return newest;
}

const WEB_DIR = join(ROOT, WEB_SOURCES) + sep;
const isNodeSource = (path) => path.endsWith('.ts') && !path.startsWith(WEB_DIR);

function newestWebInputMtime() {
  let newest = newestMtime([WEB_SOURCES], () => true);
  if (existsSync(WEB_INPUTS)) {
    for (const file of JSON.parse(readFileSync(WEB_INPUTS, 'utf8')))
      newest = Math.max(newest, mtime(join(ROOT, file)));
  }
  return newest;
}

async function buildNode() {
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

/** Records the project files the console build read, so `ensureBuilt` knows when it is stale. */
function recordWebInputs() {
  return {
    name: 'erpbridge:record-inputs',
    generateBundle() {
      const files = [...this.getModuleIds()]
        .filter((id) => id.startsWith(ROOT + sep) && !id.includes(`${sep}node_modules${sep}`))
        .map((id) => relative(ROOT, id.split('?')[0]));
      // The node bundle creates dist/ too, but the two builds run at once and either may finish first.
      mkdirSync(dirname(WEB_INPUTS), { recursive: true });
      writeFileSync(WEB_INPUTS, `${JSON.stringify([...new Set(files)].sort(), null, 2)}\n`);
    },
  };
}

async function buildWeb() {
  const { build: vite } = await import('vite');
  await vite({ configFile: WEB_CONFIG, logLevel: 'warn', plugins: [recordWebInputs()] });
}

/** Bundles every entry point into dist/ and builds the console into dist/web. */
export async function build() {
  await Promise.all([buildNode(), buildWeb()]);
}

/**
 * Builds each part of dist/ that is older than one of its sources. Without Vite (an install
 * without devDependencies) the console is not built and the CLI runs all the same, saying so.
 */
export async function ensureBuilt() {
  const builds = [];
  if (mtime(STAMP) < newestMtime(SOURCES, isNodeSource)) builds.push(buildNode());
  if (existsSync(WEB_CONFIG) && mtime(WEB_STAMP) < newestWebInputMtime()) {
    builds.push(
      buildWeb().catch((error) => {
        if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes("'vite'")) throw error;
        process.stderr.write(
          'erpbridge: the web console is not built (vite is not installed: npm install)\n',
        );
      }),
    );
  }
  await Promise.all(builds);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await build();
}
