import { useState } from 'preact/hooks';
import { callApi } from '../api/client.ts';
import type { ConnectorFigures, ConnectorHealth, ConnectorTestResult } from '../api/types.ts';
import { Gauge } from '../charts/gauge.tsx';
import { LineChart } from '../charts/line-chart.tsx';
import { hasRole, useSession } from '../session/session.ts';
import { ErrorNotice } from '../shared/error-notice.tsx';
import { formatMs } from '../shared/format.ts';

const BREAKER_CLASS = { closed: 'ok', 'half-open': 'warn', open: 'alarm' } as const;

/**
 * The latency gauge's full scale: a second per request is slow for an ERP API call (amber from
 * half of it, red from 90 %); a slower p95 pins the gauge and the figure says how slow.
 */
const LATENCY_SCALE_MS = 1000;

/** One connector's health as gauges, and a Test that asks the ERP one question (operators and above). */
export function ConnectorCard({ connector }: { connector: ConnectorHealth }) {
  const session = useSession();
  const mayTest = hasRole(session.role, 'operator');
  const [result, setResult] = useState<ConnectorTestResult | null>(null);
  const [failure, setFailure] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const test = async () => {
    setBusy(true);
    setFailure(undefined);
    setResult(null);
    try {
      const path = `/api/connectors/${encodeURIComponent(connector.name)}/test`;
      setResult(await callApi<ConnectorTestResult>('POST', path));
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  const { figures } = connector;
  return (
    <li class="card connector" data-testid="connector" data-connector={connector.name}>
      <header class="card-header">
        <h2>
          {connector.name} <span class="muted">({connector.kind})</span>
        </h2>
        {figures ? (
          <span class={`breaker breaker-${BREAKER_CLASS[figures.breaker.state]}`} data-testid="breaker-state">
            breaker {figures.breaker.state}
            <span class="muted"> · opened {figures.breaker.opens}×</span>
          </span>
        ) : null}
      </header>
      {connector.error ? <p class="notice notice-error">{connector.error}</p> : null}
      {figures ? <Health figures={figures} /> : null}
      <div class="actions">
        <button
          type="button"
          onClick={test}
          disabled={busy || !mayTest}
          title={mayTest ? 'Asks the ERP one small question' : 'Needs the operator role'}
          data-testid="connector-test"
        >
          {busy ? 'Testing…' : 'Test'}
        </button>
        {result ? (
          <span
            class={result.ok ? 'notice notice-ok' : 'notice notice-error'}
            role="status"
            data-testid="connector-test-result"
          >
            {result.ok
              ? `OK in ${result.latencyMs} ms`
              : `failed after ${result.latencyMs} ms: ${result.error ?? ''}`}
          </span>
        ) : null}
      </div>
      <ErrorNotice error={failure} testId="connector-test-error" />
    </li>
  );
}

function Health({ figures }: { figures: ConnectorFigures }) {
  const { concurrency, latencyMs } = figures;
  const failures = Object.values(figures.failures).reduce((sum, count) => sum + count, 0);
  return (
    <>
      <div class="gauges">
        <Gauge
          label="In flight"
          value={concurrency.inFlight}
          max={concurrency.max}
          testId="gauge-in-flight"
        />
        <Gauge
          label="Concurrency limit"
          value={concurrency.limit}
          max={concurrency.max}
          warnAt={2}
          alarmAt={2}
          testId="gauge-concurrency"
        />
        <Gauge
          label="Latency p95"
          value={Math.round(latencyMs.p95)}
          max={LATENCY_SCALE_MS}
          warnAt={0.5}
          unit=" ms"
          testId="gauge-latency"
        />
        <figure class="gauge gauge-wide">
          <LineChart
            label="Concurrency limit over time"
            points={concurrency.history.map((point) => ({ at: point.at, value: point.limit }))}
          />
          <figcaption>Limit over time</figcaption>
        </figure>
      </div>
      <p class="muted small">
        {figures.requests} requests · {figures.retries} retries · {figures.rateLimited} rate-limited (429) ·{' '}
        {failures} failed · peak in flight {concurrency.peakInFlight} · latency p50 {formatMs(latencyMs.p50)}{' '}
        · p95 {formatMs(latencyMs.p95)} · p99 {formatMs(latencyMs.p99)} · max {formatMs(latencyMs.max)}
      </p>
    </>
  );
}
