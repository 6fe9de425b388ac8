import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import { answerTasks, isRepair, sentInputs } from '../src/ai/providers/testing/classify-scripts.ts';
import {
  type FakeOpenAiServer,
  type FakeScript,
  startFakeOpenAiServer,
} from '../src/ai/providers/testing/fake-openai-server.ts';
import { type CliContext, openContext } from '../src/runtime/context.ts';
import {
  openOrders,
  sandboxApi,
  sandboxEnv,
  sandboxRequests,
  tempDir,
  testSandbox,
  writeTestConfig,
} from './support/harness.ts';

/**
 * Issue 7's acceptance for the LLM provider, end to end: the po-urgency workflow on the sandbox ERP
 * with `provider: llm` against a local OpenAI-compatible server that speaks the real wire format.
 * The test reads every request body the server received.
 */

/** What po-urgency's describe() returns and the allowlist lets out: everything but the order number. */
const ALLOWED = [
  'needBy',
  'daysToNeed',
  'supplierLeadTimeDays',
  'supplierOnTimeRate',
  'amount',
  'currency',
  'description',
  'notes',
];

/** Personal data a buyer typed into two orders' notes (the sandbox allows 60 characters). */
const PII_NOTE = 'line down, call Eva Lind +49 30 1234567 eva@lind.example';
const OTHER_PII_NOTE = 'rush, IBAN DE89 3704 0044 0532 0130 00';
const PII_VALUES = ['Eva Lind', 'Lind', '1234567', 'eva@lind.example', 'DE89 3704', 'DE89370400440532013000'];

function llmConfig(baseUrl: string, extra = ''): [string, string] {
  return [
    '  provider: embedded\n',
    `  provider: llm\n  allowFields: [${ALLOWED.join(', ')}]\n  llm:\n    baseUrl: ${baseUrl}\n    model: stand-in\n    batchSize: 25\n${extra}`,
  ];
}

/** A stand-in model: urgent under 10 days or on a critical note, normal otherwise, explaining with the notes it was sent. */
function byDays(input: Record<string, unknown>): Record<string, unknown> {
  const days = Number(input.daysToNeed);
  return {
    label: days < 10 || /line down|rush/i.test(String(input.notes)) ? 'urgent' : 'normal',
    confidence: 0.9,
    explanation: `needed in ${days} days; notes: ${String(input.notes)}`,
  };
}

