import type { RunDetail } from '../api/types.ts';
import { ErrorNotice } from '../shared/error-notice.tsx';
import { formatTime } from '../shared/format.ts';
import { StateBadge } from '../shared/state-badge.tsx';
import { useApi } from '../shared/use-api.ts';
import { ConnectorFigures } from './connector-figures.tsx';
import { ItemsTable } from './items-table.tsx';
import { LineagePanel } from './lineage-panel.tsx';
import { RunActions } from './run-actions.tsx';
import { RunCounts } from './run-counts.tsx';

/** While a run is running or applying (or its workflow busy), its detail refreshes this often. */
const ACTIVE_POLL_MS = 1500;

/** One run: its figures, its connectors, its items, and the lineage of the item chosen. */
export function RunScreen({ runId, recordId }: { runId: string; recordId: string | null }) {
  const detail = useApi<RunDetail>(`/api/runs/${encodeURIComponent(runId)}`, ({ run, busy }) =>
    busy || run.state === 'running' || run.state === 'applying' ? ACTIVE_POLL_MS : null,
  );
  const data = detail.data;
  return (
    <section aria-labelledby="run-title">
      <p>
        <a href="#/runs">← Runs</a>
      </p>
      <ErrorNotice error={detail.error} />
      {data ? (
        <>
          <header class="run-header">
            <h1 id="run-title">
              {data.run.workflow} <span class="muted mono">{data.run.id}</span>
            </h1>
            <StateBadge state={data.run.state} />
            <span data-testid="run-state" hidden>
              {data.run.state}
            </span>
          </header>
          <p class="muted">
            {data.run.dryRun ? 'Dry run' : 'Run'} under policy {data.run.policy}, started by{' '}
            {data.run.requestedBy ?? 'unknown'} at {formatTime(data.run.createdAt)}, last update{' '}
            {formatTime(data.run.updatedAt)}
          </p>
          {data.run.error ? <p class="notice notice-error">{data.run.error}</p> : null}
          <RunActions detail={data} onDone={detail.reload} />
          <RunCounts detail={data} />
          <section class="card" aria-labelledby="connectors-title">
            <h2 id="connectors-title">Connectors</h2>
            <ConnectorFigures connectors={data.run.stats.connectors} />
          </section>
          {recordId ? <LineagePanel runId={runId} recordId={recordId} /> : null}
          <section class="card" aria-labelledby="items-title">
            <h2 id="items-title">Items</h2>
            <ItemsTable runId={runId} selected={recordId} />
          </section>
        </>
      ) : null}
    </section>
  );
}
