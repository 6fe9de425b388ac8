import { useState } from 'preact/hooks';
import type { Change } from '../api/types.ts';
import { ErrorNotice } from '../shared/error-notice.tsx';
import { useApi } from '../shared/use-api.ts';
import { ApprovalCard } from './approval-card.tsx';

const INBOX_SIZE = 100;

/** The inbox: pending changes of every run, oldest first. */
export function ApprovalsScreen() {
  const inbox = useApi<Change[]>(`/api/approvals?limit=${INBOX_SIZE}`);
  const [notice, setNotice] = useState<string | null>(null);
  const changes = inbox.data ?? [];

  const decided = (message: string) => {
    setNotice(message);
    inbox.reload();
  };

  return (
    <section aria-labelledby="approvals-title">
      <h1 id="approvals-title">Approvals</h1>
      {notice ? (
        <p class="notice notice-ok" role="status" data-testid="inbox-notice">
          {notice}
        </p>
      ) : null}
      <ErrorNotice error={inbox.error} />
      {inbox.data ? (
        <p class="muted" data-testid="inbox-count">
          {changes.length === 0 ? 'Nothing waits for approval.' : `${changes.length} pending`}
        </p>
      ) : null}
      <ul class="inbox">
        {changes.map((change) => (
          <ApprovalCard key={change.id} change={change} onDecided={decided} />
        ))}
      </ul>
    </section>
  );
}
