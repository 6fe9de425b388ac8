import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Sandbox } from '../sandbox/index.ts';
import { answerTasks } from '../src/ai/providers/testing/classify-scripts.ts';
import {
  type FakeOpenAiServer,
  type FakeScript,
  startFakeOpenAiServer,
} from '../src/ai/providers/testing/fake-openai-server.ts';
import { renderRunSummary } from '../src/cli/render.ts';
import { createMetrics, type Metrics } from '../src/metrics/index.ts';
import { histogram, sampleValue, scrape } from '../src/metrics/scrape.fixture.ts';
import { type CliContext, openContext } from '../src/runtime/context.ts';
import {
  openOrders,
  runCli,
  sandboxApi,
  sandboxEnv,
  sandboxRequests,
  tempDir,
  testSandbox,
  writeTestConfig,
} from './support/harness.ts';

/**
 * The LLM provider inside real runs (po-urgency, the sandbox ERP over HTTP, a SQLite store, the
 * local OpenAI-compatible server): what its calls cost in the metrics, what a person sees of an
 * answer that needs review but changes nothing, and what a dead endpoint does to a run.
 */

const ALLOWED = ['needBy', 'daysToNeed', 'supplierLeadTimeDays', 'amount', 'currency', 'notes'];

/** `ai:` with the LLM provider, and po-urgency deciding 10 orders a batch under auto with no threshold. */
function llmConfig(baseUrl: string, extra = ''): [string, string][] {
  return [
    [
      '  provider: embedded\n',
      `  provider: llm\n  allowFields: [${ALLOWED.join(', ')}]\n  llm:\n    baseUrl: ${baseUrl}\n    model: stand-in\n    batchSize: 10\n    concurrency: 1\n${extra}`,
    ],
    ['mode: auto\n      minConfidence: 0.8', 'mode: auto\n      minConfidence: 0'],
    ['batchSize: 500', 'batchSize: 10'],
  ];
}

/** A stand-in model: urgent under 10 days, normal otherwise. */
const byDays = answerTasks((_kind, input) => ({
  label: Number(input.daysToNeed) < 10 ? 'urgent' : 'normal',
  confidence: 0.9,
  explanation: `needed in ${String(input.daysToNeed)} days`,
}));

