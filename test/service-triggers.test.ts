import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../src/engine/run.ts';
import { CORE_METRIC_NAMES } from '../src/metrics/index.ts';
import { signWebhook } from '../src/triggers/index.ts';
import { tempDir } from './support/harness.ts';
import {
  api,
  runWorkflow,
  settledRun,
  startTestService,
  type TestService,
  tokenFor,
} from './support/service.ts';

/**
 * Webhooks, schedules and metrics of the service, over a real sandbox. The shipped workflow gets a
 * webhook; a second workflow (same connector, dry runs) a schedule that fires every second.
 */
const SECRET = 'a-webhook-secret-of-32-characters!';
let test: TestService;
let viewer: string;

beforeAll(async () => {
  const scheduled = [
    '    applyConcurrency: 8',
    '    triggers:',
    '      webhook:',
    `        secret: "${SECRET}"`,
    '        toleranceSeconds: 60',
    '  every-second:',
    '    connector: sandbox',
    '    policy: { mode: review }',
    '    triggers:',
    '      schedule: { cron: "* * * * * *", dryRun: true }',
  ].join('\n');
  test = await startTestService(tempDir('service-triggers'), {
    replacements: [['    applyConcurrency: 8', scheduled]],
  });
  viewer = await tokenFor(test, 'vera', 'viewer');
});
afterAll(() => test?.close());

async function deliver(
  body: string,
  options: { key?: string; timestamp?: number; secret?: string; signature?: string } = {},
) {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = options.signature ?? signWebhook({ secret: options.secret ?? SECRET, timestamp, body });
  return api(test, null, 'POST', '/hooks/po-urgency', body, {
    'content-type': 'application/json',
    'x-erpbridge-timestamp': String(timestamp),
    'x-erpbridge-signature': signature,
    ...(options.key ? { 'idempotency-key': options.key } : {}),
  });
}

const webhookRuns = async () =>
  ((await api(test, viewer, 'GET', '/api/runs?workflow=po-urgency&limit=1000')).body as Run[]).filter(
    (run) => run.requestedBy === 'webhook:po-urgency',
  );

describe('webhooks', () => {
  it('refuses a wrong signature, a stale timestamp, a missing key and a replay; runs a retried delivery once', async () => {
    const body = JSON.stringify({ dryRun: true });
    const wrong = await deliver(body, { key: 'd-1', secret: 'another-secret-of-enough-length' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: 'bad-signature' });
    const stale = await deliver(body, { key: 'd-1', timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.status).toBe(401);
    expect(stale.body).toMatchObject({ error: 'stale' });
    expect((await deliver(body)).status).toBe(400);
    expect(await webhookRuns()).toHaveLength(0);

    const timestamp = Math.floor(Date.now() / 1000);
    const first = await deliver(body, { key: 'd-1', timestamp });
    expect(first.status).toBe(202);
    const run = (first.body as { run: Run }).run;
    expect(run).toMatchObject({ dryRun: true, requestedBy: 'webhook:po-urgency' });
    const retried = await deliver(body, { key: 'd-1' });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ duplicate: true, run: { id: run.id } });
    const replayed = await deliver(body, { key: 'd-2', timestamp });
    expect(replayed.status).toBe(409);
    expect(replayed.body).toMatchObject({ error: 'replayed' });
    await settledRun(test, viewer, run.id);
    expect((await webhookRuns()).map((each) => each.id)).toEqual([run.id]);
  });

  it('answers 404 for a workflow without a webhook and 400 for a body it cannot use', async () => {
    const noHook = await api(test, null, 'POST', '/hooks/every-second', '{}', {
      'content-type': 'application/json',
    });
    expect(noHook.status).toBe(404);
    const bad = await deliver('{"dryRun": "maybe"}', { key: 'd-3' });
    expect(bad.status).toBe(400);
    const notJson = await deliver('dryRun=true', { key: 'd-4' });
    expect(notJson.status).toBe(400);
  });
});

describe('schedules', () => {
  it('fires a workflow on its schedule, never two runs of it at once', async () => {
    const deadline = Date.now() + 20_000;
    let runs: Run[] = [];
    while (Date.now() < deadline) {
      runs = (await api(test, viewer, 'GET', '/api/runs?workflow=every-second&limit=100')).body as Run[];
      if (runs.filter((run) => run.state !== 'running').length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const finished = runs.filter((run) => run.state !== 'running');
    expect(finished.length).toBeGreaterThanOrEqual(2);
    expect(finished.every((run) => run.requestedBy === 'schedule' && run.dryRun)).toBe(true);
    const intervals = [...finished]
      .map((run) => [Date.parse(run.createdAt), Date.parse(run.updatedAt)] as const)
      .sort((a, b) => a[0] - b[0]);
    for (let index = 1; index < intervals.length; index++) {
      expect(intervals[index]?.[0]).toBeGreaterThanOrEqual(intervals[index - 1]?.[1] ?? 0);
    }
    const workflows = (await api(test, viewer, 'GET', '/api/workflows')).body as {
      name: string;
      triggers: { schedule: string | null; nextScheduled: string | null; webhook: boolean };
    }[];
    expect(workflows.find((workflow) => workflow.name === 'every-second')?.triggers).toMatchObject({
      schedule: '* * * * * *',
      webhook: false,
    });
    expect(workflows.find((workflow) => workflow.name === 'po-urgency')?.triggers.webhook).toBe(true);
  });
});

describe('metrics', () => {
  it('serves Prometheus text with every documented name, to a viewer only', async () => {
    const operator = await tokenFor(test, 'otto', 'operator');
    await runWorkflow(test, operator, true);
    expect((await api(test, null, 'GET', '/metrics')).status).toBe(401);
    const scraped = await fetch(`${test.service.url}/metrics`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await scraped.text();
    const families = parsePrometheusTextFormat(text);
    const names = new Set(families.map((family) => family.name));
    for (const name of CORE_METRIC_NAMES) expect(names, name).toContain(name);
    for (const name of names) expect(name).toMatch(/^[a-z_:][a-z0-9_:]*$/);
    const value = (name: string, labels: Record<string, string>) =>
      families
        .find((family) => family.name === name)
        ?.metrics.find((metric) =>
          Object.entries(labels).every(
            ([key, wanted]) => (metric as { labels?: Record<string, string> }).labels?.[key] === wanted,
          ),
        );
    expect(
      Number(
        (value('erpbridge_connector_requests_total', { connector: 'sandbox' }) as { value: string }).value,
      ),
    ).toBeGreaterThan(0);
    expect(value('erpbridge_runs_started_total', { workflow: 'po-urgency', trigger: 'api' })).toBeDefined();
    expect(
      value('erpbridge_http_requests_total', { route: '/api/workflows/:name/runs', status: '202' }),
    ).toBeDefined();
    expect(text).toMatch(/erpbridge_connector_request_duration_seconds_bucket\{[^}]*connector="sandbox"/);
    expect(text).toMatch(/erpbridge_ai_calls_total\{[^}]*provider="embedded"[^}]*\} [1-9]/);
  });
});
