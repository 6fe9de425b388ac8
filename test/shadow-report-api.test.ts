import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../src/engine/run.ts';
import type { ShadowReport } from '../src/shadow/index.ts';
import type { AuditEntry } from '../src/store/contract.ts';
import { tempDir } from './support/harness.ts';
import { api, settledRun, startTestService, type TestService, tokenFor } from './support/service.ts';

/** The shadow report over the HTTP service: a viewer may read it; it is in the OpenAPI document. */
let test: TestService;
let viewer: string;
let operator: string;
let acted: number;

beforeAll(async () => {
  test = await startTestService(tempDir('shadow-api'), { replacements: [['mode: auto', 'mode: shadow']] });
  viewer = await tokenFor(test, 'vera', 'viewer');
  operator = await tokenFor(test, 'otto', 'operator');
  const started = await api(test, operator, 'POST', '/api/workflows/po-urgency/runs', {
    dryRun: false,
    asOf: test.sandbox.today,
  });
  expect(started.status).toBe(202);
  const run = await settledRun(test, operator, (started.body as { run: Run }).run.id);
  expect(run).toMatchObject({ policy: 'shadow', state: 'planned' });
  const buyer = await fetch(`${test.sandbox.url}/_sandbox/buyer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ share: 0.5, accuracy: 0.95, seed: 3 }),
  });
  acted = ((await buyer.json()) as { acted: number }).acted;
}, 120_000);
afterAll(() => test?.close());

describe('GET /api/workflows/:name/shadow-report', () => {
  it('answers a viewer with the report and its Markdown, the same whether records are got or scanned', async () => {
    const got = await api(test, viewer, 'GET', '/api/workflows/po-urgency/shadow-report?reads=get');
    expect(got.status).toBe(200);
    const report = got.body as ShadowReport & { markdown: string };
    expect(report).toMatchObject({
      workflow: 'po-urgency',
      field: 'priority',
      mode: 'shadow',
      reads: { strategy: 'get' },
    });
    expect(report.totals).toMatchObject({ decisions: 300, decided: acted });
    expect(report.markdown).toContain('# Shadow report: po-urgency');
    const scanned = await api(test, viewer, 'GET', '/api/workflows/po-urgency/shadow-report?reads=scan');
    const other = scanned.body as ShadowReport;
    expect(other.reads.strategy).toBe('scan');
    expect(other.totals).toEqual(report.totals);
    expect(other.byLabel).toEqual(report.byLabel);
    // 300 decisions: far from the 500 items the default rule needs.
    expect(report.promotion).toMatchObject({ holds: false, suggestion: null, rule: { minItems: 500 } });
    const audit = await api(test, viewer, 'GET', '/api/audit?type=shadow.report');
    const entries = audit.body as AuditEntry[];
    expect(entries.map((entry) => entry.actor)).toEqual(['vera', 'vera']);
  });

  it('needs credentials, is in the OpenAPI document, and names what is wrong', async () => {
    expect((await api(test, null, 'GET', '/api/workflows/po-urgency/shadow-report')).status).toBe(401);
    const openapi = await api(test, null, 'GET', '/openapi.json');
    const paths = (openapi.body as { paths: Record<string, unknown> }).paths;
    expect(Object.keys(paths)).toContain('/api/workflows/{name}/shadow-report');
    const unknown = await api(test, viewer, 'GET', '/api/workflows/nope/shadow-report');
    expect(unknown.status).toBe(404);
    const field = await api(test, viewer, 'GET', '/api/workflows/po-urgency/shadow-report?field=notes');
    expect(field).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect((field.body as { message: string }).message).toMatch(
      /writes priority; it cannot be compared on notes/,
    );
    const since = await api(test, viewer, 'GET', '/api/workflows/po-urgency/shadow-report?since=yesterday');
    expect(since.status).toBe(400);
  });
});
