import type { ConnectorSummary } from '../api/types.ts';
import { LineChart } from '../charts/line-chart.tsx';
import { formatMs } from '../shared/format.ts';

/** Per connector: the run's traffic, its trouble, its latency and its concurrency limit over time. */
export function ConnectorFigures({
  connectors,
}: {
  connectors: Record<string, ConnectorSummary> | undefined;
}) {
  const entries = Object.entries(connectors ?? {});
  if (entries.length === 0) return <p class="muted">No connector figures yet.</p>;
  return (
    <table class="table" data-testid="connector-figures">
      <thead>
        <tr>
          <th scope="col">Connector</th>
          <th scope="col">Requests</th>
          <th scope="col">Retries</th>
          <th scope="col">429s</th>
          <th scope="col">Failures</th>
          <th scope="col">Breaker opens</th>
          <th scope="col">Peak in flight</th>
          <th scope="col">Latency p50 / p95 / p99</th>
          <th scope="col">Concurrency over time</th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([name, figures]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td class="num">{figures.requests}</td>
            <td class="num">{figures.retries}</td>
            <td class="num">{figures.rateLimited}</td>
            <td class="num">{figures.failures}</td>
            <td class="num">{figures.breakerOpens}</td>
            <td class="num">{figures.peakInFlight}</td>
            <td class="num">
              {formatMs(figures.latencyMs.p50)} / {formatMs(figures.latencyMs.p95)} /{' '}
              {formatMs(figures.latencyMs.p99)}
            </td>
            <td>
              <LineChart
                label={`${name}: concurrency limit over time`}
                points={figures.concurrency.map((point) => ({
                  at: Date.parse(point.at),
                  value: point.limit,
                }))}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
