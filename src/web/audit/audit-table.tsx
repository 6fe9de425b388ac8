import type { AuditEntry } from '../api/types.ts';
import { formatTime, shortRunId } from '../shared/format.ts';

/** Audit entries with their payload folded away. */
export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <table class="table" data-testid="audit-table">
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">At</th>
          <th scope="col">Type</th>
          <th scope="col">Actor</th>
          <th scope="col">Run</th>
          <th scope="col">Payload</th>
          <th scope="col">Hash</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.seq} data-testid="audit-row" data-seq={entry.seq}>
            <td class="num">{entry.seq}</td>
            <td class="time">{formatTime(entry.at)}</td>
            <td>{entry.type}</td>
            <td>{entry.actor}</td>
            <td class="mono">{entry.runId ? shortRunId(entry.runId) : '—'}</td>
            <td>
              <details>
                <summary>{summarise(entry.payload)}</summary>
                <pre class="json">{JSON.stringify(entry.payload, null, 2)}</pre>
              </details>
            </td>
            <td class="mono" title={entry.hash}>
              {entry.hash.slice(0, 10)}…
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function summarise(payload: Record<string, unknown>): string {
  const text = JSON.stringify(payload);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
