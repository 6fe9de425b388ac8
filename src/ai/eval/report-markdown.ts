import type { CandidateReport, ComparisonReport } from './compare.ts';

const percent = (value: number, digits = 1): string => `${(value * 100).toFixed(digits)}%`;
const fixed = (value: number, digits = 3): string => value.toFixed(digits);

/**
 * The comparison as one table row per candidate: accuracy, macro-F1, ECE, the threshold chosen on
 * validation and what it automated on the test set, latency and cost.
 */
export function comparisonTable(report: ComparisonReport): string {
  const target = percent(report.precisionTarget, 0);
  const header = [
    'provider',
    'accuracy',
    'macro-F1',
    'ECE',
    `threshold for ${target} (validation)`,
    'test: automated',
    'test: precision there',
    'ms / line',
    'cost',
  ];
  const rows = report.candidates.map((candidate) =>
    candidate.error !== null
      ? [candidate.name, `failed: ${candidate.error}`, '', '', '', '', '', '', '']
      : [
          `${candidate.name} (${candidate.description})`,
          fixed(candidate.accuracy),
          fixed(candidate.macroF1),
          fixed(candidate.calibration.ece),
          candidate.threshold.value === null ? 'none reached' : fixed(candidate.threshold.value),
          percent(candidate.atThreshold.coverage),
          candidate.atThreshold.count === 0 ? '–' : percent(candidate.atThreshold.precision),
          candidate.latency.perLineMs.toFixed(3),
          candidate.cost.total === 0 ? '0' : `$${candidate.cost.total.toFixed(4)}`,
        ],
  );
  return markdownTable(header, rows);
}

/** The whole report as Markdown: the split, the comparison, and per candidate its details. */
export function renderMarkdownReport(report: ComparisonReport): string {
  const lines: string[] = [];
  lines.push(`# Evaluation: ${report.workflow} (task ${report.task})`, '');
  lines.push(
    `History (learned from): ${report.history.examples} lines, ${report.history.from} … ${report.history.to}, ` +
      `${report.history.labels} labels — ${report.source.history}.`,
  );
  lines.push(
    `Test (never learned from): ${report.test.examples} lines, ${report.test.from} … ${report.test.to}, ` +
      `${report.test.labels} labels — ${report.source.test}.`,
  );
  lines.push(
    '',
    `Each threshold is chosen on the newest slice of the history (after learning from the older rest) as the ` +
      `lowest confidence that kept ${percent(report.precisionTarget, 0)} precision there; the test set is then ` +
      'answered once by a model learned from the whole history. Test labels the history never had count as errors.',
    '',
  );
  lines.push(comparisonTable(report), '');
  for (const candidate of report.candidates) lines.push(...candidateSection(candidate));
  return `${lines.join('\n')}\n`;
}

function candidateSection(candidate: CandidateReport): string[] {
  const lines = [`## ${candidate.name}: ${candidate.description}`, ''];
  if (candidate.error !== null) return [...lines, `Failed: ${candidate.error}`, ''];
  const { threshold, atThreshold } = candidate;
  lines.push(
    `Model ${candidate.model}. Accuracy ${fixed(candidate.accuracy)}, macro-F1 ${fixed(candidate.macroF1)}, ` +
      `ECE ${fixed(candidate.calibration.ece)} on ${candidate.examples} test lines ` +
      `(${candidate.unseenLabels} with a label the history never had).`,
  );
  lines.push(
    threshold.value === null
      ? `No confidence kept ${percent(threshold.precision, 0)} precision on the ${threshold.validation.examples} validation lines: nothing would be applied automatically.`
      : `Threshold ${fixed(threshold.value)} (chosen on ${threshold.validation.examples} validation lines ` +
          `${threshold.validation.from} … ${threshold.validation.to}: ${percent(threshold.validation.coverage)} covered at ` +
          `${percent(threshold.validation.precision)}). On the test set it automates ${percent(atThreshold.coverage)} ` +
          `(${atThreshold.count} lines) at ${percent(atThreshold.precision)} precision.`,
  );
  if (candidate.hindsight) {
    lines.push(
      `In hindsight the test set itself would allow ${percent(candidate.hindsight.coverage)} at a threshold of ` +
        `${fixed(candidate.hindsight.threshold)} (for reading the curve; not a threshold one could have chosen).`,
    );
  }
  lines.push(
    `Latency ${candidate.latency.perLineMs.toFixed(3)} ms per line (${candidate.latency.totalMs} ms in all); ` +
      `cost ${candidate.cost.total === 0 ? '0' : `$${candidate.cost.total.toFixed(4)}`}; trained in ${candidate.trainMs} ms.`,
    '',
  );
  lines.push('### Precision at coverage', '');
  const marks = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
  lines.push(
    markdownTable(
      ['coverage', 'precision', 'threshold'],
      marks.flatMap((mark) => {
        const point = candidate.curve.find((entry) => entry.coverage >= mark - 1e-9);
        return point ? [[percent(point.coverage), percent(point.precision), fixed(point.threshold)]] : [];
      }),
    ),
    '',
  );
  lines.push('### Calibration (reliability bins)', '');
  lines.push(
    markdownTable(
      ['confidence', 'lines', 'mean confidence', 'accuracy'],
      candidate.calibration.bins
        .filter((bin) => bin.count > 0)
        .map((bin) => [
          `${fixed(bin.from, 1)}–${fixed(bin.to, 1)}`,
          String(bin.count),
          fixed(bin.confidence),
          fixed(bin.accuracy),
        ]),
    ),
    '',
  );
  lines.push('### Per label (by test support)', '');
  lines.push(
    markdownTable(
      ['label', 'name', 'support', 'predicted', 'precision', 'recall', 'F1'],
      candidate.perLabel
        .slice(0, 30)
        .map((row) => [
          row.label,
          row.name ?? '',
          String(row.support),
          String(row.predicted),
          fixed(row.precision),
          fixed(row.recall),
          fixed(row.f1),
        ]),
    ),
  );
  if (candidate.perLabel.length > 30)
    lines.push('', `… and ${candidate.perLabel.length - 30} more labels in report.json.`);
  lines.push('', '### Confusion matrix (commonest labels; truth down, predicted across)', '');
  lines.push(
    markdownTable(
      ['truth \\ predicted', ...candidate.confusion.labels],
      candidate.confusion.matrix.map((row, i) => [candidate.confusion.labels[i] ?? '', ...row.map(String)]),
    ),
    '',
  );
  return lines;
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const escapeCell = (cell: string) => cell.replaceAll('|', '\\|');
  return [
    `| ${header.map(escapeCell).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`),
  ].join('\n');
}