describe('the LLM provider in runs: metrics, review items, a dead endpoint', () => {
  let sandbox: Sandbox;
  const servers: FakeOpenAiServer[] = [];
  const contexts: CliContext[] = [];

  beforeAll(async () => {
    sandbox = await testSandbox(tempDir('llm-ops-sandbox'), { orders: 60, history: 600 });
    // Buyers marked three open orders urgent already: an answer of "urgent" changes nothing there.
    for (const poNumber of await openOrders(sandbox, 3)) {
      expect((await sandboxApi(sandbox, 'PATCH', poNumber, { priority: '1' })).status).toBe(200);
    }
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    for (const server of servers) await server.close();
    await sandbox?.close();
  });

  async function serve(script: FakeScript): Promise<FakeOpenAiServer> {
    const server = await startFakeOpenAiServer({ script });
    servers.push(server);
    return server;
  }

  /** A context on its own store, its AI calls fed into metrics whose store figures read that store. */
  async function open(name: string, replacements: [string, string][]) {
    let context: CliContext | undefined;
    const store = () => {
      if (!context) throw new Error('the context is not open yet');
      return context.store;
    };
    const metrics: Metrics = createMetrics({
      runCounts: () => store().countRuns(),
      itemCounts: () => store().countItems(undefined),
      changeCounts: () => store().countChanges(undefined),
      approvalsWaiting: async () => (await store().countChanges(undefined)).pending ?? 0,
      connectors: () => new Map(),
    });
    const configFile = writeTestConfig(tempDir(name), replacements);
    context = await openContext({
      configFile,
      env: sandboxEnv(sandbox),
      onAiCall: (call) => metrics.aiCall(call),
    });
    contexts.push(context);
    return { context, metrics, configFile };
  }

  it('counts each LLM call’s prompt and completion tokens and its cost in the metrics', async () => {
    const llm = await serve(byDays);
    const { context, metrics } = await open(
      'llm-ops-metrics',
      llmConfig(llm.baseUrl, '    prices: { input1k: 0.002, output1k: 0.006, currency: USD }\n'),
    );
    const report = await context.engine.run(context.workflow('po-urgency'), {
      dryRun: true,
      asOf: sandbox.today,
    });
    expect(report.run.stats.read).toBe(60);
    expect(llm.requests).toHaveLength(6);

    // What the server counted (a token per four characters of each body it received), and what it
    // reported back as completion tokens (kept in each ai.exchange audit entry).
    const prompt = llm.requests.reduce((sum, sent) => sum + Math.ceil(sent.rawBody.length / 4), 0);
    const exchanges = await context.store.readAudit({ typePrefix: 'ai.exchange', runId: report.run.id });
    expect(exchanges).toHaveLength(6);
    const completion = exchanges.reduce(
      (sum, entry) => sum + z.object({ output: z.number() }).parse(entry.payload.tokens).output,
      0,
    );
    const labels = { provider: 'llm', model: 'llm:stand-in' };
    const scraped = await scrape(metrics);
    // One call per batch of 10 orders the engine read.
    expect(sampleValue(scraped, 'erpbridge_ai_calls_total', { ...labels, outcome: 'ok' })).toBe(6);
    expect(sampleValue(scraped, 'erpbridge_ai_tokens_total', { ...labels, kind: 'prompt' })).toBe(prompt);
    expect(sampleValue(scraped, 'erpbridge_ai_tokens_total', { ...labels, kind: 'completion' })).toBe(
      completion,
    );
    expect(sampleValue(scraped, 'erpbridge_ai_cost_usd_total', labels)).toBeCloseTo(
      (prompt / 1000) * 0.002 + (completion / 1000) * 0.006,
      10,
    );
    expect(histogram(scraped, 'erpbridge_ai_call_duration_seconds', labels)?.count).toBe(6);
  });

  it('shows a review answer that changes nothing as a review item with the reason, and never writes it', async () => {
    // A model that insists on a priority the ERP does not have: after one repair, review.
    const llm = await serve(answerTasks(() => ({ label: 'critical', confidence: 0.99, explanation: 'bad' })));
    const { context, metrics, configFile } = await open('llm-ops-review', llmConfig(llm.baseUrl));
    const patchesBefore = (await sandboxRequests(sandbox, 'PATCH')).length;
    const report = await context.engine.run(context.workflow('po-urgency'), {
      dryRun: false,
      asOf: sandbox.today,
    });

    const items = await context.store.listItems(report.run.id, { limit: 100 });
    expect(items).toHaveLength(60);
    const review = items.filter((item) => item.state === 'review');
    // The review label is urgent: the three urgent orders get no change, so they are review items.
    expect(review).toHaveLength(3);
    for (const item of items) {
      const record = z
        .object({ priority: z.string().nullable() })
        .parse((await context.store.getItem(report.run.id, item.recordId))?.record);
      expect(item.state, item.recordId).toBe(record.priority === 'urgent' ? 'review' : 'planned');
    }
    for (const item of review) {
      expect(item.label).toBe('urgent');
      expect(item.error).toMatch(/^needs review: the model's answer is outside the allowed values/);
      expect(item.error).toContain('"critical"');
      expect(await context.store.getChange(`${report.run.id}:${item.recordId}`)).toBeUndefined();
    }
    // The others wait for a person as pending changes; nothing was approved or written.
    expect(report.changes).toEqual({ pending: 57 });
    expect(report.wrote).toBe(0);
    expect((await sandboxRequests(sandbox, 'PATCH')).length).toBe(patchesBefore);
    // Visible where people look: the run's counts, its summary, the items API's filter, the metrics.
    expect(report.run.stats).toMatchObject({ review: 3, unchanged: 0 });
    expect(renderRunSummary(report)).toMatch(/to review, no change planned\s+│?\s*3/);
    expect(await context.store.listItems(report.run.id, { state: 'review' })).toHaveLength(3);
    expect(sampleValue(await scrape(metrics), 'erpbridge_run_items', { state: 'review' })).toBe(3);
    const shown = await runCli(['--config', configFile, 'show', report.run.id], { env: sandboxEnv(sandbox) });
    expect(shown.code, shown.stderr).toBe(0);
    const listed = shown.stdout.slice(shown.stdout.indexOf('To review, no change planned (first 20):'));
    for (const item of review) {
      expect(listed).toContain(
        `  ${item.recordId}: needs review: the model's answer is outside the allowed values`,
      );
    }
  });

  it('sends a dead endpoint’s records to review: the breaker stops requests, the run finishes, nothing is lost or written', async () => {
    const llm = await serve(() => ({ status: 500 }));
    const { context, metrics } = await open(
      'llm-ops-dead',
      llmConfig(
        llm.baseUrl,
        '    maxRetries: 1\n    retry: { baseDelayMs: 10, jitter: none }\n    breaker: { failureThreshold: 3, halfOpenAfterMs: 60000 }\n',
      ),
    );
    const patchesBefore = (await sandboxRequests(sandbox, 'PATCH')).length;
    const started = Date.now();
    const report = await context.engine.run(context.workflow('po-urgency'), {
      dryRun: false,
      asOf: sandbox.today,
    });

    // Batch 1: two attempts fail. Batch 2: the third failure opens the circuit. Batches 3–6: no request.
    expect(llm.requests).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(report.run.stats.read).toBe(60);
    expect(report.run.state).toBe('planned');
    const items = await context.store.listItems(report.run.id, { limit: 100 });
    expect(items).toHaveLength(60);
    expect(items.filter((item) => item.state === 'review')).toHaveLength(3);
    expect(items.filter((item) => item.state === 'planned')).toHaveLength(57);
    const changes = await context.store.listChanges(report.run.id, { limit: 100 });
    expect(changes).toHaveLength(57);
    const reasons = [
      ...changes.map((change) => {
        expect(change.state).toBe('pending');
        return change.explanation;
      }),
      ...items.flatMap((item) => (item.state === 'review' ? [item.error ?? ''] : [])),
    ];
    for (const reason of reasons) expect(reason).toMatch(/^needs review: the AI could not answer: /);
    const failing =
      /the LLM endpoint http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions is failing \(3 failed requests in a row\), so no request is sent for the next 60 s; last failure: LLM request for task "po-urgency" failed: 500/;
    // The first batch carries the 500 itself; the five after it, the open circuit.
    expect(reasons.filter((reason) => failing.test(reason))).toHaveLength(50);
    expect(reasons.filter((reason) => reason.includes('failed: 500 The server had an error'))).toHaveLength(
      60,
    );
    const decisions = await context.store.readAudit({ typePrefix: 'ai.decisions', runId: report.run.id });
    expect(decisions).toHaveLength(6);
    for (const entry of decisions) {
      expect(entry.payload.unanswered).toMatchObject({ kind: 'transient' });
    }
    // Only the three requests that left are audited as exchanges.
    expect(await context.store.readAudit({ typePrefix: 'ai.exchange', runId: report.run.id })).toHaveLength(
      2,
    );
    expect(report.wrote).toBe(0);
    expect((await sandboxRequests(sandbox, 'PATCH')).length).toBe(patchesBefore);
    expect(
      sampleValue(await scrape(metrics), 'erpbridge_ai_calls_total', {
        provider: 'llm',
        model: 'llm:stand-in',
        outcome: 'transient',
      }),
    ).toBe(6);
  });
});
