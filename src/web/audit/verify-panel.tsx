import { useState } from 'preact/hooks';
import { callApi } from '../api/client.ts';
import type { AuditVerdict } from '../api/types.ts';
import { ErrorNotice } from '../shared/error-notice.tsx';

/** Checks the hash chain on the server and says whether it is intact, or where it breaks. */
export function VerifyPanel() {
  const [verdict, setVerdict] = useState<AuditVerdict | null>(null);
  const [failure, setFailure] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const verify = async () => {
    setBusy(true);
    setFailure(undefined);
    setVerdict(null);
    try {
      setVerdict(await callApi<AuditVerdict>('POST', '/api/audit/verify'));
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="verify">
      <button type="button" class="primary" onClick={verify} disabled={busy} data-testid="verify-button">
        {busy ? 'Verifying…' : 'Verify'}
      </button>
      <ErrorNotice error={failure} testId="verify-error" />
      {verdict ? <Verdict verdict={verdict} /> : null}
    </div>
  );
}

function Verdict({ verdict }: { verdict: AuditVerdict }) {
  if (verdict.ok) {
    return (
      <p class="notice notice-ok" role="status" data-testid="verify-result" data-ok="true">
        <strong>intact</strong> — {verdict.entries} hash-chained entries
        {verdict.head ? (
          <>
            , head <span class="mono">{verdict.head.slice(0, 16)}…</span>
          </>
        ) : null}
      </p>
    );
  }
  return (
    <p class="notice notice-error" role="alert" data-testid="verify-result" data-ok="false">
      <strong>broken</strong> — first bad entry #{verdict.firstBad.seq} ({verdict.firstBad.reason}):{' '}
      {verdict.firstBad.detail}. {verdict.entries} entries before it are intact.
    </p>
  );
}
