import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { trytonEntities } from '../../src/profiles/tryton/index.ts';
import { type TrytonClient, trytonClient } from '../tryton/json-rpc-client.ts';
import { seedTryton, TRYTON_SEED_VERSION, TRYTON_USERS, type TrytonSeedInfo } from '../tryton/seed.ts';
import { PROJECT_ROOT } from './harness.ts';

/**
 * A real Tryton 6.0 for the tests, from Debian packages.
 *
 * 1. {@link prepareTryton} makes sure `tryton-server` and `tryton-modules-purchase` are installed
 *    (`scripts/tryton/install.sh` as root when they are not), then makes sure a seeded database
 *    exists in the cache folder: a fresh SQLite database with the purchase module activated
 *    (`trytond-admin --all`, the admin password from TRYTONPASSFILE, no prompt), seeded over RPC
 *    (test/tryton/seed.ts). The file is keyed by the seed version and trytond's version, built once
 *    under a lock (test files run in parallel) and reused by every later run.
 * 2. {@link startTryton} copies that file to a folder of its own and starts `trytond` on 127.0.0.1
 *    and a free port; `stop()` ends that process only.
 *
 * Outside CI, a machine where Tryton cannot be installed or started skips the Tryton tests with one
 * line on stderr (as does ERPBRIDGE_TRYTON=off, to skip them on purpose); under CI=true the same is a
 * failure.
 */

export const TRYTON_DATABASE = 'erpbridge';

/** Where seeded databases are cached; override with ERPBRIDGE_TRYTON_CACHE. */
const CACHE_DIR = process.env.ERPBRIDGE_TRYTON_CACHE ?? join(tmpdir(), 'erpbridge-tryton-cache');
/** Working copies live in memory when the machine has /dev/shm: SQLite's fsyncs cost nothing there. */
const WORK_ROOT = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const ADMIN_TIMEOUT_MS = 5 * 60_000;
const START_TIMEOUT_MS = 30_000;
const LOCK_STALE_MS = 10 * 60_000;

/** How long the harness took, for the report and the bench notes. */
export interface TrytonTimings {
  installMs: number;
  /** Building the seeded database in all (0 when the cache had it)… */
  seedMs: number;
  /** …of which trytond-admin (creating the database, activating the modules)… */
  adminMs: number;
  /** …and seeding over RPC. */
  rpcMs: number;
  seedCached: boolean;
}

export type TrytonAvailability =
  | { ok: true; database: string; seed: TrytonSeedInfo; timings: TrytonTimings }
  | { ok: false; reason: string };

let prepared: Promise<TrytonAvailability> | undefined;

/**
 * Installs Tryton if needed and makes sure the seeded database is cached. Call it at the top of a
 * test file (`const tryton = await prepareTryton()`) and skip the suite when `ok` is false.
 *
 * @throws under CI=true, when Tryton cannot be had: CI must run these tests.
 */
export function prepareTryton(): Promise<TrytonAvailability> {
  prepared ??= prepare();
  return prepared;
}

