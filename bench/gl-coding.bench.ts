/**
 * GL coding on the real purchase-card lines (../shared/data/gl-coding/train.csv): the baseline
 * (merchant lookup + naive Bayes) and the embedded model side by side on the time split the
 * acceptance names — learn from lines before 2016-07-01, test on the lines after. Prints the
 * comparison and writes report.json / report.md / report.html to bench/results/gl-coding/.
 *
 *   npm run eval:gl          (node bin/run-ts.mjs bench/gl-coding.bench.ts)
 *   GL_REACH=1 npm run eval:gl   # also: monthly retraining and the no-drift ceiling (11 more trainings)
 *
 * GL_REACH adds two hindsight measurements (gl-coding-diagnostics.ts) that bound what any
 * threshold could automate on this data, beside the acceptance's split.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Table from 'cli-table3';
import { embeddedCandidate } from '../src/ai/eval/candidates.ts';
import { compareCandidates } from '../src/ai/eval/compare.ts';
import { writeComparisonReports } from '../src/ai/eval/report-files.ts';
import { comparisonTable } from '../src/ai/eval/report-markdown.ts';
import { glCodingBaselineCandidate, isGlCodingInput } from '../src/ai/tasks/gl-coding-baseline.ts';
import { evaluationData } from '../src/cli/commands/eval-data.ts';
import { WorkflowConfig } from '../src/config/schema.ts';
import { glCodingWorkflow } from '../workflows/gl-coding.ts';
import { monthlyRetraining, noDriftCeiling, type Reach } from './gl-coding-diagnostics.ts';
import { writeResults } from './write-results.ts';

const DATA = resolve(import.meta.dirname, '../../shared/data/gl-coding/train.csv');
const SPLIT = '2016-07-01';
const REPORTS = resolve(import.meta.dirname, 'results/gl-coding');
/** The acceptance: accuracy this far above the baseline, and this share automated at the target precision. */
const ACCEPTANCE = { accuracyGain: 0.08, coverage: 0.5, precision: 0.95 };

if (!existsSync(DATA)) {
  process.stdout.write(`skipped: ${DATA} is not there (the real data lives in ../shared)\n`);
  process.exit(0);
}

const workflow = glCodingWorkflow(
  'gl-coding',
  WorkflowConfig.parse({ task: 'gl-coding', connector: 'none' }),
);
const data = await evaluationData(workflow, { data: DATA, splitDate: SPLIT });
const report = await compareCandidates({
  workflow: 'gl-coding',
  task: workflow.task,
  ...data,
  candidates: [
    glCodingBaselineCandidate((input: unknown) => {
      if (!isGlCodingInput(input))
        throw new Error('the gl-coding workflow gave the baseline something else than a line');
      return input;
    }),
    embeddedCandidate(workflow.task),
  ],
});
const files = writeComparisonReports(REPORTS, report);

const [baseline, embedded] = report.candidates;
const gain = (embedded?.accuracy ?? 0) - (baseline?.accuracy ?? 0);
const covered = embedded?.atThreshold.coverage ?? 0;
const precise = (embedded?.atThreshold.precision ?? 0) >= ACCEPTANCE.precision;
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
process.stdout.write(
  `GL coding: learned from ${report.history.examples} lines before ${SPLIT}, tested on ${report.test.examples} from ${SPLIT}\n\n` +
    `${comparisonTable(report)}\n\n` +
    `accuracy gain over the baseline: ${(gain * 100).toFixed(1)} points (acceptance ≥ ${ACCEPTANCE.accuracyGain * 100}: ${verdict(gain >= ACCEPTANCE.accuracyGain)})\n` +
    `automated at the validation threshold: ${(covered * 100).toFixed(1)}% at ${((embedded?.atThreshold.precision ?? 0) * 100).toFixed(1)}% precision ` +
    `(acceptance ≥ ${ACCEPTANCE.coverage * 100}% at ≥ ${ACCEPTANCE.precision * 100}%: ${verdict(covered >= ACCEPTANCE.coverage && precise)})\n` +
    `reports: ${files.html} (and report.md, report.json)\n`,
);
const reach: Reach[] = [];
if (process.env.GL_REACH === '1') {
  const candidate = embeddedCandidate(workflow.task);
  const labels = new Set(workflow.task.labels);
  reach.push(await monthlyRetraining(candidate, data.history, data.test, ACCEPTANCE.precision, labels));
  reach.push(await noDriftCeiling(candidate, data.history, data.test, ACCEPTANCE.precision, labels));
  const table = new Table({
    head: [
      'embedded model, in hindsight',
      'accuracy',
      `automated at ≥ ${ACCEPTANCE.precision * 100}%`,
      'precision of the surest half',
    ],
  });
  for (const row of reach) {
    table.push([
      row.protocol,
      row.accuracy.toFixed(3),
      percent(row.hindsightCoverage),
      percent(row.precisionAtHalf),
    ]);
  }
  process.stdout.write(
    `\nHow far this data lets any threshold go (cuts chosen on the test lines themselves):\n${table.toString()}\n`,
  );
}

writeResults('gl-coding', {
  split: SPLIT,
  history: report.history,
  test: report.test,
  candidates: report.candidates.map((candidate) => ({
    name: candidate.name,
    model: candidate.model,
    accuracy: candidate.accuracy,
    macroF1: candidate.macroF1,
    ece: candidate.calibration.ece,
    threshold: candidate.threshold.value,
    automated: candidate.atThreshold,
    hindsight: candidate.hindsight,
    perLineMs: candidate.latency.perLineMs,
    trainMs: candidate.trainMs,
  })),
  accuracyGain: gain,
  reach,
});

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
