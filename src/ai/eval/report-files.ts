import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ComparisonReport } from './compare.ts';
import { renderHtmlReport } from './report-html.ts';
import { renderMarkdownReport } from './report-markdown.ts';

/** Writes `report.json`, `report.md` and `report.html` into `dir` (created if missing); returns their paths. */
export function writeComparisonReports(
  dir: string,
  report: ComparisonReport,
): { json: string; markdown: string; html: string } {
  const folder = resolve(dir);
  mkdirSync(folder, { recursive: true });
  const files = {
    json: join(folder, 'report.json'),
    markdown: join(folder, 'report.md'),
    html: join(folder, 'report.html'),
  };
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(files.markdown, renderMarkdownReport(report));
  writeFileSync(files.html, renderHtmlReport(report));
  return files;
}
