import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { workflowFactories } from '../../../workflows/index.ts';
import { embeddedCandidate, providerCandidate } from '../../ai/eval/candidates.ts';
import { type Candidate, type ComparisonReport, compareCandidates } from '../../ai/eval/compare.ts';
import { formatConfusionMatrix } from '../../ai/eval/metrics.ts';
import { writeComparisonReports } from '../../ai/eval/report-files.ts';
import { comparisonTable } from '../../ai/eval/report-markdown.ts';
import { createLlmProvider, llmConfigSchema } from '../../ai/providers/llm-provider.ts';
import { glCodingBaselineCandidate, isGlCodingInput } from '../../ai/tasks/gl-coding-baseline.ts';
import { WorkflowConfig } from '../../config/schema.ts';
import { evaluateWorkflow } from '../../engine/evaluate.ts';
import type { AnyWorkflow } from '../../engine/workflow.ts';
import { ConfigError } from '../../errors/index.ts';
import type { CliContext } from '../../runtime/context.ts';
import { action, CommandFailed, EXIT } from '../exit.ts';
import { withContext } from '../with-context.ts';
import { evaluationData } from './eval-data.ts';

/** The providers `--provider` accepts. */
export const EVAL_PROVIDERS = ['baseline', 'embedded', 'llm'] as const;
type EvalProvider = (typeof EVAL_PROVIDERS)[number];

interface EvalFlags {
  holdout: string;
  json?: boolean;
  train?: string;
  data?: string;
  splitDate?: string;
  provider?: string[];
  label?: string;
  report?: string;
}

/**
 * `eval <workflow>`: how well the AI would do, measured on labelled data it never learned from.
 *
 * - With `--data` (and optionally `--train`, `--split-date`): providers side by side on a time
 *   split — accuracy, macro-F1, per-label figures, confusion, calibration, precision at coverage
 *   (the share that could be applied automatically at ≥ 95 % precision, with the threshold chosen
 *   on validation, never on the test set), latency and cost; `--report DIR` writes JSON, Markdown
 *   and a self-contained HTML report with charts.
 * - Without: the embedded model on the newest `--holdout` share of the ERP's own labelled history.
 */
export function registerEvalCommand(program: Command): void {
  program
    .command('eval <workflow>')
    .description('measure the AI on labelled data it never learned from (providers side by side)')
    .option(
      '--train <file>',
      'labelled history to learn from (.csv or .jsonl); default: the ERP’s own history',
    )
    .option(
      '--data <file>',
      'labelled records to test on (.csv or .jsonl): records in the profile’s vendor fields, or a file `erpbridge labels export` wrote (used as it is)',
    )
    .option(
      '--split-date <date>',
      'YYYY-MM-DD: learn only from records before it, test only on records on or after it (without --train, both from --data)',
    )
    .option(
      '--provider <name...>',
      `providers to compare: ${EVAL_PROVIDERS.join(', ')} (default: baseline and embedded where a baseline exists)`,
    )
    .option('--label <column>', 'the column holding the true label (default: the workflow’s own)')
    .option('--report <dir>', 'write report.json, report.md and report.html into this folder')
    .option(
      '--holdout <share>',
      'without --data: share of the newest labelled history held back for testing',
      '0.2',
    )
    .option('--json', 'print the result as JSON')
    .action(
      action(async (name: string, flags: EvalFlags, command: Command) => {
        await withContext(
          command,
          async (context) => {
            if (flags.data === undefined && flags.train === undefined) {
              if (
                flags.splitDate !== undefined ||
                flags.provider !== undefined ||
                flags.report !== undefined
              ) {
                throw new CommandFailed('--split-date, --provider and --report need --data', EXIT.config);
              }
              await historyEvaluation(context, name, flags);
              return;
            }
            await fileEvaluation(context, name, flags);
          },
          { quiet: true },
        );
      }),
    );
}

/** The embedded model on held-back ERP history (the original `eval`). */
async function historyEvaluation(context: CliContext, name: string, flags: EvalFlags): Promise<void> {
  const definition = context.workflow(name);
  const result = await evaluateWorkflow(definition, await context.connect(definition.connector), {
    holdout: Number(flags.holdout),
  });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const { report } = result;
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(`${name}: trained on ${result.trainExamples} labeled records up to ${result.trainedUntil},`);
  out(`tested on the ${result.testExamples} newest (from ${result.testFrom}), never seen in training.`);
  if (result.unreadable) out(`${result.unreadable} history records could not be read and were skipped.`);
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
}

