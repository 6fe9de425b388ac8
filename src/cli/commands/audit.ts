import type { Command } from 'commander';
import { action, CommandFailed, EXIT } from '../exit.ts';
import { withContext } from '../with-context.ts';

/** `audit verify`. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the hash-chained audit log');
  audit
    .command('verify')
    .description('check the whole chain; names the first entry that was edited, deleted or reordered')
    .action(
      action(async (_flags: unknown, command: Command) => {
        await withContext(command, async (context) => {
          const result = await context.audit.verify();
          if (result.ok) {
            process.stdout.write(
              `audit log intact: ${result.entries} entries, head ${result.head.slice(0, 16)}…\n`,
            );
            return;
          }
          throw new CommandFailed(
            `audit log broken at entry ${result.firstBad.seq}: ${result.firstBad.reason}`,
            EXIT.tampered,
          );
        });
      }),
    );
}
