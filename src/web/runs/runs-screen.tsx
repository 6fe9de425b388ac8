import type { Run } from '../api/types.ts';
import { ErrorNotice } from '../shared/error-notice.tsx';
import { useApi } from '../shared/use-api.ts';
import { RunStateChart } from './run-state-chart.tsx';
import { RunTimeline } from './run-timeline.tsx';
import { RunsTable } from './runs-table.tsx';
import { WorkflowLauncher } from './workflow-launcher.tsx';

const RUNS_SHOWN = 50;
/** While a run is running or applying, the list refreshes this often. */
const ACTIVE_POLL_MS = 2000;

/** Recent runs: a timeline, items per state, and the list. */
export function RunsScreen() {
  const runs = useApi<Run[]>(`/api/runs?limit=${RUNS_SHOWN}`, (answer) =>
    answer.some((run) => run.state === 'running' || run.state === 'applying') ? ACTIVE_POLL_MS : null,
  );
  const list = runs.data ?? [];
  return (
    <section aria-labelledby="runs-title">
      <h1 id="runs-title">Runs</h1>
      <WorkflowLauncher onStarted={runs.reload} />
      <ErrorNotice error={runs.error} />
      {runs.data && list.length === 0 ? <p class="muted">No runs yet.</p> : null}
      {list.length > 0 ? (
        <>
          <section class="card" aria-labelledby="timeline-title">
            <h2 id="timeline-title">Timeline</h2>
            <RunTimeline runs={list} />
          </section>
          <section class="card" aria-labelledby="states-title">
            <h2 id="states-title">Items per state</h2>
            <RunStateChart runs={list} />
          </section>
          <section class="card" aria-labelledby="list-title">
            <h2 id="list-title">Recent runs</h2>
            <RunsTable runs={list} />
          </section>
        </>
      ) : null}
    </section>
  );
}
