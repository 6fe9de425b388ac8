import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Runs the scripts of this folder as separate OS processes (`node bin/run-ts.mjs <script> <json>`),
 * for the tests of src/distributed. Each script reads its settings from one JSON argument and
 * talks in lines on stdout.
 */

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface WorkerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  /** Lines printed so far. */
  readonly lines: readonly string[];
  /** Resolves with the first line (already printed or to come) that `match` accepts; rejects after `timeoutMs` or on exit. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
  /** Writes one line to the process's stdin. */
  send(line: string): void;
  /** Resolves with the exit code (or signal) when the process has ended. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
}

/** Starts `script` (a file of this folder, e.g. `limiter-worker.ts`) with `settings` as JSON. */
export function startWorker(script: string, settings: unknown): WorkerProcess {
  const child = spawn(
    process.execPath,
    ['bin/run-ts.mjs', `src/distributed/test-processes/${script}`, JSON.stringify(settings)],
    { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const watchers = new Set<() => void>();
  let stderr = '';
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts.filter((line) => line !== ''));
    for (const watcher of watchers) watcher();
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  let ended = false;
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => {
    child.on('exit', (code, signal) => {
      ended = true;
      for (const watcher of watchers) watcher();
      resolve(code ?? signal);
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${script}`);
  return {
    child,
    pid,
    lines,
    exited,
    send: (line) => child.stdin.write(`${line}\n`),
    waitForLine: (match, timeoutMs) =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          const found = lines.find(match);
          if (found !== undefined) {
            finish();
            resolve(found);
          } else if (ended) {
            finish();
            reject(new Error(`${script} (pid ${pid}) ended without the expected line; stderr: ${stderr}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(
              `${script} (pid ${pid}) printed no expected line within ${timeoutMs} ms; stderr: ${stderr}`,
            ),
          );
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          watchers.delete(check);
        };
        watchers.add(check);
        check();
      }),
  };
}

/** Ends a worker that may still run: SIGKILL, then waits for its exit. */
export async function killWorker(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
  await worker.exited;
}
