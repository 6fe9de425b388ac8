import { useState } from 'preact/hooks';
import { callApi } from '../api/client.ts';
import type { Role, Run, RunDetail } from '../api/types.ts';
import { routeHref } from '../route.ts';
import { hasRole, useSession } from '../session/session.ts';
import { ErrorNotice } from '../shared/error-notice.tsx';

const ACTION_NAMES = ['apply', 'cancel', 'revert'] as const;
type Action = (typeof ACTION_NAMES)[number];

/** Who may do what to a run, and when it makes sense. */
const ACTIONS = {
  apply: { label: 'Apply approved changes', role: 'operator' },
  cancel: { label: 'Cancel', role: 'operator' },
  revert: { label: 'Revert', role: 'approver' },
} as const satisfies Record<Action, { label: string; role: Role }>;

function offered(action: Action, detail: RunDetail): boolean {
  const { run, changes } = detail;
  switch (action) {
    case 'apply':
      return (
        (run.state === 'planned' || run.state === 'completed') && (changes.approved ?? 0) > 0 && !detail.busy
      );
    case 'cancel':
      return run.state === 'running';
    case 'revert':
      return run.state === 'completed' && (changes.applied ?? 0) > 0;
  }
}

/** Apply, cancel and revert, for the roles that may, when the run's state allows. */
export function RunActions({ detail, onDone }: { detail: RunDetail; onDone: () => void }) {
  const session = useSession();
  const [failure, setFailure] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const runId = encodeURIComponent(detail.run.id);

  const act = async (action: Action) => {
    setBusy(true);
    setFailure(undefined);
    try {
      const answer = await callApi<{ run?: Run }>('POST', `/api/runs/${runId}/${action}`);
      if (action === 'revert' && answer.run) {
        window.location.hash = routeHref({ screen: 'run', runId: answer.run.id, recordId: null });
      }
      onDone();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  const actions = ACTION_NAMES.filter((action) => offered(action, detail));
  if (actions.length === 0 && failure === undefined) return null;
  return (
    <div class="actions">
      {actions.map((action) => {
        const allowed = hasRole(session.role, ACTIONS[action].role);
        return (
          <button
            key={action}
            type="button"
            disabled={busy || !allowed}
            title={allowed ? undefined : `Needs the ${ACTIONS[action].role} role`}
            onClick={() => act(action)}
            data-testid={`run-${action}`}
          >
            {ACTIONS[action].label}
          </button>
        );
      })}
      <ErrorNotice error={failure} testId="run-action-error" />
    </div>
  );
}
