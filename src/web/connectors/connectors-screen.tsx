import type { ConnectorHealth } from '../api/types.ts';
import { ErrorNotice } from '../shared/error-notice.tsx';
import { useApi } from '../shared/use-api.ts';
import { ConnectorCard } from './connector-card.tsx';

/** Health is live: the screen refreshes this often. */
const POLL_MS = 3000;

/** Every connector's health now: breaker, rate limit, concurrency, latency. */
export function ConnectorsScreen() {
  const connectors = useApi<ConnectorHealth[]>('/api/connectors', () => POLL_MS);
  return (
    <section aria-labelledby="connectors-title">
      <h1 id="connectors-title">Connectors</h1>
      <ErrorNotice error={connectors.error} />
      <ul class="connectors">
        {connectors.data?.map((connector) => (
          <ConnectorCard key={connector.name} connector={connector} />
        ))}
      </ul>
    </section>
  );
}
