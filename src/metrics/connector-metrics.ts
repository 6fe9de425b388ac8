import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { ERROR_KINDS } from '../errors/index.ts';
import type { BreakerState, ConnectorFigures } from '../resilience/index.ts';
import type { MetricName } from './metric-names.ts';
import { amount, isAmount, oncePerScrape } from './scrape-source.ts';

/**
 * A connector's circuit as a number, for graphs and alerts (`erpbridge_connector_breaker_state == 2`
 * means open). Ordered by how bad it is, so `max by (connector)` over time shows the worst state.
 */
export const BREAKER_STATE_VALUES = {
  closed: 0,
  'half-open': 1,
  open: 2,
} as const satisfies Record<BreakerState, number>;

/** The quantiles of `latencyMs` exposed, by their label value. */
const LATENCY_QUANTILES = { '0.5': 'p50', '0.95': 'p95', '0.99': 'p99' } as const;

/**
 * Buckets of `erpbridge_connector_request_duration_seconds`, in seconds. ERP calls range from a few
 * ms (a cached page) to tens of seconds (a legacy app server under load); the resilience layer's
 * default timeout is 10 s and the largest allowed is 600 s.
 */
export const CONNECTOR_LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The figures of every connection, as `sources.connectors()` gives them. */
export type ConnectorFiguresByName = ReadonlyMap<string, ConnectorFigures>;

/** What {@link registerConnectorMetrics} needs. */
export interface ConnectorMetricsOptions {
  registry: Registry;
  /** The figures of every connection now; called once per scrape. */
  read: () => ConnectorFiguresByName;
  /** Told when `read` throws, or about a connection whose figures cannot be exposed. */
  failed: (error: unknown) => void;
}

/** The part of the connector metrics fed by events rather than by figures. */
export interface ConnectorMetrics {
  /** Records one request's latency in `erpbridge_connector_request_duration_seconds`. */
  observeLatency(connector: string, seconds: number): void;
}

/**
 * Why these figures cannot be exposed, or undefined when they can. A connection with a NaN or a
 * negative number is left out of the scrape; the others are not.
 */
export function figuresProblem(figures: ConnectorFigures): string | undefined {
  const { breaker, concurrency, latencyMs } = figures;
  if (!Object.hasOwn(BREAKER_STATE_VALUES, breaker.state)) return `unknown breaker state "${breaker.state}"`;
  const numbers: Record<string, number> = {
    requests: figures.requests,
    retries: figures.retries,
    rateLimited: figures.rateLimited,
    'breaker.opens': breaker.opens,
    'concurrency.limit': concurrency.limit,
    'concurrency.max': concurrency.max,
    'concurrency.inFlight': concurrency.inFlight,
    'concurrency.peakInFlight': concurrency.peakInFlight,
    'latencyMs.count': latencyMs.count,
    'latencyMs.p50': latencyMs.p50,
    'latencyMs.p95': latencyMs.p95,
    'latencyMs.p99': latencyMs.p99,
  };
  for (const kind of ERROR_KINDS) numbers[`failures.${kind}`] = figures.failures[kind];
  for (const [what, value] of Object.entries(numbers)) {
    if (!isAmount(value)) return `${what} must be a finite number ≥ 0, not ${value}`;
  }
  return undefined;
}

/**
 * Registers the connector metrics on `registry`.
 *
 * The figures are cumulative numbers that the connection owns (`withResilience` counts them from
 * the moment it wraps the connection), so the cumulative ones are exposed as counters whose value
 * is the figure: each scrape resets the counter and adds the figure again. Counters rather than
 * gauges because that is what they are: `rate()` and `increase()` work on them, and a connection
 * made again starts from 0, which Prometheus reads as a counter reset. Connections that have gone
 * disappear from the next scrape.
 *
 * Every error kind is exposed for every connector, zeros included. Otherwise a series would first
 * appear with its first failure already counted, and `increase()` would miss that failure.
 */
