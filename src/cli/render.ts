import Table from 'cli-table3';
import type { Change } from '../engine/change.ts';
import type { RunReport } from '../engine/engine.ts';
import type { Run } from '../engine/run.ts';

const plain = { head: [], border: [] };

function table(head: string[]): Table.Table {
  return new Table({
    head,
    style: plain,
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** The end-of-run summary: read, per label, changes by state, time. */
export function renderRunSummary(report: RunReport, elapsedMs?: number): string {
  const { run, changes } = report;
  const summary = table(['run', run.id]);
  // A dry run's plan may be applied later (`erpbridge apply <run>`): say so, not just "dry run".
  const written =
    (changes.applied ?? 0) + (changes.conflict ?? 0) + (changes.failed ?? 0) + (changes.reverted ?? 0);
  const mode = !run.dryRun ? 'apply' : written > 0 ? 'dry run, its plan applied since' : 'dry run';
  summary.push(['workflow', `${run.workflow} (${mode}, policy ${run.policy})`]);
  summary.push(['state', run.state]);
  summary.push(['records read', String(run.stats.read)]);
  const labels = Object.entries(run.stats.labels)
    .sort(([, a], [, b]) => b - a)
    .map(([label, count]) => `${label} ${count}`)
    .join(', ');
  if (labels) summary.push(['labels', labels]);
  summary.push(['unreadable (failed items)', String(run.stats.failed)]);
  summary.push(['unchanged', String(run.stats.unchanged)]);
  if (run.stats.review) summary.push(['to review, no change planned', String(run.stats.review)]);
  const planned = Object.values(changes).reduce((sum, count) => sum + (count ?? 0), 0);
  summary.push(['changes planned', String(planned)]);
  for (const state of [
    'pending',
    'approved',
    'applied',
    'conflict',
    'failed',
    'rejected',
    'reverted',
  ] as const) {
    const count = changes[state];
    if (count) summary.push([`  ${state}`, String(count)]);
  }
  if (!run.dryRun || report.wrote > 0) summary.push(['writes sent by this command', String(report.wrote)]);
  summary.push(['extract → plan', seconds(run.stats.extractMs)]);
  if (run.stats.applyMs > 0) summary.push(['apply', seconds(run.stats.applyMs)]);
  if (elapsedMs !== undefined) summary.push(['total', seconds(elapsedMs)]);
  return summary.toString();
}

/** A plan's changes, one row each, with the explanation a reviewer reads. */
export function renderChanges(changes: readonly Change[]): string {
  if (changes.length === 0) return '(no changes)';
  const rows = table(['record', 'change', 'confidence', 'state', 'why']);
  for (const change of changes) {
    const diff = Object.keys(change.after)
      .map(
        (field) => `${field}: ${String(change.before[field] ?? '∅')} → ${String(change.after[field] ?? '∅')}`,
      )
      .join('; ');
    rows.push([change.recordId, diff, change.confidence.toFixed(2), change.state, change.explanation]);
  }
  return rows.toString();
}

/** Recent runs, newest first. */
export function renderRuns(runs: readonly Run[]): string {
  if (runs.length === 0) return '(no runs yet)';
  const rows = table(['run', 'workflow', 'mode', 'policy', 'state', 'read', 'changes', 'started']);
  for (const run of runs) {
    const changes = Object.entries(run.stats.changes)
      .filter(([, count]) => count)
      .map(([state, count]) => `${state} ${count}`)
      .join(', ');
    rows.push([
      run.id,
      run.workflow,
      run.params.revertOf ? `revert of ${String(run.params.revertOf)}` : run.dryRun ? 'dry run' : 'apply',
      run.policy,
      run.state,
      String(run.stats.read),
      changes || '-',
      run.createdAt.replace('T', ' ').slice(0, 19),
    ]);
  }
  return rows.toString();
}
