import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExpenseLine } from '../src/canonical/expense-line.ts';
import { WorkflowConfig } from '../src/config/schema.ts';
import type { ModelInfo } from '../src/engine/engine.ts';
import { decideBatch } from '../src/engine/plan.ts';
import type { ReferenceReader, WorkflowContext } from '../src/engine/workflow.ts';
import { glCodingWorkflow, modelThreshold } from './gl-coding.ts';

const config = (options: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  WorkflowConfig.parse({
    task: 'gl-coding',
    connector: 'sandbox',
    options,
    policy: { mode: 'auto' },
    ...extra,
  });

const line: ExpenseLine = {
  id: 'EL000001',
  date: '2016-07-04',
  merchant: 'tesco pfs 4203',
  amount: 40,
  currency: 'GBP',
  vatCode: 'VR',
  directorate: 'Local Services',
  costCentre: 'RLBMC',
  costCentreName: 'Technical Unit',
  glAccount: null,
  version: '"v1"',
};

function reader(accounts: { id: string; name: string }[], lines: ExpenseLine[] = []): ReferenceReader {
  return {
    suppliers: new Map(),
    asOf: '2026-01-01',
    async records(entity) {
      if (entity.name === 'glAccount') {
        if (accounts.length === 0) throw new Error('profile x maps no glAccount (it maps purchaseOrder)');
        return accounts.map((account) => ({ ...account, version: null })) as never;
      }
      return lines as never;
    },
  };
}

describe('the gl-coding workflow', () => {
  it('reads uncoded lines, learns from coded ones, and applies only at or above the threshold', () => {
    const workflow = glCodingWorkflow('gl-coding', config({ autoThreshold: 0.9 }));
    expect(workflow.source.filter).toEqual({ coded: 'no' });
    expect(workflow.history.filter).toEqual({ coded: 'yes' });
    expect(workflow.policy).toMatchObject({ mode: 'auto', minConfidence: 0.9 });
    expect(workflow.fields).toEqual(['glAccount']);
    expect(workflow.entity.name).toBe('expenseLine');
    const custom = glCodingWorkflow('gl', config({}, { source: { filter: { coded: 'no', card: 'X' } } }));
    expect(custom.source.filter).toEqual({ coded: 'no', card: 'X' });
    // Without a threshold nothing is applied on its own.
    expect(custom.policy.minConfidence).toBe(1);
  });

  it('takes the chart of accounts as labels when the profile has one, else the codes of the history', async () => {
    const workflow = glCodingWorkflow('gl-coding', config({ autoThreshold: 0.9 }));
    await workflow.reference?.(
      reader([
        { id: 'L030', name: 'Books' },
        { id: 'K020', name: 'Vehicle Fuel' },
      ]),
    );
    expect(workflow.task.labels).toEqual(['K020', 'L030']);
    const result = { label: 'K020', confidence: 0.97, probabilities: {}, explanation: '', model: 'm' };
    expect(workflow.decide(line, result, { asOf: '', suppliers: new Map() })).toEqual({
      after: { glAccount: 'K020' },
      reason: 'coded K020 Vehicle Fuel (confidence 0.97, at or above the auto-apply threshold 0.900)',
    });
    expect(
      workflow.decide({ ...line, glAccount: 'K020' }, result, { asOf: '', suppliers: new Map() }),
    ).toBeNull();
    expect(
      workflow.decide(line, { ...result, confidence: 0.5 }, { asOf: '', suppliers: new Map() })?.reason,
    ).toContain('below the auto-apply threshold 0.900, so a person reviews it');

    const fromHistory = glCodingWorkflow('gl-coding', config({}));
    const coded = [{ ...line, glAccount: 'L100' }, { ...line, glAccount: 'K020' }, line];
    expect(await fromHistory.reference?.(reader([], coded))).toEqual({
      accounts: [{ code: 'K020' }, { code: 'L100' }],
      source: 'history',
    });
    await expect(glCodingWorkflow('g', config({})).reference?.(reader([], [line]))).rejects.toThrow(
      'gl-coding needs at least two GL accounts to choose from; the history has 0',
    );
  });

  it('reads the threshold from an eval report, and names the option that is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'erpbridge-gl-workflow-'));
    const report = join(dir, 'report.json');
    writeFileSync(
      report,
      JSON.stringify({
        candidates: [
          { name: 'baseline', threshold: { value: null } },
          { name: 'embedded', threshold: { value: 0.883 } },
        ],
      }),
    );
    expect(glCodingWorkflow('gl', config({ evalReport: report })).policy.minConfidence).toBe(0.883);
    expect(() => glCodingWorkflow('gl', config({ evalReport: join(dir, 'none.json') }))).toThrow(
      /^workflows\.gl\.options\.evalReport: cannot read the eval report .*none\.json/,
    );
    writeFileSync(join(dir, 'other.json'), '{"candidates":[]}');
    expect(() => glCodingWorkflow('gl', config({ evalReport: join(dir, 'other.json') }))).toThrow(
      'is not an eval report with an embedded candidate',
    );
    expect(() => glCodingWorkflow('gl', config({ autoThreshold: 1.5 }))).toThrow(
      'workflows.gl.options.autoThreshold: Too big: expected number to be <=1',
    );
    expect(() => glCodingWorkflow('gl', config({ autoThreshold: 0.9, evalReport: report }))).toThrow(
      'workflows.gl.options: give autoThreshold or evalReport, not both',
    );
    expect(() => glCodingWorkflow('gl', config({ threshold: 0.9 }))).toThrow(
      'workflows.gl.options: Unrecognized key: "threshold"',
    );
  });

  it('autoThreshold: model applies at the threshold the answering model chose on its validation', () => {
    const workflow = glCodingWorkflow('gl', config({ autoThreshold: 'model' }));
    // Before a run has a model, nothing is applied on its own.
    expect(workflow.policy.minConfidence).toBe(1);
    const model = (threshold: number | null): ModelInfo => ({
      model: 'embedded:gl-coding@f1',
      trained: true,
      metrics: { accuracy: 0.68, autoThreshold: { precision: 0.95, threshold, coverage: 0.3 } },
    });
    const plan = (context: WorkflowContext) =>
      decideBatch(
        workflow,
        { id: 'run-1', approvedSoFar: 0, requestedBy: null },
        [line, { ...line, id: 'EL000002' }],
        [line, line],
        [
          { label: 'K020', confidence: 0.91, probabilities: {}, explanation: '', model: 'm' },
          { label: 'K020', confidence: 0.8, probabilities: {}, explanation: '', model: 'm' },
        ],
        context,
        '2026-12-05T00:00:00.000Z',
      ).changes;
    const context = (info: ModelInfo | null): WorkflowContext => ({
      asOf: '2026-12-05',
      suppliers: new Map(),
      model: info,
    });

    const chosen = plan(context(model(0.85)));
    expect(chosen.map((change) => change.state)).toEqual(['approved', 'pending']);
    expect(chosen[0]?.decidedBy).toBe('policy:auto>=0.85');
    expect(chosen[0]?.reason).toContain('at or above the auto-apply threshold 0.850');
    expect(chosen[1]?.reason).toContain('below the auto-apply threshold 0.850, so a person reviews it');
    // A retrained model that chose a stricter cut: the same answers now wait.
    expect(plan(context(model(0.95))).map((change) => change.state)).toEqual(['pending', 'pending']);
    // No cut reached 95 % on validation, or no model: nothing on its own.
    for (const none of [model(null), null]) {
      const changes = plan(context(none));
      expect(changes.map((change) => change.state)).toEqual(['pending', 'pending']);
      expect(changes[0]?.reason).toContain('no auto-apply threshold is set');
    }
    expect(modelThreshold(model(0.85))).toBe(0.85);
    expect(modelThreshold({ model: 'x', trained: false, metrics: { autoThreshold: 'high' } })).toBeNull();
  });
});
