/**
 * Prometheus metrics: run, change and approval figures from the store, each connector's resilience
 * figures, AI calls and HTTP requests, on a registry of their own. See README.md.
 *
 * @example
 *   import { createMetrics } from '../metrics/index.ts';
 *   const metrics = createMetrics(sources);
 *   reply.type(metrics.contentType).send(await metrics.render());
 */
export {
  BREAKER_STATE_VALUES,
  CONNECTOR_LATENCY_BUCKETS,
  type ConnectorFiguresByName,
} from './connector-metrics.ts';
export {
  CORE_METRIC_NAMES,
  METRIC_NAMES,
  METRIC_PREFIX,
  type MetricName,
  QUEUE_METRIC_NAMES,
} from './metric-names.ts';
export {
  AI_CALL_BUCKETS,
  type AiCallObservation,
  type AiCallOutcome,
  CHANGE_OUTCOMES,
  type ChangeOutcome,
  createMetrics,
  HTTP_BUCKETS,
  type HttpRequestObservation,
  type Metrics,
  type MetricsOptions,
  type MetricsSourceName,
  type MetricsSources,
  RUN_TRIGGERS,
  type RunTrigger,
} from './metrics.ts';
export { SourceTimeoutError } from './scrape-source.ts';
