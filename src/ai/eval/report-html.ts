import type { CandidateReport, ComparisonReport } from './compare.ts';
import { escapeXml, heatMap, lineChart, PALETTE, type Series } from './svg-charts.ts';

const percent = (value: number, digits = 1): string => `${(value * 100).toFixed(digits)}%`;
const fixed = (value: number, digits = 3): string => value.toFixed(digits);

const STYLE = `
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222;line-height:1.45;padding:0 1rem}
table{border-collapse:collapse;margin:.5rem 0 1.25rem}th,td{border:1px solid #ddd;padding:.3rem .55rem;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:1.5rem}
.ok{color:#05712f;font-weight:600}.short{color:#b00;font-weight:600}figure{margin:0}figcaption{font-size:.85rem;color:#555}
details{margin:.5rem 0 1.5rem}`;

/**
 * The comparison as one self-contained HTML page: the table, the precision–coverage curves and
 * reliability diagrams of every candidate (inline SVG), and per candidate its confusion heat map
 * and per-label figures. No scripts, no external files.
 */
export function renderHtmlReport(report: ComparisonReport): string {
  const ok = report.candidates.filter((candidate) => candidate.error === null);
  const target = report.precisionTarget;
  const curves: Series[] = ok.map((candidate, i) => ({
    name: candidate.name,
    color: PALETTE[i % PALETTE.length] ?? '#000',
    points: candidate.curve.map((point) => ({ x: point.coverage, y: point.precision })),
    ...(candidate.threshold.value !== null
      ? {
          mark: {
            x: candidate.atThreshold.coverage,
            y: candidate.atThreshold.precision,
            label: `${candidate.name}: threshold ${fixed(candidate.threshold.value)} → ${percent(candidate.atThreshold.coverage)} at ${percent(candidate.atThreshold.precision)}`,
          },
        }
      : {}),
  }));
  const reliabilitySeries: Series[] = ok.map((candidate, i) => ({
    name: `${candidate.name} (ECE ${fixed(candidate.calibration.ece)})`,
    color: PALETTE[i % PALETTE.length] ?? '#000',
    points: candidate.calibration.bins
      .filter((bin) => bin.count > 0)
      .map((bin) => ({ x: bin.confidence, y: bin.accuracy })),
  }));
  const body = [
    `<h1>Evaluation: ${escapeXml(report.workflow)} <small>(task ${escapeXml(report.task)})</small></h1>`,
    `<p>History (learned from): <b>${report.history.examples}</b> lines, ${escapeXml(report.history.from ?? '')} … ${escapeXml(report.history.to ?? '')}, ${report.history.labels} labels — ${escapeXml(report.source.history)}.<br>`,
    `Test (never learned from): <b>${report.test.examples}</b> lines, ${escapeXml(report.test.from ?? '')} … ${escapeXml(report.test.to ?? '')}, ${report.test.labels} labels — ${escapeXml(report.source.test)}.</p>`,
    `<p>Each threshold is chosen on the newest slice of the history (after learning from the older rest) as the lowest confidence that kept ${percent(target, 0)} precision there; the test set is answered once by a model learned from the whole history. Test labels the history never had count as errors.</p>`,
    comparisonTableHtml(report),
    '<div class="charts">',
    `<figure>${lineChart({ title: 'Precision at coverage (test)', xLabel: 'coverage (share applied automatically)', yLabel: 'precision', series: curves, yMin: 0.5, reference: { y: target, label: `${percent(target, 0)} target` } })}<figcaption>Precision of the answers at or above each confidence, against the share they cover. Rings: the thresholds chosen on validation.</figcaption></figure>`,
    `<figure>${lineChart({ title: 'Reliability (test)', xLabel: 'mean confidence in bin', yLabel: 'accuracy in bin', series: reliabilitySeries, diagonal: true })}<figcaption>A calibrated model lies on the diagonal.</figcaption></figure>`,
    '</div>',
    ...ok.map((candidate) => candidateHtml(candidate)),
    ...report.candidates
      .filter((candidate) => candidate.error !== null)
      .map(
        (candidate) =>
          `<h2>${escapeXml(candidate.name)}</h2><p class="short">Failed: ${escapeXml(candidate.error ?? '')}</p>`,
      ),
  ];
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Evaluation: ${escapeXml(report.workflow)}</title><style>${STYLE}</style></head><body>\n${body.join('\n')}\n<p><small>Generated ${escapeXml(report.createdAt)} by erpbridge eval.</small></p></body></html>\n`;
}

function comparisonTableHtml(report: ComparisonReport): string {
  const target = percent(report.precisionTarget, 0);
  const rows = report.candidates.map((candidate) => {
    if (candidate.error !== null) {
      return `<tr><td>${escapeXml(candidate.name)}</td><td colspan="8" class="short">failed: ${escapeXml(candidate.error)}</td></tr>`;
    }
    const reached =
      candidate.atThreshold.count > 0 && candidate.atThreshold.precision >= report.precisionTarget;
    return `<tr><td>${escapeXml(candidate.name)} <small>(${escapeXml(candidate.description)})</small></td><td>${fixed(candidate.accuracy)}</td><td>${fixed(candidate.macroF1)}</td><td>${fixed(candidate.calibration.ece)}</td><td>${candidate.threshold.value === null ? 'none reached' : fixed(candidate.threshold.value)}</td><td>${percent(candidate.atThreshold.coverage)}</td><td class="${reached ? 'ok' : 'short'}">${candidate.atThreshold.count === 0 ? '–' : percent(candidate.atThreshold.precision)}</td><td>${candidate.latency.perLineMs.toFixed(3)}</td><td>${candidate.cost.total === 0 ? '0' : `$${candidate.cost.total.toFixed(4)}`}</td></tr>`;
  });
  return `<table><thead><tr><th>provider</th><th>accuracy</th><th>macro-F1</th><th>ECE</th><th>threshold for ${target}<br>(validation)</th><th>test: automated</th><th>test: precision there</th><th>ms / line</th><th>cost</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function candidateHtml(candidate: CandidateReport): string {
  const { threshold, atThreshold } = candidate;
  const thresholdText =
    threshold.value === null
      ? `No confidence kept ${percent(threshold.precision, 0)} precision on the ${threshold.validation.examples} validation lines: nothing would be applied automatically.`
      : `Threshold <b>${fixed(threshold.value)}</b>, chosen on ${threshold.validation.examples} validation lines (${escapeXml(threshold.validation.from ?? '')} … ${escapeXml(threshold.validation.to ?? '')}: ${percent(threshold.validation.coverage)} covered at ${percent(threshold.validation.precision)}). On the test set: <b>${percent(atThreshold.coverage)}</b> automated (${atThreshold.count} lines) at <b>${percent(atThreshold.precision)}</b> precision.`;
  const perLabel = candidate.perLabel
    .map(
      (row) =>
        `<tr><td>${escapeXml(row.label)}</td><td style="text-align:left">${escapeXml(row.name ?? '')}</td><td>${row.support}</td><td>${row.predicted}</td><td>${fixed(row.precision)}</td><td>${fixed(row.recall)}</td><td>${fixed(row.f1)}</td></tr>`,
    )
    .join('');
  return [
    `<h2>${escapeXml(candidate.name)}: ${escapeXml(candidate.description)}</h2>`,
    `<p>Model <code>${escapeXml(candidate.model ?? '')}</code>. Accuracy <b>${fixed(candidate.accuracy)}</b>, macro-F1 <b>${fixed(candidate.macroF1)}</b>, ECE ${fixed(candidate.calibration.ece)} on ${candidate.examples} test lines (${candidate.unseenLabels} with a label the history never had). ${thresholdText}`,
    candidate.hindsight
      ? ` In hindsight the test set itself would allow ${percent(candidate.hindsight.coverage)} at ${fixed(candidate.hindsight.threshold)} (not a threshold one could have chosen).`
      : '',
    ` Latency ${candidate.latency.perLineMs.toFixed(3)} ms per line; cost ${candidate.cost.total === 0 ? '0' : `$${candidate.cost.total.toFixed(4)}`}; trained in ${candidate.trainMs} ms.</p>`,
    `<figure>${heatMap({ title: `Confusion of ${candidate.name} (truth down, predicted across)`, labels: candidate.confusion.labels, matrix: candidate.confusion.matrix })}<figcaption>Confusion among the commonest labels (the rest as “other”); each row shaded by its own share.</figcaption></figure>`,
    `<details><summary>Per label (${candidate.perLabel.length})</summary><table><thead><tr><th>label</th><th>name</th><th>support</th><th>predicted</th><th>precision</th><th>recall</th><th>F1</th></tr></thead><tbody>${perLabel}</tbody></table></details>`,
  ].join('');
}