describe('LLM guardrails end to end (po-urgency, sandbox ERP, local OpenAI-compatible server)', () => {
  let sandbox: Sandbox;
  let piiOrder: string;
  let otherPiiOrder: string;
  const servers: FakeOpenAiServer[] = [];
  const contexts: CliContext[] = [];

  beforeAll(async () => {
    sandbox = await testSandbox(tempDir('llm-guard-sandbox'), { orders: 60, history: 900 });
    [piiOrder = '', otherPiiOrder = ''] = await openOrders(sandbox, 2);
    // A buyer wrote personal data into two orders' notes, and left them at priority normal.
    expect((await sandboxApi(sandbox, 'PATCH', piiOrder, { notes: PII_NOTE, priority: '3' })).status).toBe(
      200,
    );
    expect(
      (await sandboxApi(sandbox, 'PATCH', otherPiiOrder, { notes: OTHER_PII_NOTE, priority: '3' })).status,
    ).toBe(200);
  });

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

  async function open(name: string, replacements: [string, string][]): Promise<CliContext> {
    const dir = tempDir(name);
    const context = await openContext({
      configFile: writeTestConfig(dir, replacements),
      env: sandboxEnv(sandbox),
    });
    contexts.push(context);
    return context;
  }

  it('repairs a malformed answer once, sends no field outside the allowlist, and restores placeholders', async () => {
    let malformedSent = false;
    const faithful = answerTasks((_kind, input) => byDays(input));
    const llm = await serve((body, context) => {
      // The very first answer is prose instead of JSON; the repair is answered properly.
      if (!malformedSent && !isRepair(body)) {
        malformedSent = true;
        return { content: 'Sure! Here are the priorities you asked for.' };
      }
      return faithful(body, context);
    });
    const context = await open('llm-guard-a', [llmConfig(llm.baseUrl)]);
    const report = await context.engine.run(context.workflow('po-urgency'), {
      dryRun: true,
      asOf: sandbox.today,
    });

    expect(report.run.state).toBe('planned');
    expect(report.run.stats.read).toBe(60);
    // 60 orders in batches of 25 = 3 requests, plus the one repair.
    expect(llm.requests).toHaveLength(4);
    expect(llm.requests.filter((sent) => sent.body && isRepair(sent.body))).toHaveLength(1);

    // No field outside the allowlist, and no personal data, in ANY request body.
    for (const sent of llm.requests) {
      const body = sent.body;
      if (body === null)
        throw new Error(`a request was not a valid chat completion: ${sent.rawBody.slice(0, 200)}`);
      for (const input of sentInputs(body)) {
        expect(Object.keys(input).filter((key) => key !== 'id' && !ALLOWED.includes(key))).toEqual([]);
      }
      for (const secret of PII_VALUES) expect(sent.rawBody).not.toContain(secret);
      expect(sent.rawBody).not.toMatch(/"(orderNumber|buyer|supplierId|lines|version|priority)\\?"/);
    }
    const wire = llm.requests.map((sent) => sent.rawBody).join('\n');
    expect(wire).toContain('line down, call «NAME_1» «PHONE_1» «EMAIL_1»');
    expect(wire).toContain('rush, IBAN «IBAN_1»');

    // The answer's placeholders are restored: the plan shows the buyer's own words.
    const planned = await context.store.listChanges(report.run.id, { limit: 1000 });
    const noted: [string, string][] = [
      [piiOrder, PII_NOTE],
      [otherPiiOrder, OTHER_PII_NOTE],
    ];
    for (const [order, note] of noted) {
      // The profile reads the ERP's zero-padded key as the canonical id without the padding.
      const change = planned.find((each) => each.recordId === order.replace(/^0+/, ''));
      expect(change?.after).toEqual({ priority: 'urgent' });
      expect(change?.explanation).toContain(`notes: ${note}`);
    }

    // Every exchange is in the audit log, with the redacted request only.
    const exchanges = await context.store.readAudit({ typePrefix: 'ai.exchange' });
    expect(exchanges).toHaveLength(4);
    expect(exchanges.map((entry) => entry.payload.purpose).sort()).toEqual([
      'answer',
      'answer',
      'answer',
      'repair',
    ]);
    for (const entry of exchanges) {
      expect(entry.payload).toMatchObject({
        task: 'po-urgency',
        workflow: 'po-urgency',
        model: 'llm:stand-in',
        promptVersion: 'po-urgency@p1+llm2',
        inputHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        outputHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        tokens: { input: expect.any(Number), output: expect.any(Number), estimated: false },
        withheld: ['orderNumber'],
      });
      for (const secret of PII_VALUES) expect(JSON.stringify(entry.payload)).not.toContain(secret);
    }
    expect(exchanges.some((entry) => String(entry.payload.request).includes('«EMAIL_1»'))).toBe(true);
    expect((await context.audit.verify()).ok).toBe(true);
  });

  it('never writes an answer outside the master data: one repair, then pending for review, zero PATCHes', async () => {
    // A model that insists on a priority the ERP does not have.
    const llm = await serve(
      answerTasks(() => ({ label: 'critical', confidence: 0.99, explanation: 'looks bad' })),
    );
    const context = await open('llm-guard-b', [
      llmConfig(llm.baseUrl),
      ['mode: auto\n      minConfidence: 0.8', 'mode: auto\n      minConfidence: 0'],
    ]);
    const patchesBefore = (await sandboxRequests(sandbox, 'PATCH')).length;
    const report = await context.engine.run(context.workflow('po-urgency'), {
      dryRun: false,
      asOf: sandbox.today,
    });

    // Each batch was asked once and repaired once, and nothing else was sent.
    expect(llm.requests).toHaveLength(6);
    const repairs = llm.requests.filter((sent) => sent.body && isRepair(sent.body));
    expect(repairs).toHaveLength(3);
    for (const repair of repairs) {
      expect(JSON.stringify(repair.body?.messages.at(-1))).toContain(
        'label \\"critical\\" is not one of the allowed values: \\"urgent\\", \\"high\\", \\"normal\\", \\"low\\"',
      );
    }
    const changes = await context.store.listChanges(report.run.id, { limit: 1000 });
    expect(changes.length).toBeGreaterThan(0);
    for (const change of changes) {
      expect(change.state).toBe('pending');
      expect(change.decidedBy).toBeNull();
      expect(change.explanation).toMatch(/^needs review: the model's answer is outside the allowed values/);
      expect(change.explanation).toContain('"critical"');
    }
    expect(report.changes.approved ?? 0).toBe(0);
    expect(report.changes.applied ?? 0).toBe(0);
    expect(report.wrote).toBe(0);
    expect((await sandboxRequests(sandbox, 'PATCH')).length).toBe(patchesBefore);
  });

  it('routes the records past the run’s budget to review instead of dropping them', async () => {
    const llm = await serve(answerTasks((_kind, input) => byDays(input)));
    const context = await open('llm-guard-c', [
      llmConfig(llm.baseUrl, '    budget:\n      maxTokensPerRun: 6000\n'),
    ]);
    const report = await context.engine.run(context.workflow('po-urgency'), {
      dryRun: true,
      asOf: sandbox.today,
    });

    expect(report.run.stats.read).toBe(60);
    expect(llm.requests.length).toBeGreaterThan(0);
    expect(llm.requests.length).toBeLessThan(3);
    const refused = await context.store.readAudit({ typePrefix: 'ai.budget-exhausted' });
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.payload.reason).toMatch(/^the run's LLM budget of 6000 tokens is spent/);
    // Every record is there; the refused ones carry the review result (the review label at 1/4
    // confidence), and each that proposes a change waits for a person with the reason.
    const items = await context.store.listItems(report.run.id, { limit: 100 });
    expect(items).toHaveLength(60);
    const refusedItems = items.filter((item) => item.confidence === 0.25);
    expect(refusedItems).toHaveLength(60 - 25 * llm.requests.length);
    const reviewed = (await context.store.listChanges(report.run.id, { limit: 100 })).filter((change) =>
      change.explanation.startsWith("needs review: the run's LLM budget"),
    );
    expect(reviewed.length).toBeGreaterThan(0);
    expect(reviewed.length).toBeLessThanOrEqual(refusedItems.length);
    for (const change of reviewed) expect(change.state).toBe('pending');
  });

  it('plans in the same format with provider: embedded and provider: llm', async () => {
    const llm = await serve(answerTasks((_kind, input) => byDays(input)));
    const review: [string, string] = [
      'mode: auto\n      minConfidence: 0.8',
      'mode: review\n      minConfidence: 0.8',
    ];
    const embedded = await open('llm-guard-embedded', [review]);
    const viaLlm = await open('llm-guard-llm', [review, llmConfig(llm.baseUrl)]);
    const plans = [];
    for (const context of [embedded, viaLlm]) {
      const report = await context.engine.run(context.workflow('po-urgency'), {
        dryRun: true,
        asOf: sandbox.today,
      });
      const changes = await context.store.listChanges(report.run.id, { limit: 1000 });
      const items = await context.store.listItems(report.run.id, { limit: 1000 });
      expect(changes.length).toBeGreaterThan(0);
      plans.push({ report, changes, items });
    }
    const [fromEmbedded, fromLlm] = plans;
    for (const part of ['changes', 'items'] as const) {
      const a = typesByPath(fromEmbedded?.[part] ?? []);
      const b = typesByPath(fromLlm?.[part] ?? []);
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      for (const [path, types] of b) {
        const other = a.get(path) ?? new Set();
        // A field null in every record of one plan says nothing about its type.
        if (types.size > 0 && other.size > 0) expect([...types].sort(), path).toEqual([...other].sort());
      }
    }
    // The run's stats: the same fields (the label counts differ in which labels occur, not in form).
    const statsFields = (stats: object | undefined) => Object.keys(stats ?? {}).sort();
    expect(statsFields(fromLlm?.report.run.stats)).toEqual(statsFields(fromEmbedded?.report.run.stats));
    expect(fromLlm?.changes.every((change) => change.explanation.startsWith('needed in'))).toBe(true);
    expect(fromEmbedded?.changes.every((change) => change.explanation.trim() !== '')).toBe(true);
  });
});

/**
 * The JSON types found at each path of a list of records (`after.priority` → `string`), arrays by
 * their elements, nulls left out: the plan format, whatever the values.
 */
function typesByPath(records: readonly unknown[]): Map<string, Set<string>> {
  const table = new Map<string, Set<string>>();
  const visit = (value: unknown, path: string): void => {
    if (!table.has(path)) table.set(path, new Set());
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      table.get(path)?.add('array');
      for (const item of value) visit(item, `${path}[]`);
    } else if (typeof value === 'object') {
      table.get(path)?.add('object');
      for (const [key, inner] of Object.entries(value)) visit(inner, path ? `${path}.${key}` : key);
    } else table.get(path)?.add(typeof value);
  };
  for (const record of records) visit(record, '');
  return table;
}
