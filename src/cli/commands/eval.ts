import type { Command } from 'commander';
import { formatConfusionMatrix } from '../../ai/eval/metrics.ts';
import { evaluateWorkflow } from '../../engine/evaluate.ts';
import { action } from '../exit.ts';
import { withContext } from '../with-context.ts';

/** `eval <workflow>`: accuracy, macro-F1 and a confusion matrix on held-back labeled history. */
export function registerEvalCommand(program: Command): void {
  program
    .command('eval <workflow>')
    .description('measure the embedded model on the newest labeled history it was not trained on')
    .option('--holdout <share>', 'share of the newest labeled records held back for testing', '0.2')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (name: string, flags: { holdout: string; json?: boolean }, command: Command) => {
        await withContext(
          command,
          async ({ workflow, connect }) => {
            const definition = workflow(name);
            const result = await evaluateWorkflow(definition, await connect(definition.connector), {
              holdout: Number(flags.holdout),
            });
            if (flags.json) {
              process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
              return;
            }
            const { report } = result;
            const out = (line = '') => process.stdout.write(`${line}\n`);
            out(`${name}: trained on ${result.trainExamples} labeled orders up to ${result.trainedUntil},`);
            out(
              `tested on the ${result.testExamples} newest (from ${result.testFrom}), never seen in training.`,
            );
            if (result.unreadable)
              out(`${result.unreadable} history records could not be read and were skipped.`);
            out();
            out(`accuracy  ${report.accuracy.toFixed(3)}`);
            out(`macro-F1  ${report.macroF1.toFixed(3)}`);
            out();
            out('label      precision  recall  f1     support');
            for (const row of report.perClass) {
              out(
                `${row.label.padEnd(10)} ${row.precision.toFixed(3).padStart(9)}  ${row.recall.toFixed(3).padStart(6)}  ${row.f1.toFixed(3)}  ${String(row.support).padStart(7)}`,
              );
            }
            out();
            out(formatConfusionMatrix(report.confusionMatrix, report.labels));
          },
          { quiet: true },
        );
      }),
    );
}