/** Providers side by side on labelled files (and/or the ERP's history). */
async function fileEvaluation(context: CliContext, name: string, flags: EvalFlags): Promise<void> {
  if (flags.data === undefined)
    throw new CommandFailed('--train needs --data: the labelled records to test on', EXIT.config);
  const splitDate = flags.splitDate;
  if (splitDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(splitDate)) {
    throw new CommandFailed(`--split-date takes a date as YYYY-MM-DD, got ${splitDate}`, EXIT.config);
  }
  const providers = providerList(flags.provider, name);
  const workflow = workflowFor(context, name);

  const fromErp = flags.train === undefined && splitDate === undefined;
  const data = await evaluationData(workflow, {
    data: flags.data,
    ...(flags.train === undefined ? {} : { train: flags.train }),
    ...(splitDate === undefined ? {} : { splitDate }),
    ...(flags.label === undefined ? {} : { label: flags.label }),
    ...(fromErp ? { erp: await context.connect(workflow.connector) } : {}),
  });
  const candidates = providers.map((provider) => candidateFor(context, workflow, provider, name));
  const report = await compareCandidates({ workflow: name, task: workflow.task, ...data, candidates });
  if (flags.report !== undefined) writeComparisonReports(flags.report, report);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  printSummary(report, flags.report);
}

/** The workflow of that name in the config; a bundled one of that task name otherwise (file evaluation needs no ERP). */
function workflowFor(context: CliContext, name: string): AnyWorkflow {
  if (context.loaded.config.workflows[name] !== undefined) return context.workflow(name);
  const factory = Object.entries(workflowFactories).find(([task]) => task === name)?.[1];
  if (!factory) return context.workflow(name);
  const connector = Object.keys(context.loaded.config.connectors)[0] ?? 'none';
  return factory(name, WorkflowConfig.parse({ task: name, connector }));
}

function providerList(given: string[] | undefined, name: string): EvalProvider[] {
  const chosen = given ?? (name === 'gl-coding' ? ['baseline', 'embedded'] : ['embedded']);
  return chosen.map((provider) => {
    const known = EVAL_PROVIDERS.find((candidate) => candidate === provider);
    if (!known) {
      throw new CommandFailed(
        `--provider ${provider} is not one of ${EVAL_PROVIDERS.join(', ')}`,
        EXIT.config,
      );
    }
    return known;
  });
}

function candidateFor(
  context: CliContext,
  workflow: AnyWorkflow,
  provider: EvalProvider,
  name: string,
): Candidate<unknown> {
  switch (provider) {
    case 'embedded':
      return embeddedCandidate(workflow.task);
    case 'baseline': {
      if (workflow.task.name !== 'gl-coding') {
        throw new CommandFailed(
          `there is no baseline for task ${workflow.task.name}; compare embedded and llm`,
          EXIT.config,
        );
      }
      return glCodingBaselineCandidate((input: unknown) => {
        if (!isGlCodingInput(input))
          throw new Error(`workflow ${name} does not give the baseline expense lines`);
        return input;
      });
    }
    case 'llm': {
      const { ai, file } = { ai: context.loaded.config.ai, file: context.loaded.file };
      if (ai.llm === undefined) {
        throw new ConfigError('--provider llm needs ai.llm (baseUrl, model) in the config', {
          file,
          key: 'ai.llm',
        });
      }
      const parsed = llmConfigSchema.safeParse(ai.llm);
      if (!parsed.success) {
        const [issue] = parsed.error.issues;
        throw new ConfigError(issue?.message ?? 'invalid llm options', {
          file,
          key: ['ai', 'llm', ...(issue?.path ?? []).map(String)].join('.'),
        });
      }
      const allowFields = context.loaded.config.workflows[name]?.ai?.allowFields ?? ai.allowFields;
      const llm = createLlmProvider(parsed.data, allowFields ? { allowFields } : {});
      return providerCandidate('llm', `LLM ${parsed.data.model}`, llm, workflow.task);
    }
  }
}

function printSummary(report: ComparisonReport, reportDir: string | undefined): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(
    `${report.workflow}: learned from ${report.history.examples} labelled lines (${report.history.from} … ${report.history.to}), ` +
      `tested on ${report.test.examples} (${report.test.from} … ${report.test.to}) never learned from.`,
  );
  out(
    `Thresholds for ${(report.precisionTarget * 100).toFixed(0)}% precision were chosen on the newest slice of the history, not on the test set.`,
  );
  out();
  out(comparisonTable(report));
  if (reportDir !== undefined) {
    out();
    out(`Reports: ${join(resolve(reportDir), 'report.html')} (and report.md, report.json)`);
  }
}
