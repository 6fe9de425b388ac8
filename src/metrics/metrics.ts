import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ErrorKind } from '../errors/index.ts';
import { type ConnectorFiguresByName, registerConnectorMetrics } from './connector-metrics.ts';
import { METRIC_PREFIX, type MetricName } from './metric-names.ts';
import { amount, readWithin } from './scrape-source.ts';

/** What a change's decision or write ended as, for `erpbridge_changes_decided_total`. */
export const CHANGE_OUTCOMES = ['approved', 'rejected', 'applied', 'conflict', 'failed', 'reverted'] as const;
export type ChangeOutcome = (typeof CHANGE_OUTCOMES)[number];

/**
 * What started a run, for `erpbridge_runs_started_total`. `approval` is the service's
 * (`RunManager`'s) name for work a person's decision set off.
 */
export const RUN_TRIGGERS = ['api', 'schedule', 'webhook', 'cli', 'approval'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/**
 * How an AI call ended: `ok`, or the kind of the ErpError it failed with (`toErpError` turns any
 * failure into one). A closed set, so a label value can never be an error message.
 */
export type AiCallOutcome = 'ok' | ErrorKind;

/** One call to an AI provider (one batch of inputs to `classify`). */
export interface AiCallObservation {
  /** `embedded` or `llm`. */
  provider: string;
  /** The model's name, e.g. `embedded:po-urgency@f1` or the LLM's model id. */
  model: string;
  outcome: AiCallOutcome;
  /** Tokens sent; omitted (0) for a provider that has none, like the embedded model. */
  promptTokens?: number;
  /** Tokens received. */
  completionTokens?: number;
  /** What the call cost, in US dollars; omitted (0) when free or unknown. */
  costUsd?: number;
  /** Wall time of the call, in seconds. */
  seconds: number;
}

/** One answered HTTP request of the service. */
export interface HttpRequestObservation {
  method: string;
  /**
   * The route pattern (`/api/runs/:id`), never the URL: one series per run id would grow without
   * bound. A request no route matched goes under one fixed value, such as `unmatched`.
   */
  route: string;
  status: number;
  seconds: number;
}

/**
 * Where the scrape-time metrics come from. Each is read once per scrape; one that throws, rejects
 * or takes longer than `sourceTimeoutMs` leaves its metrics out of that scrape and counts one in
 * `erpbridge_metrics_source_errors_total{source}`, and the other metrics render as usual.
 */
export interface MetricsSources {
  /** Runs by workflow and state (`store.countRuns()`); rows with the same pair add up. */
  runCounts(): Promise<{ workflow: string; state: string; count: number }[]>;
  /** Items by state, over all runs (`store.countItems(undefined)`); a state left out has none. */
  itemCounts(): Promise<Readonly<Record<string, number | undefined>>>;
  /** Changes by state, over all runs (`store.countChanges(undefined)`). */
  changeCounts(): Promise<Readonly<Record<string, number | undefined>>>;
  /** Pending changes waiting for a person (the approvals inbox). */
  approvalsWaiting(): Promise<number>;
  /** The figures of every open connection (`ResilientConnection.figures()`), by connector name. */
  connectors(): ConnectorFiguresByName;
}

/** The name of a source, as the `source` label of `erpbridge_metrics_source_errors_total`. */
export type MetricsSourceName = keyof MetricsSources;

const SOURCE_NAMES = [
  'runCounts',
  'itemCounts',
  'changeCounts',
  'approvalsWaiting',
  'connectors',
] as const satisfies readonly MetricsSourceName[];

export interface MetricsOptions {
  /** Longest wait for one source during a scrape, in ms. Default 5000 (Prometheus waits 10 s). */
  sourceTimeoutMs?: number;
  /**
   * Told about each source failure, to log it with context. This module logs nothing itself; the
   * failure is counted either way. Must not throw.
   */
  onSourceError?: (source: MetricsSourceName, error: unknown) => void;
}

/** The metrics of one erpbridge process. */
export interface Metrics {
  /** This instance's own registry (never prom-client's global one). */
  readonly registry: Registry;
  /** The Content-Type of {@link render}'s text: the Prometheus text format 0.0.4. */
  readonly contentType: string;
  /** Every metric in the Prometheus text format; reads the sources. Never rejects for a source. */
  render(): Promise<string>;
  /** Counts `n` changes (default 1) that were approved, rejected, applied, ... */
  changeOutcome(outcome: ChangeOutcome, n?: number): void;
  /** Counts one run of `workflow` started by `trigger`. */
  runStarted(workflow: string, trigger: RunTrigger): void;
  /** Records one ERP request's latency, in seconds. */
  observeConnectorLatency(connector: string, seconds: number): void;
  /** Records one AI call: count, tokens, cost and duration. */
  aiCall(call: AiCallObservation): void;
  /** Records one answered HTTP request. */
  httpRequest(request: HttpRequestObservation): void;
}

/**
 * Buckets of `erpbridge_ai_call_duration_seconds`: from the embedded model (a batch in a few ms) to
 * an LLM answering a large batch (a minute or two).
 */
export const AI_CALL_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Buckets of `erpbridge_http_request_duration_seconds`: API answers, from a health check to a long list. */
export const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const DEFAULT_SOURCE_TIMEOUT_MS = 5000;

/**
 * The metrics of erpbridge (see `metric-names.ts` for the list), on a registry of their own, with
 * prom-client's default process metrics under the same `erpbridge_` prefix.
 *
 * Numbers passed to the recording methods must be finite and ≥ 0 (a RangeError otherwise): a NaN
 * would stay in a counter for the life of the process, and every `rate()` over it would be NaN.
 *
 * @example
 *   const metrics = createMetrics({ runCounts: () => store.runCounts(), ..., connectors: () => figures });
 *   app.get('/metrics', async (_, reply) => reply.type(metrics.contentType).send(await metrics.render()));
 *   metrics.runStarted('po-urgency', 'api');
 */
export function createMetrics(sources: MetricsSources, options: MetricsOptions = {}): Metrics {
  const sourceTimeoutMs = options.sourceTimeoutMs ?? DEFAULT_SOURCE_TIMEOUT_MS;
  if (!(Number.isInteger(sourceTimeoutMs) && sourceTimeoutMs > 0)) {
    throw new RangeError(`sourceTimeoutMs must be a whole number of ms > 0, not ${sourceTimeoutMs}`);
  }
  const registry = new Registry();
  const registers = [registry];

  /** Reads of sources under way, so the error counter can wait for the scrape's own failures. */
  const reading = new Set<Promise<unknown>>();

  const sourceErrors = new Counter({
    name: 'erpbridge_metrics_source_errors_total' satisfies MetricName,
    help: 'Failures of a metrics source during scrapes (a throw, a timeout, a bad number; for connectors one per bad connection); what it feeds was left out of that scrape.',
    labelNames: ['source'],
    registers,
    async collect() {
      // prom-client starts every collect() of a scrape in one synchronous pass; after one turn all
      // of this scrape's reads are under way, and waiting for them puts their failures in this
      // scrape instead of the next one.
      await Promise.resolve();
      await Promise.all(reading);
    },
  });
  // Every source from 0, so the first failure is an increase and not a new series.
  for (const source of SOURCE_NAMES) sourceErrors.inc({ source }, 0);

  const failed = (source: MetricsSourceName, error: unknown) => {
    sourceErrors.inc({ source });
    options.onSourceError?.(source, error);
  };

  /** The source's answer, or undefined when it failed (counted and reported). Never rejects. */
  const read = <T>(source: MetricsSourceName, call: () => Promise<T>): Promise<T | undefined> => {
    const answer = readWithin(source, call, sourceTimeoutMs).catch((error: unknown) => {
      failed(source, error);
      return undefined;
    });
    reading.add(answer);
    return answer.finally(() => reading.delete(answer));
  };

  /** `counts` checked and as [state, count] pairs; throws (inside `read`) on a bad count. */
  const byState = (source: MetricsSourceName, counts: Readonly<Record<string, number | undefined>>) =>
    Object.entries(counts).flatMap(([state, count]) =>
      count === undefined ? [] : [[state, amount(count, `${source} of "${state}"`)] as const],
    );

  new Gauge({
    name: 'erpbridge_runs' satisfies MetricName,
    help: 'Runs by workflow and state (running, planned, applying, completed, failed, cancelled).',
    labelNames: ['workflow', 'state'],
    registers,
    async collect() {
      const rows = await read('runCounts', async () => {
        const totals = new Map<string, { workflow: string; state: string; count: number }>();
        for (const { workflow, state, count } of await sources.runCounts()) {
          const key = JSON.stringify([workflow, state]);
          const sum = (totals.get(key)?.count ?? 0) + amount(count, `runCounts of ${workflow} ${state}`);
          totals.set(key, { workflow, state, count: sum });
        }
        return [...totals.values()];
      });
      // Reset and set with no await in between, so two scrapes at once cannot mix their values.
      this.reset();
      for (const { workflow, state, count } of rows ?? []) this.set({ workflow, state }, count);
    },
  });

  const stateGauge = (name: MetricName, help: string, source: 'itemCounts' | 'changeCounts') =>
    new Gauge({
      name,
      help,
      labelNames: ['state'],
      registers,
      async collect() {
        const counts = await read(source, async () => byState(source, await sources[source]()));
        this.reset();
        for (const [state, count] of counts ?? []) this.set({ state }, count);
      },
    });
  stateGauge('erpbridge_run_items', 'Items (records a run read) by state, over all runs.', 'itemCounts');
  stateGauge('erpbridge_changes', 'Changes by state, over all runs.', 'changeCounts');

  new Gauge({
    name: 'erpbridge_approvals_waiting' satisfies MetricName,
    help: 'Pending changes waiting for a person to approve or reject them.',
    registers,
    async collect() {
      const waiting = await read('approvalsWaiting', async () =>
        amount(await sources.approvalsWaiting(), 'approvalsWaiting'),
      );
      this.reset();
      // reset() leaves an unlabelled gauge at 0, and "nobody is waiting" is not what a failed
      // source says: remove the sample instead.
      if (waiting === undefined) this.remove();
      else this.set(waiting);
    },
  });

  const changesDecided = new Counter({
    name: 'erpbridge_changes_decided_total' satisfies MetricName,
    help: 'Changes decided or written, by outcome (approved, rejected, applied, conflict, failed, reverted).',
    labelNames: ['outcome'],
    registers,
  });
  for (const outcome of CHANGE_OUTCOMES) changesDecided.inc({ outcome }, 0);

  const runsStarted = new Counter({
    name: 'erpbridge_runs_started_total' satisfies MetricName,
    help: 'Runs started, by workflow and by what started them (api, schedule, webhook, cli, approval).',
    labelNames: ['workflow', 'trigger'],
    registers,
  });

  const connectors = registerConnectorMetrics({
    registry,
    read: () => sources.connectors(),
    failed: (error) => failed('connectors', error),
  });

  const aiCalls = new Counter({
    name: 'erpbridge_ai_calls_total' satisfies MetricName,
    help: 'Calls to an AI provider (one batch each), by provider, model and outcome (ok or an error kind).',
    labelNames: ['provider', 'model', 'outcome'],
    registers,
  });
  const aiTokens = new Counter({
    name: 'erpbridge_ai_tokens_total' satisfies MetricName,
    help: 'Tokens of AI calls, by provider, model and kind (prompt or completion).',
    labelNames: ['provider', 'model', 'kind'],
    registers,
  });
  // Prometheus names no base unit for money. The ISO 4217 code says which currency (a "dollar"
  // could be five), the unit comes before `_total` as for any counter, and the value is in whole
  // dollars as a float, as `_seconds` are whole seconds rather than ms.
  const aiCost = new Counter({
    name: 'erpbridge_ai_cost_usd_total' satisfies MetricName,
    help: 'What AI calls cost, in US dollars, by provider and model.',
    labelNames: ['provider', 'model'],
    registers,
  });
  const aiDuration = new Histogram({
    name: 'erpbridge_ai_call_duration_seconds' satisfies MetricName,
    help: 'Wall time of AI calls, in seconds, by provider and model.',
    labelNames: ['provider', 'model'],
    buckets: AI_CALL_BUCKETS,
    registers,
  });

  const httpRequests = new Counter({
    name: 'erpbridge_http_requests_total' satisfies MetricName,
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'],
    registers,
  });
  const httpDuration = new Histogram({
    name: 'erpbridge_http_request_duration_seconds' satisfies MetricName,
    help: 'Time to answer HTTP requests, in seconds, by method and route pattern.',
    labelNames: ['method', 'route'],
    buckets: HTTP_BUCKETS,
    registers,
  });

  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });

  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    changeOutcome(outcome, n = 1) {
      if (!Number.isInteger(n) || n < 0)
        throw new RangeError(`a number of changes is a whole number ≥ 0, not ${n}`);
      changesDecided.inc({ outcome }, n);
    },
    runStarted(workflow, trigger) {
      runsStarted.inc({ workflow, trigger });
    },
    observeConnectorLatency: connectors.observeLatency,
    aiCall(call) {
      const { provider, model } = call;
      // Check every number before recording any, so a bad call records nothing.
      const promptTokens = amount(call.promptTokens ?? 0, 'promptTokens');
      const completionTokens = amount(call.completionTokens ?? 0, 'completionTokens');
      const costUsd = amount(call.costUsd ?? 0, 'costUsd');
      const seconds = amount(call.seconds, 'seconds of an AI call');
      aiCalls.inc({ provider, model, outcome: call.outcome });
      aiTokens.inc({ provider, model, kind: 'prompt' }, promptTokens);
      aiTokens.inc({ provider, model, kind: 'completion' }, completionTokens);
      aiCost.inc({ provider, model }, costUsd);
      aiDuration.observe({ provider, model }, seconds);
    },
    httpRequest({ method, route, status, seconds }) {
      if (!(Number.isInteger(status) && status >= 100 && status <= 599)) {
        throw new RangeError(`an HTTP status is a whole number from 100 to 599, not ${status}`);
      }
      const duration = amount(seconds, 'seconds of an HTTP request');
      httpRequests.inc({ method, route, status: String(status) });
      httpDuration.observe({ method, route }, duration);
    },
  };
}
