import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Connection } from '../connectors/contract.ts';
import { RestConfigSchema, restConnector } from '../connectors/rest/index.ts';
import { ERROR_KINDS } from '../errors/index.ts';
import { type FlakyErp, startFlakyErp } from '../resilience/flaky-erp-server.ts';
import { type ConnectorFigures, ResiliencePolicies, withResilience } from '../resilience/index.ts';
import { BREAKER_STATE_VALUES, figuresProblem } from './connector-metrics.ts';
import { createMetrics, type MetricsSources } from './metrics.ts';
import { connectorFigures, family, histogram, labelSets, sampleValue, scrape } from './scrape.fixture.ts';

/** Sources with an empty store and the connector figures a test sets. */
function sourcesWith(read: () => Map<string, ConnectorFigures>): MetricsSources {
  return {
    runCounts: async () => [],
    itemCounts: async () => ({}),
    changeCounts: async () => ({}),
    approvalsWaiting: async () => 0,
    connectors: read,
  };
}

const busy = connectorFigures('erp', {
  requests: 120,
  retries: 7,
  rateLimited: 3,
  failures: { auth: 0, rate_limited: 3, transient: 5, validation: 1, conflict: 0, permanent: 0 },
  breaker: { state: 'half-open', opens: 2 },
  concurrency: { inFlight: 4, peakInFlight: 6, limit: 5, max: 8, history: [] },
  latencyMs: { count: 120, p50: 40, p95: 250, p99: 1200, max: 3000 },
});

