import type { Command } from 'commander';
import type { RunReport } from '../engine/engine.ts';
import { isRunGoing } from '../engine/run.ts';
import type { CliContext } from '../runtime/context.ts';
import { CommandFailed, EXIT } from './exit.ts';
import { progressReporter } from './progress.ts';

/** The flags of a command that starts work a distributed deployment's workers do. */
export interface FollowFlags {
  /** false (`--no-wait`): return once the work is queued. Default true. */
  wait?: boolean;
  /** `--timeout <seconds>`: stop waiting after this long (the run goes on). */
  timeout?: string;
  quiet?: boolean;
}

/** Adds `--no-wait` and `--timeout` to a command whose work workers may do. */
export function followOptions(command: Command): Command {
  return command
    .option('--no-wait', 'distributed: return once the work is queued, without waiting for the workers')
    .option(
      '--timeout <seconds>',
      'distributed: stop waiting after this long (the run goes on in the workers)',
    );
}

/**
 * What `run`, `apply`, `revert` and `retry` do after starting their work. Embedded, the work is
 * done when the engine returns: the report is final. Distributed, the engine returns once the
 * work is committed to the queue; this waits for the workers as the embedded command would, with
 * progress on stderr and a hint when nothing moves (no worker running?). `--no-wait` returns at
 * once; a timeout or Ctrl-C stops waiting — never the run — and exits with {@link EXIT.running}.
 */
export async function followRun(
  context: CliContext,
  report: RunReport,
  flags: FollowFlags,
): Promise<RunReport> {
  if (context.distributed === null || !isRunGoing(report.run)) return report;
  const runId = report.run.id;
  if (flags.wait === false) {
    process.stderr.write(
      `run ${runId} is queued for the workers; follow it with \`erpbridge show ${runId}\`\n`,
    );
    return report;
  }
  const timeoutMs = parseTimeout(flags);
  const progress = progressReporter({ quiet: flags.quiet ?? false });
  const interrupt = new AbortController();
  const onInterrupt = () => interrupt.abort();
  process.once('SIGINT', onInterrupt);
  let ended: RunReport;
  try {
    ended = await context.engine.awaitRun(runId, {
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      signal: interrupt.signal,
      onProgress: progress.report,
      onStall: (run, stillMs) => {
        progress.stop();
        process.stderr.write(
          `run ${runId} is ${run.state} and has not moved for ${Math.round(stillMs / 1000)} s: ` +
            'is an `erpbridge worker` running? The work waits in the queue until one takes it.\n',
        );
      },
    });
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    progress.stop();
  }
  if (isRunGoing(ended.run)) {
    const why = interrupt.signal.aborted ? 'stopped waiting' : `waited ${Number(flags.timeout)} s`;
    throw new CommandFailed(
      `${why}; run ${runId} is still ${ended.run.state} and goes on in the workers: ` +
        `follow it with \`erpbridge show ${runId}\``,
      EXIT.running,
    );
  }
  return ended;
}

/**
 * `--timeout` in milliseconds, or undefined to wait as long as it takes. Commands call it before
 * starting any work, so a mistyped flag queues nothing.
 */
export function parseTimeout(flags: FollowFlags): number | undefined {
  if (flags.timeout === undefined) return undefined;
  const seconds = Number(flags.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`--timeout takes a number of seconds above 0, got '${flags.timeout}'`);
  }
  return seconds * 1000;
}
