import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { type CliContext, openContext } from '../runtime/context.ts';
import { progressReporter } from './progress.ts';

/** The person (or service account) a command acts for: --by, else ERPBRIDGE_USER, else the OS user. */
export function actorName(by?: string): string {
  return by ?? process.env.ERPBRIDGE_USER ?? `user:${userInfo().username}`;
}

/** Opens a context from the program's --config, runs `work`, and always closes it. */
export async function withContext<T>(
  command: Command,
  work: (context: CliContext) => Promise<T>,
  options: { quiet?: boolean; actor?: string } = {},
): Promise<T> {
  const progress = progressReporter({ quiet: options.quiet ?? false });
  const { config } = command.optsWithGlobals<{ config: string }>();
  const context = await openContext({
    configFile: config,
    onProgress: progress.report,
    onConnectorEvent: progress.connectorEvent,
    ...(options.actor ? { actor: options.actor } : {}),
  });
  try {
    return await work(context);
  } finally {
    progress.stop();
    await context.close();
  }
}