async function prepare(): Promise<TrytonAvailability> {
  if (process.env.ERPBRIDGE_TRYTON === 'off') return unavailable('turned off by ERPBRIDGE_TRYTON=off');
  const started = performance.now();
  const missing = ensureInstalled();
  const installMs = Math.round(performance.now() - started);
  if (missing !== undefined) return unavailable(missing);
  try {
    const seedStarted = performance.now();
    const cached = await ensureSeededDatabase();
    return {
      ok: true,
      database: cached.database,
      seed: cached.seed,
      timings: {
        installMs,
        seedMs: cached.built ? Math.round(performance.now() - seedStarted) : 0,
        adminMs: cached.build?.adminMs ?? 0,
        rpcMs: cached.build?.rpcMs ?? 0,
        seedCached: !cached.built,
      },
    };
  } catch (error) {
    return unavailable(
      `the seeded database could not be built: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function unavailable(reason: string): TrytonAvailability {
  if (process.env.CI === 'true') throw new Error(`Tryton is required under CI=true: ${reason}`);
  process.stderr.write(`tryton tests skipped: ${reason}\n`);
  return { ok: false, reason };
}

/** undefined when trytond and the purchase module are there (installing them if we may), else why not. */
function ensureInstalled(): string | undefined {
  if (isInstalled()) return undefined;
  const root = process.getuid?.() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) {
    return 'Tryton is not installed (tryton-server, tryton-modules-purchase); run scripts/tryton/install.sh as root';
  }
  const result = spawnSync('bash', [join(PROJECT_ROOT, 'scripts/tryton/install.sh')], {
    encoding: 'utf8',
    timeout: INSTALL_TIMEOUT_MS,
  });
  if (result.status !== 0 || !isInstalled()) {
    const detail = (result.stderr || result.error?.message || '').trim().split('\n').slice(-1)[0];
    return `installing Tryton failed (scripts/tryton/install.sh): ${detail}`;
  }
  return undefined;
}

function isInstalled(): boolean {
  return existsSync('/usr/bin/trytond') && existsSync('/usr/bin/trytond-admin') && trytondModule('purchase');
}

function trytondModule(name: string): boolean {
  return existsSync(`/usr/lib/python3/dist-packages/trytond/modules/${name}/tryton.cfg`);
}

function trytondVersion(): string {
  const result = spawnSync('/usr/bin/trytond', ['--version'], { encoding: 'utf8', timeout: 30_000 });
  const version = /(\d+\.\d+\.\d+)/.exec(`${result.stdout}${result.stderr}`)?.[1];
  if (version === undefined) throw new Error(`trytond --version answered ${JSON.stringify(result.stdout)}`);
  return version;
}

// ---------------------------------------------------------------------------------------------
// The seeded database, cached

interface SeededDatabase {
  database: string;
  seed: TrytonSeedInfo;
  built: boolean;
  build?: { adminMs: number; rpcMs: number };
}

async function ensureSeededDatabase(): Promise<SeededDatabase> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const key = `seed-v${TRYTON_SEED_VERSION}-trytond-${trytondVersion()}`;
  const database = join(CACHE_DIR, `${key}.sqlite`);
  const info = join(CACHE_DIR, `${key}.json`);
  const read = () => ({ database, seed: parseSeedInfo(readFileSync(info, 'utf8')) });
  if (existsSync(database) && existsSync(info)) return { ...read(), built: false };

  const lock = join(CACHE_DIR, `${key}.lock`);
  const deadline = Date.now() + ADMIN_TIMEOUT_MS * 2;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (!isCode(error, 'EEXIST')) throw error;
    }
    if (existsSync(database) && existsSync(info)) return { ...read(), built: false };
    if (isStale(lock)) rmSync(lock, { recursive: true, force: true });
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${lock}; remove it if no test run is building`);
    await sleep(250);
  }
  try {
    if (existsSync(database) && existsSync(info)) return { ...read(), built: false };
    const { seed, adminMs, rpcMs } = await buildSeededDatabase(database);
    writeAtomically(info, JSON.stringify(seed, null, 2));
    return { database, seed, built: true, build: { adminMs, rpcMs } };
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function buildSeededDatabase(
  target: string,
): Promise<{ seed: TrytonSeedInfo; adminMs: number; rpcMs: number }> {
  const dir = mkdtempSync(join(WORK_ROOT, 'erpbridge-tryton-seed-'));
  const started = performance.now();
  try {
    const file = join(dir, `${TRYTON_DATABASE}.sqlite`);
    writeFileSync(file, '');
    const config = writeServerConfig(dir);
    const passfile = join(dir, 'admin-password');
    writeFileSync(passfile, TRYTON_USERS.admin.password, { mode: 0o600 });
    const admin = spawnSync(
      '/usr/bin/trytond-admin',
      [
        '-c',
        config,
        '-d',
        TRYTON_DATABASE,
        '--all',
        '-u',
        'purchase',
        '--activate-dependencies',
        '--email',
        'admin@example.com',
      ],
      { encoding: 'utf8', timeout: ADMIN_TIMEOUT_MS, env: { ...process.env, TRYTONPASSFILE: passfile } },
    );
    if (admin.status !== 0) {
      throw new Error(
        `trytond-admin failed: ${(admin.stderr || admin.error?.message || '').trim().split('\n').slice(-3).join(' ')}`,
      );
    }
    const adminMs = Math.round(performance.now() - started);
    const server = await launch(dir, config);
    let seed: TrytonSeedInfo;
    try {
      const url = server.url;
      const adminClient = trytonClient(url, TRYTON_DATABASE, TRYTON_USERS.admin);
      seed = await seedTryton(adminClient, (company) =>
        trytonClient(url, TRYTON_DATABASE, TRYTON_USERS.admin, { company }),
      );
    } finally {
      await server.stop();
    }
    const rpcMs = Math.round(performance.now() - started) - adminMs;
    const partial = `${target}.${process.pid}.partial`;
    copyFileSync(file, partial);
    renameSync(partial, target);
    return { seed, adminMs, rpcMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A lock whose builder died (killed test run) or that is older than any build takes. */
function isStale(lock: string): boolean {
  try {
    if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) return true;
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // ESRCH: no such process, the builder is gone. ENOENT: the lock went away or has no pid yet.
    return isCode(error, 'ESRCH');
  }
}

function parseSeedInfo(text: string): TrytonSeedInfo {
  const parsed: TrytonSeedInfo = JSON.parse(text);
  if (parsed.version !== TRYTON_SEED_VERSION) throw new Error('the cached seed info is of another version');
  return parsed;
}

function writeAtomically(file: string, content: string): void {
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, content);
  renameSync(partial, file);
}

// ---------------------------------------------------------------------------------------------
// Servers

/** A running trytond on a copy of the seeded database. */
export interface TrytonServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  database: string;
  seed: TrytonSeedInfo;
  /** The folder with the database copy, the config and the server's log. */
  dir: string;
  /** Milliseconds from spawning trytond to its first answer. */
  startMs: number;
  /** A plain JSON-RPC client logged in as one of the seeded users, in the company's context. */
  client(user: keyof typeof TRYTON_USERS): TrytonClient;
  /**
   * Ages every session of `login` past Tryton's `[session] max_age` (30 days), in the database file
   * itself, so the server's next check finds it expired. Returns how many sessions were aged.
   */
  expireSessions(login: string): number;
  /**
   * An `rpc` connector configuration for this server as the `erpbridge` user (password from
   * `${TRYTON_PASSWORD}`, see {@link TrytonServer.env}), with the tryton profile's entities.
   */
  connectorConfig(
    protocol: 'json-rpc' | 'xml-rpc',
    overrides?: Record<string, unknown>,
  ): Record<string, unknown>;
  /** The environment `connectorConfig` resolves against. */
  env: Record<string, string>;
  /** Stops this server (and only it) and removes its folder. Idempotent. */
  stop(): Promise<void>;
}

/** Starts trytond on a fresh copy of the prepared database. */
export async function startTryton(
  available: Extract<TrytonAvailability, { ok: true }>,
): Promise<TrytonServer> {
  const dir = mkdtempSync(join(WORK_ROOT, 'erpbridge-tryton-'));
  const file = join(dir, `${TRYTON_DATABASE}.sqlite`);
  copyFileSync(available.database, file);
  const started = performance.now();
  const server = await launch(dir, writeServerConfig(dir)).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const startMs = Math.round(performance.now() - started);
  const { url } = server;
  const env = { TRYTON_PASSWORD: TRYTON_USERS.erpbridge.password };
  let stopped: Promise<void> | undefined;
  return {
    url,
    database: TRYTON_DATABASE,
    seed: available.seed,
    dir,
    startMs,
    env,
    client: (user) =>
      trytonClient(url, TRYTON_DATABASE, TRYTON_USERS[user], { company: available.seed.companyId }),
    expireSessions(login) {
      const db = new Database(file, { timeout: 10_000 });
      try {
        const aged = db
          .prepare(
            `UPDATE ir_session SET create_date = '2000-01-01 00:00:00', write_date = NULL
             WHERE create_uid = (SELECT id FROM res_user WHERE login = ?)`,
          )
          .run(login);
        return aged.changes;
      } finally {
        db.close();
      }
    },
    connectorConfig: (protocol, overrides = {}) => ({
      kind: 'rpc',
      dialect: 'tryton',
      protocol,
      baseUrl: url,
      database: TRYTON_DATABASE,
      auth: { username: TRYTON_USERS.erpbridge.username, password: '${TRYTON_PASSWORD}' },
      context: { company: available.seed.companyId },
      timeoutMs: 30_000,
      entities: trytonEntities,
      ...overrides,
    }),
    stop() {
      stopped ??= server.stop().finally(() => rmSync(dir, { recursive: true, force: true }));
      return stopped;
    },
  };
}

function writeServerConfig(dir: string): string {
  const config = join(dir, 'trytond.conf');
  writeFileSync(
    config,
    [
      '[database]',
      'uri = sqlite://',
      `path = ${dir}`,
      'list = False',
      '[web]',
      // Port 0: the kernel picks a free port, and werkzeug prints it.
      'listen = 127.0.0.1:0',
      `root = ${join(dir, 'www')}`,
      '[session]',
      // Two failed logins, then 429: Tryton sleeps up to 2^failures - 1 s per failed login, so the
      // default of 5 would make the lockout test wait a minute.
      'max_attempt = 1',
      '',
    ].join('\n'),
  );
  return config;
}

/** Spawns trytond, waits for its port and a first answer. */
async function launch(dir: string, config: string): Promise<{ url: string; stop(): Promise<void> }> {
  const log = createWriteStream(join(dir, 'trytond.log'));
  const child = spawn('/usr/bin/trytond', ['-c', config, '-d', TRYTON_DATABASE], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await terminate(child);
    log.end();
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(
        () => reject(new Error(`trytond did not start within ${START_TIMEOUT_MS} ms: ${seen.slice(-500)}`)),
        START_TIMEOUT_MS,
      );
      const onData = (chunk: Buffer) => {
        log.write(chunk);
        seen += chunk.toString('utf8');
        const match = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(seen);
        if (match !== null) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`trytond exited (${code ?? signal}) before it listened: ${seen.slice(-500)}`));
      });
    });
    // Keep draining the output into the log, or trytond blocks on a full pipe.
    child.stdout?.removeAllListeners('data');
    child.stderr?.removeAllListeners('data');
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const url = `http://127.0.0.1:${port}`;
    await waitForAnswer(url);
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForAnswer(url: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      const response = await fetch(`${url}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 0, method: 'common.server.version', params: [] }),
      });
      if (response.ok) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`trytond at ${url} does not answer`);
    await sleep(100);
  }
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the process is gone. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof Error && Reflect.get(error, 'code') === code;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
