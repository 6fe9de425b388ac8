import { ConfigError, describeError, ErpError } from '../errors/index.ts';

/**
 * Exit codes: what a script calling erpbridge can branch on. `running`: the command stopped
 * waiting (timeout, Ctrl-C) for a run that goes on in a distributed deployment's workers.
 */
export const EXIT = { ok: 0, failed: 1, config: 2, erp: 3, tampered: 4, running: 5 } as const;

/** Thrown by a command that has already told the person what went wrong. */
export class CommandFailed extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

/**
 * Runs a command's action: an error becomes one line on stderr and an exit code, never a stack
 * trace (set ERPBRIDGE_DEBUG=1 to see one).
 */
export function action<Args extends unknown[]>(run: (...args: Args) => Promise<void>) {
  return async (...args: Args): Promise<void> => {
    try {
      await run(...args);
    } catch (error) {
      process.exitCode = exitCodeOf(error);
      process.stderr.write(`erpbridge: ${describeError(error)}\n`);
      if (process.env.ERPBRIDGE_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    }
  };
}

function exitCodeOf(error: unknown): number {
  if (error instanceof CommandFailed) return error.exitCode;
  if (error instanceof ConfigError) return EXIT.config;
  if (error instanceof ErpError) return EXIT.erp;
  return EXIT.failed;
}
