import type { Command } from 'commander';
import { formatsParseCommand } from '../../formats/index.ts';
import { action, CommandFailed } from '../exit.ts';

const FORMATS = ['csv', 'xml', 'idoc', 'x12', 'edifact'] as const;

/** `formats parse <file> [--as …]`: the tool people reach for when a partner's file is rejected. */
export function registerFormatCommands(program: Command): void {
  program
    .command('formats')
    .description('read legacy exchange files (CSV, XML, SAP IDoc, X12, EDIFACT)')
    .command('parse <file>')
    .description('print the parsed document as JSON; the format is detected unless --as says it')
    .option('--as <format>', `one of ${FORMATS.join(', ')}`)
    .action(
      action(async (file: string, flags: { as?: string }) => {
        const format =
          flags.as === undefined ? undefined : FORMATS.find((candidate) => candidate === flags.as);
        if (flags.as !== undefined && format === undefined) {
          throw new CommandFailed(`--as takes one of ${FORMATS.join(', ')}, got ${flags.as}`, 2);
        }
        const result = await formatsParseCommand(file, format);
        if (!result.ok) throw new CommandFailed(result.message);
        process.stdout.write(`${JSON.stringify(result.json, null, 2)}\n`);
      }),
    );
}
