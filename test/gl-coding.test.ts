import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import { type CliContext, openContext } from '../src/runtime/context.ts';
import {
  runCli,
  sandboxEnv,
  sandboxRequests,
  tempDir,
  testSandbox,
  writeTestConfig,
} from './support/harness.ts';

/** The real purchase-card lines (see ../shared/data/gl-coding/SOURCES.md); the test skips without them. */
const DATA = resolve(import.meta.dirname, '../../shared/data/gl-coding/train.csv');
const SPLIT = '2016-07-01';

/** The shipped gl-coding workflow (review mode), switched to auto above the evaluated threshold. */
function glCodingWorkflow(reportFile: string): [string, string] {
  return [
    '    task: gl-coding\n    policy:\n      mode: review\n      minConfidence: 0.9\n',
    '    task: gl-coding\n' +
      `    options:\n      evalReport: ${reportFile}\n` +
      '    policy:\n      mode: auto\n      maxChangesPerRun: 100000\n    batchSize: 1000\n',
  ];
}

interface ExpenseLinePage {
  data: { line_id: string; gl_code: string }[];
  total: number;
}

async function codedLines(sandbox: Sandbox): Promise<Map<string, string>> {
  const codes = new Map<string, string>();
  for (let page = 1; ; page++) {
    const response = await fetch(`${sandbox.url}/api/expense_lines?coded=yes&page=${page}&page_size=1000`, {
      headers: { authorization: `Bearer ${sandbox.apiKey}` },
    });
    const body = (await response.json()) as ExpenseLinePage;
    for (const line of body.data) codes.set(line.line_id, line.gl_code);
    if (page * 1000 >= body.total) return codes;
  }
}

describe.skipIf(!existsSync(DATA))('gl-coding on the real purchase-card lines, end to end', () => {
  let dir: string;
  let sandbox: Sandbox;
  let context: CliContext;
  let reportFile: string;
  let threshold: number;
  /** Lines the sandbox serves uncoded: the test period's, and a few older ones the council never coded. */
  let uncoded: number;

  beforeAll(async () => {
    dir = tempDir('gl-coding');
    sandbox = await testSandbox(dir, {
      orders: 50,
      history: 100,
      expenseLines: { file: DATA, codedBefore: SPLIT },
    });
    // 1. Evaluate on the time split: the threshold for 95 % precision comes from validation.
    const evalConfig = writeTestConfig(dir);
    const reportDir = join(dir, 'report');
    const evaluation = await runCli(
      [
        '--config',
        evalConfig,
        'eval',
        'gl-coding',
        '--data',
        DATA,
        '--split-date',
        SPLIT,
        '--provider',
        'embedded',
        '--report',
        reportDir,
      ],
      { env: sandboxEnv(sandbox) },
    );
    expect(evaluation.stderr).toBe('');
    expect(evaluation.code).toBe(0);
    reportFile = join(reportDir, 'report.json');
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    threshold = report.candidates[0].threshold.value;
    const page = await fetch(`${sandbox.url}/api/expense_lines?coded=no&page_size=1`, {
      headers: { authorization: `Bearer ${sandbox.apiKey}` },
    });
    uncoded = ((await page.json()) as ExpenseLinePage).total;
    expect(uncoded).toBeGreaterThanOrEqual(2530);
    expect(threshold).toBeGreaterThan(0.5);
    // 2. The workflow reads that threshold from the report.
    const config = writeTestConfig(join(dir), [glCodingWorkflow(reportFile)]);
    context = await openContext({ configFile: config, env: sandboxEnv(sandbox) });
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    await sandbox?.close();
  });

  it('a dry run plans a code for every uncoded line and writes nothing', async () => {
    const workflow = context.workflow('gl-coding');
    const report = await context.engine.run(workflow, { dryRun: true });
    expect(report.run.state).toBe('planned');
    const planned = (report.changes.approved ?? 0) + (report.changes.pending ?? 0);
    expect(planned).toBe(uncoded);
    expect(report.changes.approved ?? 0).toBeGreaterThan(500);
    expect(await sandboxRequests(sandbox, 'PATCH')).toHaveLength(0);
    const [change] = await context.store.listChanges(report.run.id, { states: ['approved'], limit: 1 });
    expect(change?.entity).toBe('expenseLine');
    expect(change?.before).toEqual({ glAccount: null });
    expect(change?.reason).toMatch(/^coded \w+ .*at or above the auto-apply threshold/);
    expect(change?.explanation).toMatch(/was coded \w+ .* in \d+ of \d+ past lines/);
  }, 600_000);

  it('auto-apply writes only the confident codes, and they match the hidden truth at ≥ 95 %', async () => {
    const workflow = context.workflow('gl-coding');
    const report = await context.engine.run(workflow, { dryRun: false });
    const applied = report.changes.applied ?? 0;
    expect(applied).toBeGreaterThan(500);
    expect(report.changes.pending ?? 0).toBe(uncoded - applied);
    const pending = await context.store.listChanges(report.run.id, { states: ['pending'], limit: 1000 });
    expect(pending.every((change) => (change.confidence ?? 0) < threshold)).toBe(true);

    const truth = (await (await fetch(`${sandbox.url}/_sandbox/expense-lines/truth`)).json()) as {
      codes: Record<string, string>;
    };
    const coded = await codedLines(sandbox);
    const written = Object.keys(truth.codes).filter((id) => coded.has(id));
    // Every applied code is on an uncoded line; all but those on the few old lines without a truth are judged.
    const withoutTruth = uncoded - Object.keys(truth.codes).length;
    expect(written.length).toBeLessThanOrEqual(applied);
    expect(written.length).toBeGreaterThanOrEqual(applied - withoutTruth);
    const right = written.filter((id) => coded.get(id) === truth.codes[id]).length;
    expect(right / written.length).toBeGreaterThanOrEqual(0.95);
    const writes = (await sandboxRequests(sandbox, 'PATCH')).filter((entry) => entry.applied);
    expect(writes).toHaveLength(applied);
  }, 600_000);
});
