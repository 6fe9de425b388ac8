import type { Command } from 'commander';
import type { ChangeSelection } from '../../engine/engine.ts';
import { isRunGoing } from '../../engine/run.ts';
import { action, CommandFailed } from '../exit.ts';
import { type FollowFlags, followOptions, followRun, parseTimeout } from '../follow-run.ts';
import { renderRunSummary } from '../render.ts';
import { actorName, withContext } from '../with-context.ts';

interface SelectionFlags {
  change?: string[];
  minConfidence?: string;
  all?: boolean;
  by?: string;
}

function selection(flags: SelectionFlags): ChangeSelection {
  if (!flags.all && !flags.change && flags.minConfidence === undefined) {
    throw new Error('say which changes: --all, --change <id|record>... or --min-confidence <x>');
  }
  const minConfidence = flags.minConfidence === undefined ? undefined : Number(flags.minConfidence);
  if (minConfidence !== undefined && !(minConfidence >= 0 && minConfidence <= 1)) {
    throw new Error('--min-confidence takes a number between 0 and 1');
  }
  return {
    ...(flags.change ? { ids: flags.change } : {}),
    ...(minConfidence === undefined ? {} : { minConfidence }),
  };
}

/** `approve`, `reject`, `apply`, `revert`. */
export function registerChangeCommands(program: Command): void {
  for (const verb of ['approve', 'reject'] as const) {
    program
      .command(`${verb} <run>`)
      .description(`${verb} pending changes of a run`)
      .option('--all', `${verb} every pending change`)
      .option('--change <id...>', 'change ids or record ids')
      .option('--min-confidence <x>', 'only changes at or above this confidence')
      .option('--by <name>', 'who decides (default: ERPBRIDGE_USER or the OS user)')
      .action(
        action(async (runId: string, flags: SelectionFlags, command: Command) => {
          const chosen = selection(flags);
          const by = actorName(flags.by);
          await withContext(
            command,
            async ({ engine, store, workflow }) => {
              const run = await store.getRun(runId);
              if (!run) throw new CommandFailed(`no run ${runId}; \`erpbridge runs\` lists the runs`);
              const definition = workflow(run.workflow);
              const count =
                verb === 'approve'
                  ? await engine.approve(definition, runId, chosen, by)
                  : await engine.reject(definition, runId, chosen, by);
              process.stdout.write(
                `${verb === 'approve' ? 'approved' : 'rejected'} ${count} changes of run ${runId} as ${by}\n`,
              );
              if (verb === 'approve' && count > 0)
                process.stdout.write(`apply them with: erpbridge apply ${runId}\n`);
            },
            { actor: by },
          );
        }),
      );
  }

  const apply = program
    .command('apply <run>')
    .description("apply a run's approved changes: re-check each record, write once, read back, audit")
    .option('-q, --quiet', 'no progress output');
  followOptions(apply).action(
    action(async (runId: string, flags: FollowFlags, command: Command) => {
      parseTimeout(flags);
      await withContext(
        command,
        async (context) => {
          const run = await context.store.getRun(runId);
          if (!run) throw new Error(`no run ${runId}; \`erpbridge runs\` lists the runs`);
          const started = performance.now();
          const queued = await context.engine.apply(context.workflow(run.workflow), runId);
          const report = await followRun(context, queued, flags);
          process.stdout.write(`${renderRunSummary(report, performance.now() - started)}\n`);
        },
        { quiet: flags.quiet ?? false },
      );
    }),
  );

  const revert = program
    .command('revert <run>')
    .description(
      "undo a run's applied changes where nobody changed the record since; the rest are reported as conflicts",
    )
    .option('--by <name>', 'who reverts (default: ERPBRIDGE_USER or the OS user)')
    .option('-q, --quiet', 'no progress output');
  followOptions(revert).action(
    action(async (runId: string, flags: FollowFlags & { by?: string }, command: Command) => {
      parseTimeout(flags);
      const by = actorName(flags.by);
      await withContext(
        command,
        async (context) => {
          const run = await context.store.getRun(runId);
          if (!run) throw new Error(`no run ${runId}; \`erpbridge runs\` lists the runs`);
          const queued = await context.engine.revert(context.workflow(run.workflow), runId, by);
          const report = await followRun(context, queued, flags);
          process.stdout.write(`${renderRunSummary(report)}\n`);
          if (isRunGoing(report.run)) return;
          const conflicts = report.changes.conflict ?? 0;
          process.stdout.write(
            `reverted ${report.changes.applied ?? 0} changes; ${conflicts} records changed since and kept their current value` +
              (conflicts ? ` (erpbridge show ${report.run.id})` : '') +
              '\n',
          );
        },
        { quiet: flags.quiet ?? false, actor: by },
      );
    }),
  );
}
