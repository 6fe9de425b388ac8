import { useState } from 'preact/hooks';
import { callApi } from '../api/client.ts';
import type { Run, WorkflowSummary } from '../api/types.ts';
import { routeHref } from '../route.ts';
import { hasRole, useSession } from '../session/session.ts';
import { ErrorNotice } from '../shared/error-notice.tsx';
import { shortRunId } from '../shared/format.ts';
import { StateBadge } from '../shared/state-badge.tsx';
import { useApi } from '../shared/use-api.ts';

/** The workflows, with buttons to start a dry run or a run (operators and above). */
export function WorkflowLauncher({ onStarted }: { onStarted: () => void }) {
  const session = useSession();
  const mayStart = hasRole(session.role, 'operator');
  const workflows = useApi<WorkflowSummary[]>('/api/workflows');
  const [failure, setFailure] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const start = async (workflow: string, dryRun: boolean) => {
    setBusy(true);
    setFailure(undefined);
    try {
      const { run } = await callApi<{ run: Run }>(
        'POST',
        `/api/workflows/${encodeURIComponent(workflow)}/runs`,
        {
          dryRun,
        },
      );
      onStarted();
      window.location.hash = routeHref({ screen: 'run', runId: run.id, recordId: null });
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="workflows-title">
      <h2 id="workflows-title">Workflows</h2>
      <ErrorNotice error={workflows.error ?? failure} testId="workflow-error" />
      <ul class="workflows">
        {workflows.data?.map((workflow) => (
          <li key={workflow.name} data-testid="workflow" data-workflow={workflow.name}>
            <div>
              <strong>{workflow.name}</strong>
              {workflow.description ? <span class="muted"> — {workflow.description}</span> : null}
              <div class="muted small">
                policy {formatPolicy(workflow.policy)}
                {workflow.triggers.schedule ? ` · schedule ${workflow.triggers.schedule}` : ''}
                {workflow.triggers.webhook ? ' · webhook' : ''}
                {workflow.lastRun ? (
                  <>
                    {' · last run '}
                    <a href={routeHref({ screen: 'run', runId: workflow.lastRun.id, recordId: null })}>
                      {shortRunId(workflow.lastRun.id)}
                    </a>{' '}
                    <StateBadge state={workflow.lastRun.state} />
                  </>
                ) : null}
              </div>
            </div>
            <div class="actions">
              <button
                type="button"
                disabled={!mayStart || busy || workflow.busy}
                title={mayStart ? 'Plan only: nothing is written to the ERP' : 'Needs the operator role'}
                onClick={() => start(workflow.name, true)}
                data-testid="start-dry-run"
              >
                Dry run
              </button>
              <button
                type="button"
                class="primary"
                disabled={!mayStart || busy || workflow.busy}
                title={mayStart ? 'Plan, then apply what the policy approves' : 'Needs the operator role'}
                onClick={() => start(workflow.name, false)}
                data-testid="start-run"
              >
                Run
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** "review", "auto (≥ 0.8)", with four-eyes when set. */
function formatPolicy(policy: WorkflowSummary['policy']): string {
  const mode = policy.mode === 'auto' ? `auto (≥ ${policy.minConfidence})` : policy.mode;
  return policy.fourEyesAbove === null ? mode : `${mode}, four-eyes above ${policy.fourEyesAbove}`;
}
