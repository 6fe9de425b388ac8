import { register as globalRegistry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { registerQueueMetrics } from '../queue/queue-metrics.ts';
import { CORE_METRIC_NAMES, METRIC_NAMES, type MetricName, QUEUE_METRIC_NAMES } from './metric-names.ts';
import { CHANGE_OUTCOMES, createMetrics, type MetricsSources } from './metrics.ts';
import { family, histogram, labelSets, sampleValue, scrape } from './scrape.fixture.ts';
import { SourceTimeoutError } from './scrape-source.ts';

/** The type each metric must be exposed as, written out here independently of the code. */
const EXPECTED_TYPES = {
  erpbridge_runs: 'GAUGE',
  erpbridge_run_items: 'GAUGE',
  erpbridge_changes: 'GAUGE',
  erpbridge_approvals_waiting: 'GAUGE',
  erpbridge_changes_decided_total: 'COUNTER',
  erpbridge_runs_started_total: 'COUNTER',
  erpbridge_connector_requests_total: 'COUNTER',
  erpbridge_connector_retries_total: 'COUNTER',
  erpbridge_connector_rate_limited_total: 'COUNTER',
  erpbridge_connector_failures_total: 'COUNTER',
  erpbridge_connector_breaker_opens_total: 'COUNTER',
  erpbridge_connector_breaker_state: 'GAUGE',
  erpbridge_connector_concurrency_limit: 'GAUGE',
  erpbridge_connector_concurrency_max: 'GAUGE',
  erpbridge_connector_in_flight: 'GAUGE',
  erpbridge_connector_in_flight_peak: 'GAUGE',
  erpbridge_connector_latency_seconds: 'GAUGE',
  erpbridge_connector_request_duration_seconds: 'HISTOGRAM',
  erpbridge_ai_calls_total: 'COUNTER',
  erpbridge_ai_tokens_total: 'COUNTER',
  erpbridge_ai_cost_usd_total: 'COUNTER',
  erpbridge_ai_call_duration_seconds: 'HISTOGRAM',
  erpbridge_http_requests_total: 'COUNTER',
  erpbridge_http_request_duration_seconds: 'HISTOGRAM',
  erpbridge_metrics_source_errors_total: 'COUNTER',
  erpbridge_queue_jobs_total: 'COUNTER',
  erpbridge_queue_job_duration_seconds: 'HISTOGRAM',
  erpbridge_queue_jobs_running: 'GAUGE',
  erpbridge_queue_jobs: 'GAUGE',
  erpbridge_outbox_published_total: 'COUNTER',
  erpbridge_outbox_relay_failures_total: 'COUNTER',
} satisfies Record<MetricName, string>;

/** In-memory sources whose answers a test changes between scrapes. */
function fakeSources() {
  const state = {
    runs: [] as { workflow: string; state: string; count: number }[],
    items: {} as Record<string, number>,
    changes: {} as Record<string, number>,
    waiting: 0,
  };
  const sources: MetricsSources = {
    runCounts: async () => state.runs,
    itemCounts: async () => state.items,
    changeCounts: async () => state.changes,
    approvalsWaiting: async () => state.waiting,
    connectors: () => new Map(),
  };
  return { state, sources };
}

describe('createMetrics: names and types', () => {
  it('exposes every name in CORE_METRIC_NAMES with its type, on a registry of its own', async () => {
    const metrics = createMetrics(fakeSources().sources);
    const scraped = await scrape(metrics);
    for (const name of CORE_METRIC_NAMES) {
      expect(family(scraped, name).type, name).toBe(EXPECTED_TYPES[name]);
    }
    expect(globalRegistry.getSingleMetric('erpbridge_runs')).toBeUndefined();
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('a worker adds exactly the QUEUE_METRIC_NAMES, with their types, and METRIC_NAMES lists both', async () => {
    const metrics = createMetrics(fakeSources().sources);
    const before = new Set((await scrape(metrics)).families.keys());
    const queue = registerQueueMetrics(metrics.registry, {
      running: () => 2,
      counts: async () => ({ waiting: 3, active: 2, failed: 0 }),
      relay: () => ({ published: 7, failures: 1, lastError: null }),
    });
    queue.jobEnded({ kind: 'apply', id: 'j1', attempt: 1, outcome: 'completed', seconds: 0.4, error: null });
    const scraped = await scrape(metrics);
    const added = [...scraped.families.keys()].filter((name) => !before.has(name));
    expect(added.sort()).toEqual([...QUEUE_METRIC_NAMES].sort());
    for (const name of QUEUE_METRIC_NAMES)
      expect(family(scraped, name).type, name).toBe(EXPECTED_TYPES[name]);
    expect(sampleValue(scraped, 'erpbridge_queue_jobs_total', { kind: 'apply', outcome: 'completed' })).toBe(
      1,
    );
    expect(sampleValue(scraped, 'erpbridge_queue_jobs', { state: 'waiting' })).toBe(3);
    expect(sampleValue(scraped, 'erpbridge_queue_jobs_running')).toBe(2);
    expect(sampleValue(scraped, 'erpbridge_outbox_published_total')).toBe(7);
    expect(sampleValue(scraped, 'erpbridge_outbox_relay_failures_total')).toBe(1);
    expect(METRIC_NAMES).toEqual([...CORE_METRIC_NAMES, ...QUEUE_METRIC_NAMES]);
  });

  it('names follow Prometheus conventions; the only others are the prefixed default metrics', async () => {
    const scraped = await scrape(createMetrics(fakeSources().sources));
    const ours = new Set<string>(METRIC_NAMES);
    for (const [name, parsed] of scraped.families) {
      expect(name).toMatch(/^erpbridge_[a-z0-9_]+$/);
      if (!ours.has(name)) expect(name).toMatch(/^erpbridge_(process|nodejs)_/);
      else if (parsed.type === 'COUNTER') expect(name).toMatch(/_total$/);
      else expect(name).not.toMatch(/_total$/);
    }
    expect(sampleValue(scraped, 'erpbridge_process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('two instances live side by side (no global registry, no name clash)', async () => {
    const first = createMetrics(fakeSources().sources);
    const second = createMetrics(fakeSources().sources);
    first.runStarted('po-urgency', 'api');
    expect(
      sampleValue(await scrape(first), 'erpbridge_runs_started_total', {
        workflow: 'po-urgency',
        trigger: 'api',
      }),
    ).toBe(1);
    expect(labelSets(await scrape(second), 'erpbridge_runs_started_total')).toEqual([]);
  });
});

describe('createMetrics: scrape-time gauges follow the sources', () => {
  it('runs, items, changes and approvals are read at each scrape', async () => {
    const { state, sources } = fakeSources();
    const metrics = createMetrics(sources);
    state.runs = [
      { workflow: 'po-urgency', state: 'completed', count: 3 },
      { workflow: 'po-urgency', state: 'running', count: 1 },
      { workflow: 'invoice-match', state: 'failed', count: 2 },
    ];
    state.items = { ok: 4990, failed: 10 };
    state.changes = { pending: 14, applied: 278 };
    state.waiting = 14;

    let scraped = await scrape(metrics);
    expect(sampleValue(scraped, 'erpbridge_runs', { workflow: 'po-urgency', state: 'completed' })).toBe(3);
    expect(sampleValue(scraped, 'erpbridge_runs', { workflow: 'invoice-match', state: 'failed' })).toBe(2);
    expect(sampleValue(scraped, 'erpbridge_run_items', { state: 'failed' })).toBe(10);
    expect(sampleValue(scraped, 'erpbridge_changes', { state: 'applied' })).toBe(278);
    expect(sampleValue(scraped, 'erpbridge_approvals_waiting')).toBe(14);

    state.runs = [{ workflow: 'po-urgency', state: 'completed', count: 4 }];
    state.changes = { applied: 292 };
    state.waiting = 0;
    scraped = await scrape(metrics);
    expect(sampleValue(scraped, 'erpbridge_runs', { workflow: 'po-urgency', state: 'completed' })).toBe(4);
    expect(sampleValue(scraped, 'erpbridge_changes', { state: 'applied' })).toBe(292);
    expect(sampleValue(scraped, 'erpbridge_approvals_waiting')).toBe(0);
  });

  it('label sets that vanished from a source vanish from the next scrape', async () => {
    const { state, sources } = fakeSources();
    const metrics = createMetrics(sources);
    state.runs = [
      { workflow: 'po-urgency', state: 'running', count: 1 },
      { workflow: 'old-workflow', state: 'completed', count: 9 },
    ];
    state.items = { ok: 5, failed: 1 };
    expect(labelSets(await scrape(metrics), 'erpbridge_runs')).toHaveLength(2);

    state.runs = [{ workflow: 'po-urgency', state: 'completed', count: 1 }];
    state.items = { ok: 6 };
    const scraped = await scrape(metrics);
    expect(labelSets(scraped, 'erpbridge_runs')).toEqual([{ workflow: 'po-urgency', state: 'completed' }]);
    expect(labelSets(scraped, 'erpbridge_run_items')).toEqual([{ state: 'ok' }]);
  });

  it('rows of runCounts with the same workflow and state add up', async () => {
    const { state, sources } = fakeSources();
    state.runs = [
      { workflow: 'po-urgency', state: 'completed', count: 2 },
      { workflow: 'po-urgency', state: 'completed', count: 3 },
    ];
    const scraped = await scrape(createMetrics(sources));
    expect(sampleValue(scraped, 'erpbridge_runs', { workflow: 'po-urgency', state: 'completed' })).toBe(5);
  });

  it('two scrapes at once render the same values', async () => {
    const { state, sources } = fakeSources();
    state.runs = [{ workflow: 'po-urgency', state: 'completed', count: 7 }];
    state.items = { ok: 3 };
    const metrics = createMetrics(sources);
    const [first, second] = await Promise.all([scrape(metrics), scrape(metrics)]);
    for (const scraped of [first, second]) {
      expect(sampleValue(scraped, 'erpbridge_runs', { workflow: 'po-urgency', state: 'completed' })).toBe(7);
      expect(sampleValue(scraped, 'erpbridge_run_items', { state: 'ok' })).toBe(3);
    }
  });
});

describe('createMetrics: a failing source never fails the scrape', () => {
  it.each([
    ['throws', () => Promise.reject(new Error('database is locked'))],
    [
      'throws synchronously',
      () => {
        throw new Error('store closed');
      },
    ],
  ])('a source that %s is counted, left out, and the rest renders', async (_, failing) => {
    const { state, sources } = fakeSources();
    state.items = { ok: 5 };
    state.changes = { pending: 2 };
    state.waiting = 2;
    const onSourceError = vi.fn();
    const metrics = createMetrics({ ...sources, runCounts: failing }, { onSourceError });

    let scraped = await scrape(metrics);
    expect(labelSets(scraped, 'erpbridge_runs')).toEqual([]);
    expect(sampleValue(scraped, 'erpbridge_run_items', { state: 'ok' })).toBe(5);
    expect(sampleValue(scraped, 'erpbridge_approvals_waiting')).toBe(2);
    expect(sampleValue(scraped, 'erpbridge_metrics_source_errors_total', { source: 'runCounts' })).toBe(1);
    expect(sampleValue(scraped, 'erpbridge_metrics_source_errors_total', { source: 'itemCounts' })).toBe(0);
    expect(onSourceError).toHaveBeenCalledOnce();
    expect(onSourceError).toHaveBeenCalledWith('runCounts', expect.any(Error));

    scraped = await scrape(metrics);
    expect(sampleValue(scraped, 'erpbridge_metrics_source_errors_total', { source: 'runCounts' })).toBe(2);
  });

  it('a source that recovers comes back, with the values it has then', async () => {
    const { state, sources } = fakeSources();
    let down = true;
    const metrics = createMetrics({
      ...sources,
      approvalsWaiting: async () => {
        if (down) throw new Error('store unavailable');
        return state.waiting;
      },
    });
    state.waiting = 3;
    expect(family(await scrape(metrics), 'erpbridge_approvals_waiting').metrics).toEqual([]);
    down = false;
    const scraped = await scrape(metrics);
    expect(sampleValue(scraped, 'erpbridge_approvals_waiting')).toBe(3);
    expect(
      sampleValue(scraped, 'erpbridge_metrics_source_errors_total', { source: 'approvalsWaiting' }),
    ).toBe(1);
  });

  it('a source that does not answer within sourceTimeoutMs is a failure, and the scrape goes on', async () => {
    const { state, sources } = fakeSources();
    state.waiting = 1;
    const onSourceError = vi.fn();
    const metrics = createMetrics(
      { ...sources, changeCounts: () => new Promise<Record<string, number>>(() => undefined) },
      { sourceTimeoutMs: 50, onSourceError },
    );
    const started = performance.now();
    const scraped = await scrape(metrics);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(labelSets(scraped, 'erpbridge_changes')).toEqual([]);
    expect(sampleValue(scraped, 'erpbridge_approvals_waiting')).toBe(1);
    expect(sampleValue(scraped, 'erpbridge_metrics_source_errors_total', { source: 'changeCounts' })).toBe(1);
    const error: unknown = onSourceError.mock.calls[0]?.[1];
    expect(error).toBeInstanceOf(SourceTimeoutError);
    expect((error as Error).message).toBe('metrics source changeCounts did not answer within 50 ms');
  });

  it.each([
    ['NaN', Number.NaN],
    ['-1', -1],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('a count of %s is a source failure: the metric is absent rather than wrong', async (_, bad) => {
    const { state, sources } = fakeSources();
    state.items = { ok: 3, failed: bad };
    state.waiting = bad;
    const onSourceError = vi.fn();
    const metrics = createMetrics(sources, { onSourceError });
    const scraped = await scrape(metrics);
    // Absent, not wrong: prom-client would write NaN as `Nan` and infinity as `+Inf`.
    expect(scraped.text).not.toMatch(/^erpbridge_(run_items|approvals_waiting).* (Nan|[+-]Inf)$/m);
    expect(labelSets(scraped, 'erpbridge_run_items')).toEqual([]);
    expect(family(scraped, 'erpbridge_approvals_waiting').metrics).toEqual([]);
    expect(onSourceError).toHaveBeenCalledWith(
      'itemCounts',
      expect.objectContaining({ message: `itemCounts of "failed" must be a finite number ≥ 0, not ${bad}` }),
    );
  });

  it('every source starts at 0 errors, so the first failure is an increase', async () => {
    const scraped = await scrape(createMetrics(fakeSources().sources));
    expect(
      labelSets(scraped, 'erpbridge_metrics_source_errors_total').map((labels) => labels.source),
    ).toEqual(['runCounts', 'itemCounts', 'changeCounts', 'approvalsWaiting', 'connectors']);
    expect(
      family(scraped, 'erpbridge_metrics_source_errors_total').metrics.every(
        (sample) => sample.value === '0',
      ),
    ).toBe(true);
  });

  it('sourceTimeoutMs must be a whole number of ms above 0', () => {
    expect(() => createMetrics(fakeSources().sources, { sourceTimeoutMs: 0 })).toThrow(
      new RangeError('sourceTimeoutMs must be a whole number of ms > 0, not 0'),
    );
  });
});

describe('createMetrics: recorded events', () => {
  it('changeOutcome counts by outcome, every outcome from 0', async () => {
    const metrics = createMetrics(fakeSources().sources);
    let scraped = await scrape(metrics);
    for (const outcome of CHANGE_OUTCOMES) {
      expect(sampleValue(scraped, 'erpbridge_changes_decided_total', { outcome })).toBe(0);
    }
    metrics.changeOutcome('approved', 278);
    metrics.changeOutcome('applied');
    metrics.changeOutcome('applied');
    metrics.changeOutcome('conflict', 0);
    scraped = await scrape(metrics);
    expect(sampleValue(scraped, 'erpbridge_changes_decided_total', { outcome: 'approved' })).toBe(278);
    expect(sampleValue(scraped, 'erpbridge_changes_decided_total', { outcome: 'applied' })).toBe(2);
    expect(sampleValue(scraped, 'erpbridge_changes_decided_total', { outcome: 'conflict' })).toBe(0);
  });

  it.each([-1, 1.5, Number.NaN])('changeOutcome refuses %s changes', (n) => {
    const metrics = createMetrics(fakeSources().sources);
    expect(() => metrics.changeOutcome('applied', n)).toThrow(
      new RangeError(`a number of changes is a whole number ≥ 0, not ${n}`),
    );
  });

  it('runStarted counts by workflow and trigger', async () => {
    const metrics = createMetrics(fakeSources().sources);
    metrics.runStarted('po-urgency', 'schedule');
    metrics.runStarted('po-urgency', 'schedule');
    metrics.runStarted('po-urgency', 'webhook');
    const scraped = await scrape(metrics);
    expect(
      sampleValue(scraped, 'erpbridge_runs_started_total', { workflow: 'po-urgency', trigger: 'schedule' }),
    ).toBe(2);
    expect(
      sampleValue(scraped, 'erpbridge_runs_started_total', { workflow: 'po-urgency', trigger: 'webhook' }),
    ).toBe(1);
  });

  it('aiCall counts the call, its tokens and cost, and observes its duration', async () => {
    const metrics = createMetrics(fakeSources().sources);
    const llm = { provider: 'llm', model: 'gpt-4o-mini' };
    metrics.aiCall({
      ...llm,
      outcome: 'ok',
      promptTokens: 1200,
      completionTokens: 300,
      costUsd: 0.0015,
      seconds: 2,
    });
    metrics.aiCall({ ...llm, outcome: 'rate_limited', seconds: 0.2 });
    metrics.aiCall({ provider: 'embedded', model: 'embedded:po-urgency@f1', outcome: 'ok', seconds: 0.004 });
    const scraped = await scrape(metrics);
    expect(sampleValue(scraped, 'erpbridge_ai_calls_total', { ...llm, outcome: 'ok' })).toBe(1);
    expect(sampleValue(scraped, 'erpbridge_ai_calls_total', { ...llm, outcome: 'rate_limited' })).toBe(1);
    expect(sampleValue(scraped, 'erpbridge_ai_tokens_total', { ...llm, kind: 'prompt' })).toBe(1200);
    expect(sampleValue(scraped, 'erpbridge_ai_tokens_total', { ...llm, kind: 'completion' })).toBe(300);
    expect(sampleValue(scraped, 'erpbridge_ai_cost_usd_total', llm)).toBeCloseTo(0.0015, 10);
    const embedded = { provider: 'embedded', model: 'embedded:po-urgency@f1' };
    expect(sampleValue(scraped, 'erpbridge_ai_tokens_total', { ...embedded, kind: 'prompt' })).toBe(0);
    expect(sampleValue(scraped, 'erpbridge_ai_cost_usd_total', embedded)).toBe(0);

    const llmDurations = histogram(scraped, 'erpbridge_ai_call_duration_seconds', llm);
    expect(llmDurations).toMatchObject({ count: 2, sum: 2.2 });
    expect(llmDurations?.buckets).toMatchObject({ '0.1': 0, '0.25': 1, '1': 1, '2.5': 2, '+Inf': 2 });
    expect(histogram(scraped, 'erpbridge_ai_call_duration_seconds', embedded)).toMatchObject({ count: 1 });
  });

  it('aiCall with a bad number records nothing and says which number', async () => {
    const metrics = createMetrics(fakeSources().sources);
    expect(() =>
      metrics.aiCall({ provider: 'llm', model: 'm', outcome: 'ok', costUsd: Number.NaN, seconds: 1 }),
    ).toThrow(new RangeError('costUsd must be a finite number ≥ 0, not NaN'));
    const scraped = await scrape(metrics);
    expect(labelSets(scraped, 'erpbridge_ai_calls_total')).toEqual([]);
    expect(
      histogram(scraped, 'erpbridge_ai_call_duration_seconds', { provider: 'llm', model: 'm' }),
    ).toBeUndefined();
  });

  it('httpRequest counts by method, route and status, and observes by method and route', async () => {
    const metrics = createMetrics(fakeSources().sources);
    metrics.httpRequest({ method: 'GET', route: '/api/runs/:id', status: 200, seconds: 0.003 });
    metrics.httpRequest({ method: 'GET', route: '/api/runs/:id', status: 404, seconds: 0.001 });
    metrics.httpRequest({ method: 'POST', route: '/api/changes/:id/approve', status: 403, seconds: 0.002 });
    const scraped = await scrape(metrics);
    const runs = { method: 'GET', route: '/api/runs/:id' };
    expect(sampleValue(scraped, 'erpbridge_http_requests_total', { ...runs, status: '200' })).toBe(1);
    expect(sampleValue(scraped, 'erpbridge_http_requests_total', { ...runs, status: '404' })).toBe(1);
    expect(histogram(scraped, 'erpbridge_http_request_duration_seconds', runs)).toMatchObject({
      count: 2,
      sum: 0.004,
      buckets: { '0.001': 1, '0.005': 2 },
    });
  });

  it.each([
    [{ status: 99, seconds: 0 }, 'an HTTP status is a whole number from 100 to 599, not 99'],
    [{ status: 200, seconds: -0.1 }, 'seconds of an HTTP request must be a finite number ≥ 0, not -0.1'],
  ])('httpRequest refuses %j', (bad, message) => {
    const metrics = createMetrics(fakeSources().sources);
    expect(() => metrics.httpRequest({ method: 'GET', route: '/healthz', ...bad })).toThrow(
      new RangeError(message),
    );
  });
});
