import { resolve } from 'node:path';
import type { Command } from 'commander';
import { startWorkerProcess } from '../../queue/worker-process.ts';
import { action, CommandFailed } from '../exit.ts';

function wholeNumber(flag: string, value: string, min: number, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new CommandFailed(`${flag} takes a whole number from ${min} to ${max}, got ${value}`, 2);
  }
  return number;
}

/**
 * `erpbridge worker`: takes plan and apply jobs from the queue of a distributed deployment
 * (`queue:` and a shared `store:` in erpbridge.yaml) until SIGTERM or SIGINT, then stops taking
 * jobs, lets the running ones finish within --shutdown-timeout and hands the rest back.
 */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      'take jobs from the distributed queue (any number of workers, on any machines) until stopped',
    )
    .option('--concurrency <n>', 'jobs run at once in this process', '4')
    .option('--port <port>', 'serve /healthz and /metrics on this port (0 = any free port)')
    .option('--host <host>', 'address for /healthz and /metrics', '127.0.0.1')
    .option('--shutdown-timeout <seconds>', 'on SIGTERM, how long running jobs may take to finish', '30')
    .option(
      '--sweep-interval <seconds>',
      'how often to settle orphaned runs and publish again jobs Redis lost',
      '30',
    )
    .action(
      action(
        async (
          flags: {
            concurrency: string;
            port?: string;
            host: string;
            shutdownTimeout: string;
            sweepInterval: string;
          },
          command: Command,
        ) => {
          const { config } = command.optsWithGlobals<{ config: string }>();
          const concurrency = wholeNumber('--concurrency', flags.concurrency, 1, 256);
          const port = flags.port === undefined ? null : wholeNumber('--port', flags.port, 0, 65_535);
          const shutdownSeconds = wholeNumber('--shutdown-timeout', flags.shutdownTimeout, 0, 3600);
          const sweepSeconds = wholeNumber('--sweep-interval', flags.sweepInterval, 1, 86_400);
          const worker = await startWorkerProcess({
            configFile: resolve(config),
            concurrency,
            port,
            host: flags.host,
            sweepIntervalMs: sweepSeconds * 1000,
          });
          process.stdout.write(
            `erpbridge worker ${worker.name} taking jobs (concurrency ${concurrency})` +
              (worker.url ? ` · health: ${worker.url}/healthz · metrics: ${worker.url}/metrics` : '') +
              '\n',
          );
          const signal = await new Promise<NodeJS.Signals>((resolvePromise) => {
            process.once('SIGINT', () => resolvePromise('SIGINT'));
            process.once('SIGTERM', () => resolvePromise('SIGTERM'));
          });
          // A second signal while stopping: stop now; the running jobs return to the queue anyway.
          const now = () => {
            process.stderr.write('erpbridge worker: stopping now; running jobs return to the queue\n');
            process.exit(1);
          };
          process.once('SIGINT', now);
          process.once('SIGTERM', now);
          process.stdout.write(
            `${signal}: taking no new jobs; waiting up to ${shutdownSeconds} s for the running ones\n`,
          );
          const { unfinished } = await worker.stop(shutdownSeconds * 1000);
          process.stdout.write(
            unfinished === 0
              ? 'stopped: every running job finished\n'
              : `stopped: ${unfinished} job(s) did not finish; they return to the queue when their lock expires\n`,
          );
        },
      ),
    );
}
