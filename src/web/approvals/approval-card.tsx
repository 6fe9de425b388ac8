import { useState } from 'preact/hooks';
import { callApi } from '../api/client.ts';
import type { Change } from '../api/types.ts';
import { routeHref } from '../route.ts';
import { hasRole, useSession } from '../session/session.ts';
import { ErrorNotice } from '../shared/error-notice.tsx';
import { changedFields, FieldDiff } from '../shared/field-diff.tsx';
import { formatAmount, formatConfidence, formatTime } from '../shared/format.ts';
import { editableText, editedValue, FieldEditor } from './field-editor.tsx';

type Decision = 'approve' | 'reject';

/**
 * One pending change: its field-level diff, why, how sure, what is at stake, who asked and who
 * approved so far; Approve, Edit (then approve the edited values) and Reject, with a comment.
 */
export function ApprovalCard({
  change,
  onDecided,
}: {
  change: Change;
  onDecided: (message: string) => void;
}) {
  const session = useSession();
  const mayDecide = hasRole(session.role, 'approver');
  const [edits, setEdits] = useState<Record<string, string> | null>(null);
  const [comment, setComment] = useState('');
  const [failure, setFailure] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const startEditing = () =>
    setEdits(
      Object.fromEntries(
        changedFields(change.before, change.after).map((f) => [f, editableText(change.after[f])]),
      ),
    );

  const decide = async (decision: Decision) => {
    setBusy(true);
    setFailure(undefined);
    const body: { after?: Record<string, unknown>; comment?: string } = {};
    if (comment.trim()) body.comment = comment.trim();
    if (decision === 'approve' && edits) {
      body.after = Object.fromEntries(
        Object.entries(edits).map(([field, text]) => [field, editedValue(change.after[field], text)]),
      );
    }
    try {
      const answer = await callApi<{ change: Change; applying: boolean }>(
        'POST',
        `/api/changes/${encodeURIComponent(change.id)}/${decision}`,
        body,
      );
      onDecided(describeDecision(answer.change, answer.applying));
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li
      class="card approval"
      data-testid="inbox-row"
      data-change-id={change.id}
      data-record-id={change.recordId}
      data-run-id={change.runId}
    >
      <header class="card-header">
        <h2>
          {change.entity} {change.recordId}
        </h2>
        <a href={routeHref({ screen: 'run', runId: change.runId, recordId: change.recordId })}>lineage</a>
      </header>
      <div class="approval-body">
        <div>
          <FieldDiff
            before={change.before}
            after={change.after}
            renderAfter={
              edits
                ? (field) => (
                    <FieldEditor
                      field={field}
                      value={edits[field] ?? ''}
                      onChange={(value) => setEdits({ ...edits, [field]: value })}
                    />
                  )
                : undefined
            }
          />
          <dl class="facts">
            <dt>Confidence</dt>
            <dd data-testid="confidence">{formatConfidence(change.confidence)}</dd>
            <dt>Amount</dt>
            <dd>{formatAmount(change.amount, change.currency)}</dd>
            <dt>Reason</dt>
            <dd>{change.reason}</dd>
            <dt>Explanation</dt>
            <dd class="explanation">{change.explanation}</dd>
            <dt>Requested by</dt>
            <dd>{change.requestedBy ?? '—'}</dd>
            <dt>Approvals</dt>
            <dd data-testid="approvals-so-far">
              {change.approvals.length === 0
                ? 'none yet'
                : change.approvals.map((approval) => (
                    <span key={`${approval.by}-${approval.at}`} class="approval-entry">
                      {approval.by} at {formatTime(approval.at)}
                      {approval.comment ? ` (“${approval.comment}”)` : ''}
                    </span>
                  ))}
            </dd>
          </dl>
        </div>
        <div class="decision">
          <label class="comment">
            Comment (optional)
            <input
              value={comment}
              onInput={(event) => setComment(event.currentTarget.value)}
              data-testid="comment-input"
            />
          </label>
          <ErrorNotice error={failure} testId="inbox-row-error" />
          <div class="actions">
            {edits ? (
              <button
                type="button"
                onClick={() => setEdits(null)}
                disabled={busy}
                data-testid="cancel-edit-button"
              >
                Cancel edit
              </button>
            ) : (
              <button
                type="button"
                onClick={startEditing}
                disabled={busy || !mayDecide}
                data-testid="edit-button"
              >
                Edit
              </button>
            )}
            <button
              type="button"
              class="danger"
              onClick={() => decide('reject')}
              disabled={busy || !mayDecide}
              data-testid="reject-button"
            >
              Reject
            </button>
            <button
              type="button"
              class="primary"
              onClick={() => decide('approve')}
              disabled={busy || !mayDecide}
              title={mayDecide ? undefined : 'Needs the approver role'}
              data-testid="approve-button"
            >
              {edits ? 'Approve edited' : 'Approve'}
            </button>
          </div>
        </div>
      </div>
    </li>
  );
}

/** What a decision did, in words: approved (and being written), waiting for a second approver, or rejected. */
function describeDecision(change: Change, applying: boolean): string {
  const record = `${change.entity} ${change.recordId}`;
  if (change.state === 'rejected') return `Rejected the change to ${record}.`;
  if (change.state === 'pending') {
    return `Approval recorded for ${record}; it needs another approver (four-eyes).`;
  }
  return applying
    ? `Approved the change to ${record}; it is being written to the ERP.`
    : `Approved the change to ${record}; it is written when its run is applied.`;
}
