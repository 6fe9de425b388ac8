import { describe, expect, it } from 'vitest';
import type { Classification } from '../contract.ts';
import { type GlCodingInput, glCodingTask } from '../tasks/gl-coding.ts';
import { glCodingBaselineCandidate } from '../tasks/gl-coding-baseline.ts';
import { embeddedCandidate } from './candidates.ts';
import { type Candidate, compareCandidates, type DatedExample } from './compare.ts';
import { renderHtmlReport } from './report-html.ts';
import { comparisonTable, renderMarkdownReport } from './report-markdown.ts';

const line = (merchant: string, costCentre: string): GlCodingInput => ({
  merchant,
  amount: 25,
  currency: 'GBP',
  vatCode: 'VR',
  directorate: 'Schools',
  costCentre,
  costCentreName: null,
});

/** A year of lines, one a day: fuel is always fuel, a supermarket is food except at one school. */
function lines(from: number, days: number): DatedExample<GlCodingInput>[] {
  const items: DatedExample<GlCodingInput>[] = [];
  for (let day = from; day < from + days; day++) {
    const date = new Date(Date.UTC(2016, 0, 1 + day)).toISOString().slice(0, 10);
    const kind = day % 4;
    const example =
      kind === 0
        ? { input: line(`shell ${day}`, `C${day % 7}`), label: 'K020' }
        : kind === 1
          ? { input: line('tesco stores', 'SCHOOL'), label: 'L100' }
          : kind === 2
            ? { input: line('tesco stores', `C${day % 7}`), label: 'L220' }
            : { input: line('amazon', `C${day % 7}`), label: day % 8 === 3 ? 'L030' : 'L100' };
    items.push({ example, date });
  }
  return items;
}

/** A candidate that claims certainty and is right only for fuel: its threshold must not be reached. */
const overconfident: Candidate<GlCodingInput> = {
  name: 'overconfident',
  description: 'always K020, always sure',
  fit: async () => ({
    model: 'test:overconfident',
    classify: async (inputs) =>
      inputs.map(
        (): Classification<string> => ({
          label: 'K020',
          confidence: 1,
          probabilities: { K020: 1 },
          explanation: 'always fuel',
          model: 'test:overconfident',
        }),
      ),
  }),
};

const failing: Candidate<GlCodingInput> = {
  name: 'llm',
  description: 'unreachable',
  fit: async () => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:1');
  },
};

describe('compareCandidates', async () => {
  const history = lines(0, 300);
  const test = [
    ...lines(300, 80),
    { example: { input: line('new shop', 'C1'), label: 'Z999' }, date: '2017-03-30' },
  ];
  const task = glCodingTask([
    { code: 'K020', name: 'Vehicle Fuel' },
    { code: 'L030' },
    { code: 'L100' },
    { code: 'L220' },
  ]);
  const report = await compareCandidates({
    workflow: 'gl-coding',
    task,
    history,
    test,
    candidates: [
      glCodingBaselineCandidate((input: GlCodingInput) => input),
      embeddedCandidate(task),
      overconfident,
      failing,
    ],
    source: { history: 'synthetic, 2016', test: 'synthetic, later', splitDate: '2016-10-27' },
    now: () => new Date('2026-01-01T00:00:00Z'),
  });
  const [baseline, embedded, sure, broken] = report.candidates;

  it('describes the split and measures each candidate on the test set only', () => {
    expect(report).toMatchObject({
      format: 1,
      workflow: 'gl-coding',
      history: { examples: 300, from: '2016-01-01', labels: 4 },
      test: { examples: 81, to: '2017-03-30', labels: 5 },
      precisionTarget: 0.95,
    });
    expect(embedded?.accuracy).toBeGreaterThan(baseline?.accuracy ?? 1);
    expect(embedded?.unseenLabels).toBe(1);
    expect(embedded?.perLabel.find((row) => row.label === 'Z999')).toMatchObject({ support: 1, recall: 0 });
    expect(embedded?.perLabel.find((row) => row.label === 'K020')?.name).toBe('Vehicle Fuel');
    expect(embedded?.confusion.labels).toContain('L220');
    expect(embedded?.calibration.bins).toHaveLength(10);
    expect(embedded?.latency.perLineMs).toBeGreaterThan(0);
    expect(embedded?.cost).toEqual({ total: 0, perLine: 0, currency: 'USD' });
  });

  it('chooses each threshold on the newest slice of the history, then reports it honestly on the test set', () => {
    expect(embedded?.threshold.validation).toMatchObject({
      examples: 60,
      from: '2016-08-28',
      to: '2016-10-26',
    });
    expect(embedded?.threshold.value).not.toBeNull();
    expect(embedded?.atThreshold.coverage).toBeGreaterThan(0.5);
    // Always sure, right a quarter of the time: no cut reaches 95 % on validation, so nothing is automated.
    expect(sure?.threshold.value).toBeNull();
    expect(sure?.atThreshold).toEqual({ coverage: 0, precision: 0, count: 0 });
    expect(sure?.hindsight).toBeNull();
  });

  it('reports a candidate that failed instead of failing the comparison', () => {
    expect(broken).toMatchObject({ name: 'llm', model: null, error: 'connect ECONNREFUSED 127.0.0.1:1' });
  });

  it('renders Markdown and a self-contained HTML page with its charts inline', () => {
    const table = comparisonTable(report);
    expect(table.split('\n')[0]).toBe(
      '| provider | accuracy | macro-F1 | ECE | threshold for 95% (validation) | test: automated | test: precision there | ms / line | cost |',
    );
    expect(table).toContain('| llm | failed: connect ECONNREFUSED 127.0.0.1:1 |');
    const markdown = renderMarkdownReport(report);
    expect(markdown).toContain('## embedded: embedded model, offline');
    expect(markdown).toContain('No confidence kept 95% precision on the 60 validation lines');
    const html = renderHtmlReport(report);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<svg /g)?.length).toBe(5);
    expect(html).toContain('Precision at coverage (test)');
    expect(html).toContain('Reliability (test)');
    expect(html).toContain('Confusion of embedded');
    expect(html).not.toMatch(/<script|<link|src="http|href="http/i);
    expect(html).not.toContain('<b>broken');
  });

  it('refuses a plan with nothing to learn from or to test on', async () => {
    const plan = { workflow: 'x', task, candidates: [], source: { history: '', test: '', splitDate: null } };
    await expect(compareCandidates({ ...plan, history: [], test })).rejects.toThrow('no labelled history');
    await expect(compareCandidates({ ...plan, history, test: [] })).rejects.toThrow(
      'no labelled lines to test on',
    );
    await expect(compareCandidates({ ...plan, history: history.slice(0, 1), test })).rejects.toThrow(
      'too short to learn from and still hold back its newest 20%',
    );
  });
});
