import type { ComponentChildren } from 'preact';
import type { Lineage } from '../api/types.ts';
import { routeHref } from '../route.ts';
import { ErrorNotice } from '../shared/error-notice.tsx';
import { FieldDiff } from '../shared/field-diff.tsx';
import { formatAmount, formatConfidence, formatTime } from '../shared/format.ts';
import { JsonView } from '../shared/json-view.tsx';
import { StateBadge } from '../shared/state-badge.tsx';
import { useApi } from '../shared/use-api.ts';

/**
 * One record's way through a run, top to bottom: the ERP record, what went to the AI, its answer
 * and why, the change, the approvals, the write, the read-back, and every audit entry naming it.
 */
export function LineagePanel({ runId, recordId }: { runId: string; recordId: string }) {
  const lineage = useApi<Lineage>(
    `/api/runs/${encodeURIComponent(runId)}/items/${encodeURIComponent(recordId)}/lineage`,
  );
  return (
    <section class="card lineage" aria-labelledby="lineage-title" data-testid="lineage">
      <header class="card-header">
        <h2 id="lineage-title">Lineage of {recordId}</h2>
        <a href={routeHref({ screen: 'run', runId, recordId: null })}>Close</a>
      </header>
      <ErrorNotice error={lineage.error} />
      {lineage.data ? <LineageSteps lineage={lineage.data} /> : null}
    </section>
  );
}

function LineageSteps({ lineage }: { lineage: Lineage }) {
  const { change, answer, write } = lineage;
  return (
    <ol class="steps">
      <Step kind="record" title="ERP record, as read" empty={lineage.record == null}>
        <JsonView value={lineage.record} />
      </Step>
      <Step kind="ai-input" title="Sent to the AI" empty={lineage.aiInput == null}>
        <JsonView value={lineage.aiInput} />
      </Step>
      <Step kind="answer" title="AI answer" empty={!answer}>
        {answer ? (
          <p>
            <strong>{answer.label ?? '—'}</strong> (confidence {formatConfidence(answer.confidence)})
            {answer.explanation ? <span class="explanation">: {answer.explanation}</span> : null}
          </p>
        ) : null}
      </Step>
      <Step
        kind="change"
        title="Change"
        empty={!change}
        emptyText="No change planned: the ERP already holds what the workflow would write, or the record failed."
      >
        {change ? (
          <>
            <p>
              <StateBadge state={change.state} /> {change.reason} · amount{' '}
              {formatAmount(change.amount, change.currency)}
            </p>
            <FieldDiff before={change.before} after={change.after} />
          </>
        ) : null}
      </Step>
      <Step kind="approvals" title="Approvals" empty={lineage.approvals.length === 0 && !change?.decidedBy}>
        <ul>
          {lineage.approvals.map((approval) => (
            <li key={`${approval.by}-${approval.at}`}>
              {approval.by} at {formatTime(approval.at)}
              {approval.comment ? `: “${approval.comment}”` : ''}
            </li>
          ))}
          {change?.decidedBy ? <li>decided by {change.decidedBy}</li> : null}
        </ul>
      </Step>
      <Step kind="write" title="Write" empty={!write}>
        {write ? (
          <p>
            {write.detail} <span class="muted">at {formatTime(write.at)}</span>
          </p>
        ) : null}
      </Step>
      <Step kind="read-back" title="Read back" empty={!write?.readBack}>
        {write?.readBack && change ? (
          <FieldDiff before={change.before} after={change.after} readBack={write.readBack} />
        ) : null}
      </Step>
      <Step kind="audit" title="Audit entries" empty={lineage.audit.length === 0}>
        <ul class="audit-list">
          {lineage.audit.map((entry) => (
            <li key={entry.seq}>
              #{entry.seq} <strong>{entry.type}</strong> by {entry.actor}{' '}
              <span class="muted">at {formatTime(entry.at)}</span>
            </li>
          ))}
        </ul>
      </Step>
    </ol>
  );
}

function Step({
  kind,
  title,
  empty,
  emptyText = 'none',
  children,
}: {
  kind: string;
  title: string;
  empty: boolean;
  emptyText?: string;
  children: ComponentChildren;
}) {
  return (
    <li
      class={empty ? 'step empty' : 'step'}
      data-testid={`lineage-step-${kind}`}
      data-empty={empty ? 'true' : 'false'}
    >
      <h3>{title}</h3>
      {empty ? <p class="muted">{emptyText}</p> : children}
    </li>
  );
}
