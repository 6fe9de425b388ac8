import type { ShadowReport } from './shadow-report.ts';
import type { AgreementCounts } from './tally.ts';

/**
 * The report as Markdown: readable in a terminal as it is, and rendered anywhere Markdown is.
 * Shares are percentages with one decimal; "–" where nothing can be measured yet.
 */
export function renderShadowReport(report: ShadowReport): string {
  const { totals } = report;
  const lines: string[] = [];
  lines.push(`# Shadow report: ${report.workflow} (${report.entity}.${report.field})`, '');
  const runs =
    report.runs.count === 0
      ? 'no shadow runs'
      : `${report.runs.count} shadow run${report.runs.count === 1 ? '' : 's'} (${report.runs.first}${report.runs.count > 1 ? ` … ${report.runs.last}` : ''})`;
  lines.push(
    `Mode **${report.mode}** · ${runs}${report.since ? ` since ${report.since}` : ''} · generated ${report.generatedAt}`,
    '',
  );
  const undecided = totals.decisions - totals.decided - totals.gone;
  const interval = totals.agreementInterval
    ? `; 95 % interval ${percent(totals.agreementInterval.low)} – ${percent(totals.agreementInterval.high)}`
    : '';
  lines.push(
    ...table(
      ['measure', 'value'],
      [
        ['decisions compared (one per record)', String(totals.decisions)],
        ['people have acted on', `${totals.decided} (coverage ${percent(totals.coverage)})`],
        ['  changed the value', String(totals.changed)],
        ['  saved it as it was', String(totals.confirmed)],
        ['agreed with the AI', `${totals.agreed} (${percent(totals.agreement)} agreement${interval})`],
        ['not yet decided', String(undecided)],
        ['no longer in the ERP', String(totals.gone)],
        ['not comparable (no value for the field)', String(report.withoutValue)],
        ['unreadable now', String(report.unreadable)],
        ['current values read by', `${report.reads.strategy} (${report.reads.records} records)`],
      ],
    ),
    '',
  );
  lines.push('## Agreement per label (the AI’s value)', '');
  lines.push(
    ...table(
      ['label', 'decisions', 'decided', 'agreed', 'agreement', 'coverage'],
      report.byLabel.map((row) => [row.label, ...counts(row)]),
    ),
    '',
  );
  if (report.confusion.labels.length > 0) {
    lines.push('## Decided records: the AI (rows) against people (columns)', '');
    lines.push(
      ...table(
        ['AI \\ people', ...report.confusion.labels],
        report.confusion.labels.map((label, row) => [
          label,
          ...(report.confusion.counts[row] ?? []).map(String),
        ]),
      ),
      '',
    );
  }
  for (const [title, periods] of [
    ['per day of the run', report.byDay],
    ['per ISO week of the run', report.byWeek],
  ] as const) {
    if (periods.length === 0) continue;
    lines.push(`## Over time, ${title}`, '');
    lines.push(
      ...table(
        ['period', 'decisions', 'decided', 'agreed', 'agreement', 'coverage'],
        periods.map((row) => [row.period, ...counts(row)]),
      ),
      '',
    );
  }
  const { promotion } = report;
  lines.push('## Promotion', '');
  lines.push(
    `Rule: at least ${percent(promotion.rule.minAgreement)} agreement over at least ${promotion.rule.minItems} decided items ⇒ suggest \`${promotion.rule.suggest}\`.`,
    '',
    `Verdict: ${promotion.reason}.`,
    '',
  );
  if (promotion.suggestion) lines.push(`**Suggestion:** ${promotion.suggestion.text}.`, '');
  return `${lines.join('\n').trimEnd()}\n`;
}

function counts(row: AgreementCounts): string[] {
  return [
    String(row.decisions),
    String(row.decided),
    String(row.agreed),
    percent(row.agreement),
    percent(row.coverage),
  ];
}

function percent(share: number | null): string {
  return share === null ? '–' : `${(share * 100).toFixed(1)} %`;
}

/** A Markdown table with columns padded to line up in a terminal. */
function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = head.map((title, column) =>
    Math.max(3, title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${widths.map((width, column) => (cells[column] ?? '').padEnd(width)).join(' | ')} |`;
  return [line(head), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)];
}
