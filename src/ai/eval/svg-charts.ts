/**
 * Small inline SVG charts for the evaluation report: no scripts, no external styles, so the HTML
 * opens anywhere, offline, and can be mailed as one file.
 */

/** One line of a line chart: points in [0, 1] × [0, 1]. */
export interface Series {
  name: string;
  color: string;
  points: readonly { x: number; y: number }[];
  /** A marked point on the line (the chosen threshold). */
  mark?: { x: number; y: number; label: string };
}

const WIDTH = 420;
const HEIGHT = 320;
const MARGIN = { left: 52, right: 16, top: 16, bottom: 44 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

/** A distinguishable colour per series index (colour-blind safe palette). */
export const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9'] as const;

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const px = (x: number): number => MARGIN.left + x * PLOT_W;
const py = (y: number, min: number, max: number): number =>
  MARGIN.top + (1 - (y - min) / (max - min)) * PLOT_H;
const n = (value: number): string => value.toFixed(1);

/**
 * A line chart over x in [0, 1] and y in [yMin, 1], with axes, grid, legend, an optional
 * horizontal reference line (the target precision) and a marked point per series.
 */
export function lineChart(options: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  yMin?: number;
  reference?: { y: number; label: string };
  diagonal?: boolean;
}): string {
  const yMin = options.yMin ?? 0;
  const parts: string[] = [svgOpen(options.title)];
  parts.push(axes(options.xLabel, options.yLabel, yMin));
  if (options.diagonal) {
    parts.push(
      `<line x1="${n(px(0))}" y1="${n(py(0, yMin, 1))}" x2="${n(px(1))}" y2="${n(py(1, yMin, 1))}" stroke="#999" stroke-dasharray="4 3"/>`,
    );
  }
  if (options.reference) {
    const y = py(options.reference.y, yMin, 1);
    parts.push(
      `<line x1="${n(px(0))}" y1="${n(y)}" x2="${n(px(1))}" y2="${n(y)}" stroke="#b00" stroke-dasharray="5 3"/>`,
      `<text x="${n(px(1) - 4)}" y="${n(y - 4)}" text-anchor="end" font-size="11" fill="#b00">${escapeXml(options.reference.label)}</text>`,
    );
  }
  options.series.forEach((series, i) => {
    const path = series.points
      .map((point, k) => `${k === 0 ? 'M' : 'L'}${n(px(point.x))},${n(py(Math.max(yMin, point.y), yMin, 1))}`)
      .join(' ');
    if (path) parts.push(`<path d="${path}" fill="none" stroke="${series.color}" stroke-width="2"/>`);
    for (const point of series.points.length <= 20 ? series.points : []) {
      parts.push(
        `<circle cx="${n(px(point.x))}" cy="${n(py(Math.max(yMin, point.y), yMin, 1))}" r="3" fill="${series.color}"/>`,
      );
    }
    if (series.mark) {
      const x = px(series.mark.x);
      const y = py(Math.max(yMin, series.mark.y), yMin, 1);
      parts.push(
        `<circle cx="${n(x)}" cy="${n(y)}" r="5" fill="white" stroke="${series.color}" stroke-width="2.5"><title>${escapeXml(series.mark.label)}</title></circle>`,
      );
    }
    const legendY = MARGIN.top + 14 + i * 16;
    parts.push(
      `<rect x="${n(px(0) + 8)}" y="${n(legendY - 9)}" width="12" height="4" fill="${series.color}"/>`,
      `<text x="${n(px(0) + 24)}" y="${n(legendY - 4)}" font-size="11">${escapeXml(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/**
 * A heat map of a count matrix (rows truth, columns predicted), each row shaded by its own share
 * so rare labels are as readable as common ones; the counts are printed in the cells.
 */
export function heatMap(options: {
  title: string;
  labels: readonly string[];
  matrix: readonly (readonly number[])[];
}): string {
  const { labels, matrix } = options;
  const cell = Math.max(18, Math.min(34, Math.floor(440 / Math.max(1, labels.length))));
  const left = 70;
  const top = 70;
  const width = left + cell * labels.length + 10;
  const height = top + cell * labels.length + 10;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(options.title)}" font-family="system-ui, sans-serif">`,
    `<title>${escapeXml(options.title)}</title>`,
  ];
  labels.forEach((label, i) => {
    parts.push(
      `<text x="${left - 4}" y="${n(top + i * cell + cell * 0.65)}" text-anchor="end" font-size="10">${escapeXml(label)}</text>`,
      `<text transform="translate(${n(left + i * cell + cell * 0.6)},${top - 4}) rotate(-60)" font-size="10">${escapeXml(label)}</text>`,
    );
  });
  matrix.forEach((row, r) => {
    const total = row.reduce((sum, value) => sum + value, 0);
    row.forEach((count, c) => {
      const share = total === 0 ? 0 : count / total;
      const fill =
        r === c
          ? `rgba(0,114,178,${(0.08 + 0.92 * share).toFixed(3)})`
          : `rgba(213,94,0,${(share === 0 ? 0 : 0.08 + 0.92 * share).toFixed(3)})`;
      parts.push(
        `<rect x="${left + c * cell}" y="${top + r * cell}" width="${cell - 1}" height="${cell - 1}" fill="${fill}" stroke="#eee"><title>${escapeXml(`${labels[r]} → ${labels[c]}: ${count}`)}</title></rect>`,
      );
      if (count > 0) {
        parts.push(
          `<text x="${n(left + c * cell + cell / 2)}" y="${n(top + r * cell + cell * 0.65)}" text-anchor="middle" font-size="9" fill="${share > 0.6 ? 'white' : '#222'}">${count}</text>`,
        );
      }
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

function svgOpen(title: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeXml(title)}" font-family="system-ui, sans-serif">` +
    `<title>${escapeXml(title)}</title>`
  );
}

function axes(xLabel: string, yLabel: string, yMin: number): string {
  const parts: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const x = px(i / 5);
    const yValue = yMin + ((1 - yMin) * i) / 5;
    const y = py(yValue, yMin, 1);
    parts.push(
      `<line x1="${n(x)}" y1="${MARGIN.top}" x2="${n(x)}" y2="${MARGIN.top + PLOT_H}" stroke="#eee"/>`,
      `<line x1="${MARGIN.left}" y1="${n(y)}" x2="${MARGIN.left + PLOT_W}" y2="${n(y)}" stroke="#eee"/>`,
      `<text x="${n(x)}" y="${MARGIN.top + PLOT_H + 14}" text-anchor="middle" font-size="10">${(i / 5).toFixed(1)}</text>`,
      `<text x="${MARGIN.left - 6}" y="${n(y + 3)}" text-anchor="end" font-size="10">${yValue.toFixed(2)}</text>`,
    );
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${PLOT_W}" height="${PLOT_H}" fill="none" stroke="#888"/>`,
    `<text x="${n(MARGIN.left + PLOT_W / 2)}" y="${HEIGHT - 8}" text-anchor="middle" font-size="12">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(14,${n(MARGIN.top + PLOT_H / 2)}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(yLabel)}</text>`,
  );
  return parts.join('');
}
