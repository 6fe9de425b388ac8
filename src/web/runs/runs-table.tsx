import type { Run } from '../api/types.ts';
import { routeHref } from '../route.ts';
import { formatCounts, formatTime } from '../shared/format.ts';
import { StateBadge } from '../shared/state-badge.tsx';

/** Runs, newest first, each linking to its detail. */
export function RunsTable({ runs }: { runs: Run[] }) {
  return (
    <table class="table" data-testid="runs-table">
      <thead>
        <tr>
          <th scope="col">Run</th>
          <th scope="col">Workflow</th>
          <th scope="col">State</th>
          <th scope="col">Policy</th>
          <th scope="col">Read</th>
          <th scope="col">Changes</th>
          <th scope="col">Started by</th>
          <th scope="col">Started</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.id} data-testid="run-row" data-run-id={run.id}>
            <td class="mono">
              <a href={routeHref({ screen: 'run', runId: run.id, recordId: null })}>{run.id}</a>
            </td>
            <td>
              {run.workflow}
              {run.dryRun ? <span class="muted"> (dry run)</span> : null}
            </td>
            <td>
              <StateBadge state={run.state} />
            </td>
            <td>{run.policy}</td>
            <td class="num">{run.stats.read}</td>
            <td>{formatCounts(run.stats.changes)}</td>
            <td>{run.requestedBy ?? '—'}</td>
            <td class="time">{formatTime(run.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