export function registerConnectorMetrics(options: ConnectorMetricsOptions): ConnectorMetrics {
  const { registry, failed } = options;
  const registers = [registry];

  const snapshot = oncePerScrape((): ConnectorFiguresByName => {
    let all: ConnectorFiguresByName;
    try {
      all = options.read();
    } catch (error) {
      failed(error);
      return new Map();
    }
    const exposable = new Map<string, ConnectorFigures>();
    for (const [connector, figures] of all) {
      const problem = figuresProblem(figures);
      if (problem) failed(new RangeError(`connector ${connector}: ${problem}`));
      else exposable.set(connector, figures);
    }
    return exposable;
  });

  const figureCounter = (name: MetricName, help: string, figure: (figures: ConnectorFigures) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['connector'],
      registers,
      collect() {
        const figuresByName = snapshot();
        this.reset();
        for (const [connector, figures] of figuresByName) this.inc({ connector }, figure(figures));
      },
    });

  const figureGauge = (name: MetricName, help: string, figure: (figures: ConnectorFigures) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['connector'],
      registers,
      collect() {
        const figuresByName = snapshot();
        this.reset();
        for (const [connector, figures] of figuresByName) this.set({ connector }, figure(figures));
      },
    });

  figureCounter(
    'erpbridge_connector_requests_total',
    'Requests sent to the ERP: every attempt of a call and every page of a read.',
    (figures) => figures.requests,
  );
  figureCounter(
    'erpbridge_connector_retries_total',
    'Attempts made again after a failed one.',
    (figures) => figures.retries,
  );
  figureCounter(
    'erpbridge_connector_rate_limited_total',
    'Requests the ERP answered with "rate limited" (HTTP 429).',
    (figures) => figures.rateLimited,
  );
  figureCounter(
    'erpbridge_connector_breaker_opens_total',
    'Times the circuit breaker opened, a failed probe re-opening it included.',
    (figures) => figures.breaker.opens,
  );
  new Counter({
    name: 'erpbridge_connector_failures_total' satisfies MetricName,
    help: 'Failed requests by error kind (auth, rate_limited, transient, validation, conflict, permanent).',
    labelNames: ['connector', 'kind'],
    registers,
    collect() {
      const figuresByName = snapshot();
      this.reset();
      for (const [connector, figures] of figuresByName) {
        for (const kind of ERROR_KINDS) this.inc({ connector, kind }, figures.failures[kind]);
      }
    },
  });

  figureGauge(
    'erpbridge_connector_breaker_state',
    'Circuit breaker state: 0 closed (calls go through), 1 half-open (one probe decides), 2 open (calls fail fast).',
    (figures) => BREAKER_STATE_VALUES[figures.breaker.state],
  );
  figureGauge(
    'erpbridge_connector_concurrency_limit',
    'Requests admitted at once now: the adaptive limit, or rateLimit.maxInFlight when it is fixed.',
    (figures) => figures.concurrency.limit,
  );
  figureGauge(
    'erpbridge_connector_concurrency_max',
    'rateLimit.maxInFlight: the concurrency limit never goes above it.',
    (figures) => figures.concurrency.max,
  );
  figureGauge(
    'erpbridge_connector_in_flight',
    'Requests in flight now.',
    (figures) => figures.concurrency.inFlight,
  );
  figureGauge(
    'erpbridge_connector_in_flight_peak',
    'Most requests in flight at once since the connection was made (catches peaks between scrapes).',
    (figures) => figures.concurrency.peakInFlight,
  );

  new Gauge({
    name: 'erpbridge_connector_latency_seconds' satisfies MetricName,
    help: 'Request latency quantiles since the connection was made, from its own histogram (within 1 %). Absent until the first request.',
    labelNames: ['connector', 'quantile'],
    registers,
    collect() {
      const figuresByName = snapshot();
      this.reset();
      for (const [connector, { latencyMs }] of figuresByName) {
        // All quantiles of an empty histogram are 0; "no request yet" is not "0 s".
        if (latencyMs.count === 0) continue;
        for (const [quantile, field] of Object.entries(LATENCY_QUANTILES)) {
          this.set({ connector, quantile }, latencyMs[field] / 1000);
        }
      }
    },
  });

  const duration = new Histogram({
    name: 'erpbridge_connector_request_duration_seconds' satisfies MetricName,
    help: 'Latency of requests to the ERP (answered or failed), in seconds.',
    labelNames: ['connector'],
    buckets: CONNECTOR_LATENCY_BUCKETS,
    registers,
  });

  return {
    observeLatency(connector, seconds) {
      duration.observe({ connector }, amount(seconds, 'a connector latency in seconds'));
    },
  };
}
