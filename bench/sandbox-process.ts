/**
 * The sandbox ERP as its own process for benchmarks (dist/sandbox.mjs, plain Node, as users run
 * it), and the few `/_sandbox/*` control calls a benchmark needs: faults, the request log.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Longest wait for the sandbox to seed and listen, and for it to exit after SIGTERM. */
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;
/** Bound on one control call. */
const CONTROL_TIMEOUT_MS = 30_000;

/** One `/api/*` request as the sandbox logged it (the fields a benchmark reads). */
export interface LoggedRequest {
  id: number;
  /** Arrival, ISO with ms. */
  at: string;
  method: string;
  status: number;
  durationMs: number;
  fault: string | null;
}

/** A running sandbox process. */
export interface SandboxProcess {
  url: string;
  apiKey: string;
  /** The process id (for reading its CPU time from /proc). */
  pid: number | undefined;
  /** Replaces the active fault config (restarting its buckets and counters); `{}` for none. */
  setFaults(faults: Record<string, unknown>): Promise<void>;
  /** Empties the request log; ids keep rising. */
  clearRequests(): Promise<void>;
  /** The request log, oldest first; only ids above `since` when given. */
  requests(since?: number): Promise<LoggedRequest[]>;
  /** Purchase order numbers of the first `count` orders (at most 1000), read before any fault. */
  purchaseOrderNumbers(count: number): Promise<string[]>;
  /** SIGTERM, then waits for the exit (bounded). */
  stop(): Promise<void>;
}

/** Options of {@link startSandboxProcess}. */
export interface SandboxProcessOptions {
  /** The repository root: dist/sandbox.mjs must be built (scripts/build.mjs `ensureBuilt`). */
  root: string;
  /** Folder for the sandbox's SQLite file. */
  dataDir: string;
  orders: number;
  history: number;
  today: string;
  /** A SOAP personality to serve beside `/api` (`--as`); none by default. */
  personality?: 'sap-ecc' | 'oracle-ebs' | 'dynamics-ax';
}

/** Spawns dist/sandbox.mjs on a free 127.0.0.1 port and waits for its `listening` line. */
export async function startSandboxProcess(options: SandboxProcessOptions): Promise<SandboxProcess> {
  const child = spawn(
    process.execPath,
    [
      join(options.root, 'dist/sandbox.mjs'),
      '--port',
      '0',
      '--data',
      options.dataDir,
      '--orders',
      String(options.orders),
      '--history',
      String(options.history),
      '--today',
      options.today,
      ...(options.personality === undefined ? [] : ['--as', options.personality]),
      '--quiet',
    ],
    { cwd: options.root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let listening: Record<string, unknown>;
  try {
    listening = await firstJsonLine(child, START_TIMEOUT_MS);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  const url = String(listening.url);
  const apiKey = String(listening.apiKey);

  const control = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${url}${path}`, {
      method,
      signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS),
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const answer: unknown = await response.json();
    if (!response.ok) {
      throw new Error(`sandbox ${method} ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
    }
    return answer;
  };

  return {
    url,
    apiKey,
    pid: child.pid,
    setFaults: async (faults) => {
      await control('POST', '/_sandbox/faults', faults);
    },
    clearRequests: async () => {
      await control('DELETE', '/_sandbox/requests');
    },
    requests: async (since) => {
      const answer = await control(
        'GET',
        `/_sandbox/requests${since === undefined ? '' : `?since=${since}`}`,
      );
      const entries: unknown =
        typeof answer === 'object' && answer !== null ? Reflect.get(answer, 'requests') : [];
      if (!Array.isArray(entries)) throw new Error('sandbox request log: no requests array');
      return entries.map(toLoggedRequest);
    },
    purchaseOrderNumbers: async (count) => {
      const response = await fetch(`${url}/api/purchase_orders?page=1&page_size=${count}`, {
        headers: { authorization: `Bearer ${apiKey}` },
        signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS),
      });
      const page: unknown = await response.json();
      const data: unknown = typeof page === 'object' && page !== null ? Reflect.get(page, 'data') : undefined;
      if (!response.ok || !Array.isArray(data)) {
        throw new Error(`sandbox purchase orders answered ${response.status}: ${JSON.stringify(page)}`);
      }
      return data.map((order: unknown) => {
        const number: unknown =
          typeof order === 'object' && order !== null ? Reflect.get(order, 'po_number') : null;
        if (typeof number !== 'string') throw new Error('sandbox purchase order without a po_number');
        return number;
      });
    },
    stop: () => stopChild(child),
  };
}

function toLoggedRequest(entry: unknown): LoggedRequest {
  const field = (name: string): unknown =>
    typeof entry === 'object' && entry !== null ? Reflect.get(entry, name) : undefined;
  const id = field('id');
  const at = field('at');
  const method = field('method');
  const status = field('status');
  const durationMs = field('durationMs');
  const fault = field('fault');
  if (
    typeof id !== 'number' ||
    typeof at !== 'string' ||
    typeof method !== 'string' ||
    typeof status !== 'number' ||
    typeof durationMs !== 'number' ||
    (fault !== null && typeof fault !== 'string')
  ) {
    throw new Error(`sandbox request log: unexpected entry ${JSON.stringify(entry)}`);
  }
  return { id, at, method, status, durationMs, fault };
}

/** Resolves with the child's first stdout line that parses as JSON; rejects on exit or timeout. */
function firstJsonLine(child: ChildProcess, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolvePromise, reject) => {
    if (!child.stdout) {
      reject(new Error('child has no stdout'));
      return;
    }
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => {
      lines.close();
      reject(new Error(`sandbox did not report listening within ${timeoutMs} ms`));
    }, timeoutMs);
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      clearTimeout(timer);
      lines.close();
      resolvePromise(JSON.parse(line));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sandbox exited with ${code} before reporting`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolvePromise) => child.once('exit', () => resolvePromise()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolvePromise) => {
    timer = setTimeout(() => resolvePromise('late'), STOP_TIMEOUT_MS);
  });
  try {
    if ((await Promise.race([exited, late])) === 'late') {
      child.kill('SIGKILL');
      await exited;
    }
  } finally {
    clearTimeout(timer);
  }
}
