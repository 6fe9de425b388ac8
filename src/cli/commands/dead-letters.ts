import Table from 'cli-table3';
import type { Command } from 'commander';
import type { DeadLetter } from '../../store/contract.ts';
import { action } from '../exit.ts';
import { type FollowFlags, followOptions, followRun, parseTimeout } from '../follow-run.ts';
import { renderRunSummary } from '../render.ts';
import { withContext } from '../with-context.ts';

function renderDeadLetters(letters: readonly DeadLetter[]): string {
  if (letters.length === 0) return '(no dead letters)';
  const rows = new Table({
    head: ['dead letter', 'stage', 'kind', 'attempts', 'why', 'replayed by'],
    style: { head: [], border: [] },
    colWidths: [null, null, null, null, 70, null],
    wordWrap: true,
  });
  for (const letter of letters) {
    rows.push([
      letter.id,
      letter.stage,
      letter.errorKind,
      letter.attempts,
      letter.message,
      letter.replayedBy ?? '-',
    ]);
  }
  return rows.toString();
}

/** `dead-letters`, `retry`. */
export function registerDeadLetterCommands(program: Command): void {
  program
    .command('dead-letters')
    .description('records that failed for good: unreadable, or a write that failed past its retries')
    .option('--run <run>', 'only this run')
    .option('--all', 'include those already replayed')
    .option('--limit <n>', 'how many', '100')
    .action(
      action(async (flags: { run?: string; all?: boolean; limit: string }, command: Command) => {
        await withContext(command, async ({ store }) => {
          const letters = await store.listDeadLetters({
            limit: Number(flags.limit),
            includeReplayed: flags.all ?? false,
            ...(flags.run ? { runId: flags.run } : {}),
          });
          process.stdout.write(`${renderDeadLetters(letters)}\n`);
          if (letters.some((letter) => letter.replayedBy === null)) {
            process.stdout.write(
              'replay them with: erpbridge retry <run> (or one: erpbridge retry <dead letter>)\n',
            );
          }
        });
      }),
    );

  const retry = program
    .command('retry <target>')
    .description("replay a run's dead letters, or one dead letter, from the start of their pipeline")
    .option('-q, --quiet', 'no progress output');
  followOptions(retry).action(
    action(async (target: string, flags: FollowFlags, command: Command) => {
      parseTimeout(flags);
      // A dead letter's id starts with its run's id: `<run>:<stage>:<record>`.
      const [runId = target, ...rest] = target.split(':');
      const only = rest.length > 0 ? [target] : undefined;
      await withContext(
        command,
        async (context) => {
          const run = await context.store.getRun(runId);
          if (!run) throw new Error(`no run ${runId}; \`erpbridge runs\` lists the runs`);
          const started = await context.engine.retry(context.workflow(run.workflow), runId, only);
          const report = await followRun(context, started, flags);
          process.stdout.write(`${renderRunSummary(report)}\n`);
        },
        { quiet: flags.quiet ?? false },
      );
    }),
  );
}
