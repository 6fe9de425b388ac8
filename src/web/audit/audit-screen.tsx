import { useState } from 'preact/hooks';
import type { AuditEntry } from '../api/types.ts';
import { ErrorNotice } from '../shared/error-notice.tsx';
import { useApi } from '../shared/use-api.ts';
import { AuditTable } from './audit-table.tsx';
import { VerifyPanel } from './verify-panel.tsx';

const PAGE_SIZE = 100;

/** The audit log, a page at a time from a sequence number, with a type filter and Verify. */
export function AuditScreen() {
  const [pages, setPages] = useState<number[]>([1]);
  const [type, setType] = useState('');
  const fromSeq = pages[pages.length - 1] ?? 1;
  const query = new URLSearchParams({ fromSeq: String(fromSeq), limit: String(PAGE_SIZE) });
  if (type) query.set('type', type);
  const audit = useApi<AuditEntry[]>(`/api/audit?${query}`);
  const entries = audit.data ?? [];
  const last = entries[entries.length - 1];

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <section class="card" aria-label="Verify the hash chain">
        <VerifyPanel />
      </section>
      <div class="toolbar">
        <label>
          Type{' '}
          <input
            value={type}
            placeholder="e.g. change.approved"
            onChange={(event) => {
              setType(event.currentTarget.value.trim());
              setPages([1]);
            }}
            data-testid="audit-type"
          />
        </label>
        <button type="button" disabled={pages.length === 1} onClick={() => setPages(pages.slice(0, -1))}>
          Previous
        </button>
        <span class="muted">from #{fromSeq}</span>
        <button
          type="button"
          disabled={!last || entries.length < PAGE_SIZE}
          onClick={() => last && setPages([...pages, last.seq + 1])}
          data-testid="audit-next"
        >
          Next
        </button>
      </div>
      <ErrorNotice error={audit.error} />
      <AuditTable entries={entries} />
    </section>
  );
}
