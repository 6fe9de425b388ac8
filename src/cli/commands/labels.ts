import type { Command } from 'commander';
import {
  collectEditedLabels,
  collectShadowLabels,
  formatOfPath,
  LABEL_FORMATS,
  LABEL_SOURCES,
  READ_STRATEGIES,
  writeLabeledData,
} from '../../shadow/index.ts';
import { action } from '../exit.ts';
import { actorName, withContext } from '../with-context.ts';

interface ExportFlags {
  format?: string;
  out?: string;
  from: string;
  since?: string;
  field?: string;
  labelColumn: string;
  meta?: boolean;
  reads: string;
  by?: string;
}

/**
 * `labels export <workflow>`: people's decisions as labeled data, in the format `eval --data` reads
 * (`isLabelsExport` in eval-data.ts) and for retraining: what went to the AI, the person's value,
 * and where it came from.
 */
export function registerLabelsCommands(program: Command): void {
  const labels = program
    .command('labels')
    .description('labeled data made by people: their edits and decisions');
  labels
    .command('export <workflow>')
    .description(
      'write labeled data (what went to the AI + the value a person chose + where it came from) as JSON lines or CSV; `erpbridge eval <workflow> --data FILE` reads the file as it is',
    )
    .addHelpText(
      'after',
      `
Each row is the input the AI saw for one record (the item's aiInput), the person's value in the
label column, and (unless --no-meta) where it came from: _meta in JSON lines, _-prefixed columns in
CSV (_source, _recordId, _runId, _field, _aiValue, _aiConfidence, _by, _at). CSV nests with dotted
columns (order.needBy) and writes a value as JSON where text alone would not say what it is
("45000012" for text that looks like a number), so it reads back exactly.

eval --data (and --train) recognise the file by those columns and use its rows as they are, dated
by _at for --split-date (a file written with --label-column X needs eval's --label X):
  erpbridge labels export po-urgency --out edits.csv
  erpbridge eval po-urgency --data edits.csv                    # learn from the ERP's history
  erpbridge eval po-urgency --data edits.jsonl --split-date 2026-11-01   # both from the file`,
    )
    .option('--format <format>', `${LABEL_FORMATS.join(' | ')} (default: from --out’s extension, else jsonl)`)
    .option('--out <file>', 'write here instead of to stdout')
    .option(
      '--from <source>',
      'edits: values people edited before approving; shadow: what people set in the ERP after shadow runs',
      'edits',
    )
    .option('--since <date>', 'only edits (or shadow runs) from this date on (YYYY-MM-DD)')
    .option('--field <name>', 'the field whose values are the labels (default: the one the workflow writes)')
    .option('--label-column <name>', 'name of the label column', 'label')
    .option('--meta', 'add where each row came from (the default)')
    .option(
      '--no-meta',
      'leave out where each row came from (_meta / _-prefixed columns): the bare input and label; eval --data then has no dates to split by',
    )
    .option('--reads <how>', `--from shadow: how to read the ERP: ${READ_STRATEGIES.join(' | ')}`, 'auto')
    .option('--by <name>', 'who exports, for the audit log (default: ERPBRIDGE_USER or the OS user)')
    .action(
      action(async (name: string, flags: ExportFlags, command: Command) => {
        const from = LABEL_SOURCES.find((source) => source === flags.from);
        if (!from) throw new Error(`--from takes one of ${LABEL_SOURCES.join(', ')}, not "${flags.from}"`);
        const wantedFormat = flags.format ?? (flags.out ? formatOfPath(flags.out) : undefined) ?? 'jsonl';
        const format = LABEL_FORMATS.find((candidate) => candidate === wantedFormat);
        if (!format)
          throw new Error(`--format takes one of ${LABEL_FORMATS.join(', ')}, not "${wantedFormat}"`);
        const reads = READ_STRATEGIES.find((strategy) => strategy === flags.reads);
        if (!reads)
          throw new Error(`--reads takes one of ${READ_STRATEGIES.join(', ')}, not "${flags.reads}"`);
        const actor = actorName(flags.by);
        await withContext(
          command,
          async (context) => {
            const workflow = context.workflow(name);
            const scope = {
              ...(flags.since ? { since: flags.since } : {}),
              ...(flags.field ? { field: flags.field } : {}),
            };
            const collected =
              from === 'edits'
                ? await collectEditedLabels(context.store, workflow, scope)
                : await collectShadowLabels({ store: context.store, connect: context.connect }, workflow, {
                    ...scope,
                    reads,
                  });
            const written = await writeLabeledData(collected.rows, flags.out ?? process.stdout, {
              format,
              labelColumn: flags.labelColumn,
              meta: flags.meta ?? true,
            });
            await context.audit.record(
              'labels.exported',
              null,
              {
                workflow: name,
                from,
                field: collected.field,
                format,
                rows: written.rows,
                skipped: collected.skipped.length,
                out: flags.out ?? 'stdout',
              },
              actor,
            );
            const where = flags.out ? ` to ${flags.out}` : '';
            process.stderr.write(
              `exported ${written.rows} labeled ${collected.field} values of ${name} (${from}, ${format})${where}` +
                (collected.skipped.length > 0
                  ? `; ${collected.skipped.length} left out (no AI input stored for their item)`
                  : '') +
                '\n',
            );
          },
          { quiet: true, actor },
        );
      }),
    );
}