describe('connector metrics from figures', () => {
  it('cumulative figures are counters whose value is the figure', async () => {
    const scraped = await scrape(createMetrics(sourcesWith(() => new Map([['erp', busy]]))));
    const erp = { connector: 'erp' };
    expect(family(scraped, 'erpbridge_connector_requests_total').type).toBe('COUNTER');
    expect(sampleValue(scraped, 'erpbridge_connector_requests_total', erp)).toBe(120);
    expect(sampleValue(scraped, 'erpbridge_connector_retries_total', erp)).toBe(7);
    expect(sampleValue(scraped, 'erpbridge_connector_rate_limited_total', erp)).toBe(3);
    expect(sampleValue(scraped, 'erpbridge_connector_breaker_opens_total', erp)).toBe(2);
    for (const kind of ERROR_KINDS) {
      expect(
        sampleValue(scraped, 'erpbridge_connector_failures_total', { connector: 'erp', kind }),
        kind,
      ).toBe(busy.failures[kind]);
    }
  });

  it('the counters follow the figures from scrape to scrape', async () => {
    let figures = busy;
    const metrics = createMetrics(sourcesWith(() => new Map([['erp', figures]])));
    await scrape(metrics);
    figures = { ...busy, requests: 150, retries: 9 };
    const scraped = await scrape(metrics);
    expect(sampleValue(scraped, 'erpbridge_connector_requests_total', { connector: 'erp' })).toBe(150);
    expect(sampleValue(scraped, 'erpbridge_connector_retries_total', { connector: 'erp' })).toBe(9);
  });

  it('breaker state, concurrency and latency quantiles are gauges, latency in seconds', async () => {
    const scraped = await scrape(createMetrics(sourcesWith(() => new Map([['erp', busy]]))));
    const erp = { connector: 'erp' };
    expect(sampleValue(scraped, 'erpbridge_connector_breaker_state', erp)).toBe(1);
    expect(sampleValue(scraped, 'erpbridge_connector_concurrency_limit', erp)).toBe(5);
    expect(sampleValue(scraped, 'erpbridge_connector_concurrency_max', erp)).toBe(8);
    expect(sampleValue(scraped, 'erpbridge_connector_in_flight', erp)).toBe(4);
    expect(sampleValue(scraped, 'erpbridge_connector_in_flight_peak', erp)).toBe(6);
    expect(sampleValue(scraped, 'erpbridge_connector_latency_seconds', { ...erp, quantile: '0.5' })).toBe(
      0.04,
    );
    expect(sampleValue(scraped, 'erpbridge_connector_latency_seconds', { ...erp, quantile: '0.95' })).toBe(
      0.25,
    );
    expect(sampleValue(scraped, 'erpbridge_connector_latency_seconds', { ...erp, quantile: '0.99' })).toBe(
      1.2,
    );
  });

  it.each(Object.entries(BREAKER_STATE_VALUES))('breaker %s is %d', async (state, value) => {
    const figures = connectorFigures('erp', {
      breaker: { state: state as ConnectorFigures['breaker']['state'], opens: 1 },
    });
    const scraped = await scrape(createMetrics(sourcesWith(() => new Map([['erp', figures]]))));
    expect(sampleValue(scraped, 'erpbridge_connector_breaker_state', { connector: 'erp' })).toBe(value);
  });

  it('no latency quantiles before the first request (not 0 s), every failure kind from 0', async () => {
    const scraped = await scrape(
      createMetrics(sourcesWith(() => new Map([['idle', connectorFigures('idle')]]))),
    );
    expect(labelSets(scraped, 'erpbridge_connector_latency_seconds')).toEqual([]);
    expect(labelSets(scraped, 'erpbridge_connector_failures_total')).toHaveLength(ERROR_KINDS.length);
    expect(sampleValue(scraped, 'erpbridge_connector_requests_total', { connector: 'idle' })).toBe(0);
  });

  it('a connector that went away disappears from the next scrape', async () => {
    const figures = new Map([
      ['erp', busy],
      ['legacy', connectorFigures('legacy', { requests: 4 })],
    ]);
    const metrics = createMetrics(sourcesWith(() => figures));
    expect(labelSets(await scrape(metrics), 'erpbridge_connector_requests_total')).toHaveLength(2);
    figures.delete('legacy');
    const scraped = await scrape(metrics);
    expect(labelSets(scraped, 'erpbridge_connector_requests_total')).toEqual([{ connector: 'erp' }]);
    expect(
      labelSets(scraped, 'erpbridge_connector_failures_total').map((labels) => labels.connector),
    ).not.toContain('legacy');
  });

  it('reads the figures once per scrape, for every metric they feed', async () => {
    const read = vi.fn(() => new Map([['erp', busy]]));
    const metrics = createMetrics(sourcesWith(read));
    await metrics.render();
    expect(read).toHaveBeenCalledTimes(1);
    await metrics.render();
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('connectors() throwing counts one error per scrape, and the rest renders', async () => {
    const onSourceError = vi.fn();
    const metrics = createMetrics(
      {
        ...sourcesWith(() => {
          throw new Error('connection registry is closed');
        }),
        approvalsWaiting: async () => 5,
      },
      { onSourceError },
    );
    const scraped = await scrape(metrics);
    expect(labelSets(scraped, 'erpbridge_connector_requests_total')).toEqual([]);
    expect(labelSets(scraped, 'erpbridge_connector_breaker_state')).toEqual([]);
    expect(sampleValue(scraped, 'erpbridge_approvals_waiting')).toBe(5);
    expect(sampleValue(scraped, 'erpbridge_metrics_source_errors_total', { source: 'connectors' })).toBe(1);
    expect(onSourceError).toHaveBeenCalledExactlyOnceWith(
      'connectors',
      new Error('connection registry is closed'),
    );
  });

  it('a connection with a bad figure is left out; the others are exposed', async () => {
    const onSourceError = vi.fn();
    const broken = connectorFigures('broken', { retries: Number.NaN });
    const metrics = createMetrics(
      sourcesWith(
        () =>
          new Map([
            ['erp', busy],
            ['broken', broken],
          ]),
      ),
      { onSourceError },
    );
    const scraped = await scrape(metrics);
    expect(labelSets(scraped, 'erpbridge_connector_retries_total')).toEqual([{ connector: 'erp' }]);
    expect(sampleValue(scraped, 'erpbridge_metrics_source_errors_total', { source: 'connectors' })).toBe(1);
    expect(onSourceError).toHaveBeenCalledExactlyOnceWith(
      'connectors',
      new RangeError('connector broken: retries must be a finite number ≥ 0, not NaN'),
    );
  });

  it('observeConnectorLatency feeds a real histogram', async () => {
    const metrics = createMetrics(sourcesWith(() => new Map()));
    for (const seconds of [0.004, 0.02, 0.02, 0.3, 12]) metrics.observeConnectorLatency('erp', seconds);
    const scraped = await scrape(metrics);
    expect(family(scraped, 'erpbridge_connector_request_duration_seconds').type).toBe('HISTOGRAM');
    expect(
      histogram(scraped, 'erpbridge_connector_request_duration_seconds', { connector: 'erp' }),
    ).toMatchObject({
      count: 5,
      buckets: { '0.005': 1, '0.025': 3, '0.5': 4, '10': 4, '30': 5, '+Inf': 5 },
    });
    expect(() => metrics.observeConnectorLatency('erp', -1)).toThrow(
      new RangeError('a connector latency in seconds must be a finite number ≥ 0, not -1'),
    );
  });
});

describe('figuresProblem', () => {
  it('none for sound figures', () => {
    expect(figuresProblem(busy)).toBeUndefined();
  });

  it.each([
    [{ requests: -1 }, 'requests must be a finite number ≥ 0, not -1'],
    [
      { latencyMs: { ...busy.latencyMs, p95: Number.POSITIVE_INFINITY } },
      'latencyMs.p95 must be a finite number ≥ 0, not Infinity',
    ],
    [
      { failures: { ...busy.failures, conflict: Number.NaN } },
      'failures.conflict must be a finite number ≥ 0, not NaN',
    ],
  ])('%j: %s', (overrides, problem) => {
    expect(figuresProblem({ ...busy, ...overrides })).toBe(problem);
  });

  it('an unknown breaker state', () => {
    const figures = { ...busy, breaker: { state: 'isolated', opens: 0 } } as unknown as ConnectorFigures;
    expect(figuresProblem(figures)).toBe('unknown breaker state "isolated"');
  });
});

describe('connector metrics from a real resilient connection', () => {
  let erp: FlakyErp | undefined;
  let connection: Connection | undefined;
  afterEach(async () => {
    await connection?.close();
    await erp?.close();
  });

  it('the scrape shows what figures() says after 503s and a 429', async () => {
    erp = await startFlakyErp();
    const faults = [503, 503, 429];
    erp.script = (_request, index) => {
      const status = faults[index];
      return status === undefined ? { kind: 'ok' } : { kind: 'status', status, retryAfter: '0' };
    };
    const config = RestConfigSchema.parse({
      kind: 'rest',
      baseUrl: erp.url,
      timeoutMs: 3000,
      pagination: { totalPath: 'total', pageSize: 5 },
      entities: { purchase_orders: { path: '/po', keyField: 'po_number', write: { method: 'PATCH' } } },
    });
    connection = await restConnector.connect(config, { name: 'erp', env: {} });
    const policies = ResiliencePolicies.parse({ retry: { baseDelayMs: 1, maxDelayMs: 5, jitter: 'none' } });
    const resilient = withResilience(connection, policies, { connector: 'erp' });
    await resilient.get('purchase_orders', 'PO-0001');
    await resilient.get('purchase_orders', 'PO-0002');

    const figures = resilient.figures();
    expect(figures).toMatchObject({ requests: 5, retries: 3, rateLimited: 1 });
    const scraped = await scrape(createMetrics(sourcesWith(() => new Map([['erp', resilient.figures()]]))));
    const labels = { connector: 'erp' };
    expect(sampleValue(scraped, 'erpbridge_connector_requests_total', labels)).toBe(figures.requests);
    expect(sampleValue(scraped, 'erpbridge_connector_retries_total', labels)).toBe(figures.retries);
    expect(sampleValue(scraped, 'erpbridge_connector_rate_limited_total', labels)).toBe(figures.rateLimited);
    expect(sampleValue(scraped, 'erpbridge_connector_failures_total', { ...labels, kind: 'transient' })).toBe(
      2,
    );
    expect(
      sampleValue(scraped, 'erpbridge_connector_failures_total', { ...labels, kind: 'rate_limited' }),
    ).toBe(1);
    expect(sampleValue(scraped, 'erpbridge_connector_breaker_state', labels)).toBe(0);
    expect(sampleValue(scraped, 'erpbridge_connector_concurrency_limit', labels)).toBe(
      figures.concurrency.limit,
    );
    expect(
      sampleValue(scraped, 'erpbridge_connector_latency_seconds', { ...labels, quantile: '0.99' }),
    ).toBeCloseTo(figures.latencyMs.p99 / 1000, 9);
  });
});
