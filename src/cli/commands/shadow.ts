import type { Command } from 'commander';
import { READ_STRATEGIES, type ReadStrategy, renderShadowReport, shadowReport } from '../../shadow/index.ts';
import { action } from '../exit.ts';
import { actorName, withContext } from '../with-context.ts';

interface ShadowReportFlags {
  since?: string;
  field?: string;
  reads: string;
  json?: boolean;
  by?: string;
}

/** `shadow-report <workflow>`: how a shadow workflow's decisions compare with what people did since. */
export function registerShadowCommand(program: Command): void {
  program
    .command('shadow-report <workflow>')
    .description(
      'compare a shadow workflow’s decisions with what people later did in the ERP: agreement per label and over time, coverage, and whether the promotion rule holds',
    )
    .option('--since <date>', 'only shadow runs started on or after this date (YYYY-MM-DD)')
    .option('--field <name>', 'the field to compare (default: the one the workflow writes)')
    .option('--reads <how>', `how to read the current values: ${READ_STRATEGIES.join(' | ')}`, 'auto')
    .option('--json', 'print the report as JSON')
    .option('--by <name>', 'who asks, for the audit log (default: ERPBRIDGE_USER or the OS user)')
    .action(
      action(async (name: string, flags: ShadowReportFlags, command: Command) => {
        const reads = READ_STRATEGIES.find((strategy) => strategy === flags.reads);
        if (!reads)
          throw new Error(`--reads takes one of ${READ_STRATEGIES.join(', ')}, not "${flags.reads}"`);
        const actor = actorName(flags.by);
        await withContext(
          command,
          async (context) => {
            const report = await shadowReport(
              {
                store: context.store,
                audit: context.audit,
                connect: context.connect,
                configFile: context.loaded.file,
              },
              context.workflow(name),
              options(flags, reads, actor),
            );
            process.stdout.write(
              flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderShadowReport(report),
            );
          },
          { quiet: true, actor },
        );
      }),
    );
}

function options(flags: ShadowReportFlags, reads: ReadStrategy, actor: string) {
  return {
    reads,
    actor,
    ...(flags.since ? { since: flags.since } : {}),
    ...(flags.field ? { field: flags.field } : {}),
  };
}
