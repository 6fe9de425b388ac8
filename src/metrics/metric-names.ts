/**
 * The metrics erpbridge exposes. Their names are a contract: dashboards and alert rules are written
 * against them, so a rename is a breaking change. Prometheus conventions: snake_case, the
 * `erpbridge_` prefix, `_total` on counters, base units in the name (`_seconds`, `_bytes`).
 *
 * | name                                           | type      | labels                   | fed by                           |
 * | ---------------------------------------------- | --------- | ------------------------ | -------------------------------- |
 * | `erpbridge_runs`                               | gauge     | workflow, state          | `sources.runCounts()` at scrape  |
 * | `erpbridge_run_items`                          | gauge     | state                    | `sources.itemCounts()`           |
 * | `erpbridge_changes`                            | gauge     | state                    | `sources.changeCounts()`         |
 * | `erpbridge_approvals_waiting`                  | gauge     |                          | `sources.approvalsWaiting()`     |
 * | `erpbridge_changes_decided_total`              | counter   | outcome                  | `metrics.changeOutcome()`        |
 * | `erpbridge_runs_started_total`                 | counter   | workflow, trigger        | `metrics.runStarted()`           |
 * | `erpbridge_connector_requests_total`           | counter   | connector                | `sources.connectors()` figures   |
 * | `erpbridge_connector_retries_total`            | counter   | connector                | figures                          |
 * | `erpbridge_connector_rate_limited_total`       | counter   | connector                | figures (429 answers)            |
 * | `erpbridge_connector_failures_total`           | counter   | connector, kind          | figures (every ErrorKind)        |
 * | `erpbridge_connector_breaker_opens_total`      | counter   | connector                | figures                          |
 * | `erpbridge_connector_breaker_state`            | gauge     | connector                | figures: 0 closed, 1 half-open, 2 open |
 * | `erpbridge_connector_concurrency_limit`        | gauge     | connector                | figures: requests admitted at once now |
 * | `erpbridge_connector_concurrency_max`          | gauge     | connector                | figures: `rateLimit.maxInFlight` |
 * | `erpbridge_connector_in_flight`                | gauge     | connector                | figures                          |
 * | `erpbridge_connector_in_flight_peak`           | gauge     | connector                | figures: most at once so far     |
 * | `erpbridge_connector_latency_seconds`          | gauge     | connector, quantile      | figures: 0.5, 0.95, 0.99         |
 * | `erpbridge_connector_request_duration_seconds` | histogram | connector                | `metrics.observeConnectorLatency()` |
 * | `erpbridge_ai_calls_total`                     | counter   | provider, model, outcome | `metrics.aiCall()`               |
 * | `erpbridge_ai_tokens_total`                    | counter   | provider, model, kind    | `metrics.aiCall()`               |
 * | `erpbridge_ai_cost_usd_total`                  | counter   | provider, model          | `metrics.aiCall()`               |
 * | `erpbridge_ai_call_duration_seconds`           | histogram | provider, model          | `metrics.aiCall()`               |
 * | `erpbridge_http_requests_total`                | counter   | method, route, status    | `metrics.httpRequest()`          |
 * | `erpbridge_http_request_duration_seconds`      | histogram | method, route            | `metrics.httpRequest()`          |
 * | `erpbridge_metrics_source_errors_total`        | counter   | source                   | a source that failed or timed out during a scrape |
 *
 * Distributed mode only (`queue:` in erpbridge.yaml): a worker's `/metrics` adds the queue's, from
 * `registerQueueMetrics` in `src/queue/queue-metrics.ts`.
 *
 * | name                                           | type      | labels                   | fed by                           |
 * | ---------------------------------------------- | --------- | ------------------------ | -------------------------------- |
 * | `erpbridge_queue_jobs_total`                   | counter   | kind, outcome            | `queueMetrics.jobEnded()`: completed, failed, gave-up |
 * | `erpbridge_queue_job_duration_seconds`         | histogram | kind                     | `queueMetrics.jobEnded()`        |
 * | `erpbridge_queue_jobs_running`                 | gauge     |                          | `sources.running()` at scrape    |
 * | `erpbridge_queue_jobs`                         | gauge     | state                    | `sources.counts()`: BullMQ's counts from Redis |
 * | `erpbridge_outbox_published_total`             | counter   |                          | `sources.relay()` figures        |
 * | `erpbridge_outbox_relay_failures_total`        | counter   |                          | `sources.relay()` figures        |
 *
 * Besides these, prom-client's default process and Node.js metrics, with the same prefix
 * (`erpbridge_process_cpu_seconds_total`, `erpbridge_nodejs_eventloop_lag_seconds`, ...). Their
 * names belong to prom-client, so they are not listed here.
 */

/** The metrics of every process, embedded or distributed (`createMetrics`). */
export const CORE_METRIC_NAMES = [
  'erpbridge_runs',
  'erpbridge_run_items',
  'erpbridge_changes',
  'erpbridge_approvals_waiting',
  'erpbridge_changes_decided_total',
  'erpbridge_runs_started_total',
  'erpbridge_connector_requests_total',
  'erpbridge_connector_retries_total',
  'erpbridge_connector_rate_limited_total',
  'erpbridge_connector_failures_total',
  'erpbridge_connector_breaker_opens_total',
  'erpbridge_connector_breaker_state',
  'erpbridge_connector_concurrency_limit',
  'erpbridge_connector_concurrency_max',
  'erpbridge_connector_in_flight',
  'erpbridge_connector_in_flight_peak',
  'erpbridge_connector_latency_seconds',
  'erpbridge_connector_request_duration_seconds',
  'erpbridge_ai_calls_total',
  'erpbridge_ai_tokens_total',
  'erpbridge_ai_cost_usd_total',
  'erpbridge_ai_call_duration_seconds',
  'erpbridge_http_requests_total',
  'erpbridge_http_request_duration_seconds',
  'erpbridge_metrics_source_errors_total',
] as const;

/** The distributed runner's metrics (`registerQueueMetrics`), on a worker's `/metrics`. */
export const QUEUE_METRIC_NAMES = [
  'erpbridge_queue_jobs_total',
  'erpbridge_queue_job_duration_seconds',
  'erpbridge_queue_jobs_running',
  'erpbridge_queue_jobs',
  'erpbridge_outbox_published_total',
  'erpbridge_outbox_relay_failures_total',
] as const;

/** Every metric erpbridge defines: those of every process, then distributed mode's. */
export const METRIC_NAMES = [...CORE_METRIC_NAMES, ...QUEUE_METRIC_NAMES] as const;

/** One of {@link METRIC_NAMES}. */
export type MetricName = (typeof METRIC_NAMES)[number];

/** Prefix of every metric, prom-client's default ones included. */
export const METRIC_PREFIX = 'erpbridge_';
