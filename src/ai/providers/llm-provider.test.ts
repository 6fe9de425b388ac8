import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeError, ErpError } from '../../errors/index.ts';
import { ResilienceError } from '../../resilience/resilience-error.ts';
import type { ClassifyTask, ExtractTask } from '../contract.ts';
import type { LlmAuditEntry } from '../guardrails/exchange.ts';
import { createMemoryCache, openFileCache, sha256 } from '../guardrails/response-cache.ts';
import type { LlmConfig } from './llm-config.ts';
import {
  createLlmBreaker,
  createLlmProvider,
  type LlmCallReport,
  type LlmProviderOptions,
} from './llm-provider.ts';
import {
  answerEach,
  type FakeDecision,
  inTurn,
  isRepair,
  resultsJson,
  type SentInput,
  sentInputs,
} from './testing/classify-scripts.ts';
import {
  type FakeOpenAiServer,
  type FakeOpenAiServerOptions,
  startFakeOpenAiServer,
} from './testing/fake-openai-server.ts';

interface PurchaseOrderLine {
  poNumber: string;
  daysLate: number;
  /** Never to be sent to an LLM: the task's describe() leaves it out. */
  buyerEmail: string;
  unitPrice: number;
}

const LABELS = ['urgent', 'normal'] as const;
type Urgency = (typeof LABELS)[number];

const urgencyTask: ClassifyTask<PurchaseOrderLine, Urgency> = {
  name: 'po-urgency',
  labels: LABELS,
  featureVersion: 1,
  features: (line) => ({ numeric: { daysLate: line.daysLate }, text: '' }),
  instructions: 'Decide whether a late purchase order line needs a buyer today.',
  describe: (line) => ({ poNumber: line.poNumber, daysLate: line.daysLate }),
};

function lines(count: number): PurchaseOrderLine[] {
  return Array.from({ length: count }, (_, index) => ({
    poNumber: `PO-${1000 + index}`,
    daysLate: index * 2,
    buyerEmail: `buyer-${index}@secret.example`,
    unitPrice: 4711.5 + index,
  }));
}

/** The fake model's rule, so tests can predict every label. */
function decideByLateness(input: SentInput): FakeDecision {
  return {
    label: Number(input.daysLate) > 5 ? 'urgent' : 'normal',
    confidence: 0.8,
    explanation: `${String(input.poNumber)} is ${String(input.daysLate)} days late`,
  };
}
const byLateness = answerEach(decideByLateness);

function expectedLabels(count: number): Urgency[] {
  return lines(count).map((line) => (line.daysLate > 5 ? 'urgent' : 'normal'));
}

const servers: FakeOpenAiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(options: FakeOpenAiServerOptions): Promise<FakeOpenAiServer> {
  const server = await startFakeOpenAiServer(options);
  servers.push(server);
  return server;
}

/** What the urgency task may send: its two described fields. */
const ALLOW = ['poNumber', 'daysLate'];

function providerFor(
  server: FakeOpenAiServer,
  config: Partial<LlmConfig> = {},
  options: LlmProviderOptions = {},
) {
  return createLlmProvider(
    {
      baseUrl: server.baseUrl,
      model: 'fake-model',
      maxRetries: 0,
      retry: { jitter: 'none', baseDelayMs: 10 },
      ...config,
    },
    { allowFields: ALLOW, ...options },
  );
}

/** The promise's rejection, failing the test if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

async function erpErrorOf(promise: Promise<unknown>): Promise<ErpError> {
  const error = await rejectionOf(promise);
  if (!(error instanceof ErpError)) throw new Error(`expected an ErpError, got ${String(error)}`);
  return error;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('createLlmProvider', () => {
  it('classifies in input order across batches that finish out of order', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    const server = await serve({
      script: async (request) => {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        const inputs = sentInputs(request);
        // The first batch answers last, and every answer lists its results in reverse.
        await sleep(inputs[0]?.id === '0' ? 150 : 20);
        inFlight--;
        return {
          content: resultsJson(
            inputs.reverse().map((input) => ({ id: input.id, ...decideByLateness(input) })),
          ),
        };
      },
    });
    const provider = providerFor(server, { batchSize: 3, concurrency: 2 });

    const decisions = await provider.classify(urgencyTask, lines(7));

    expect(provider.kind).toBe('llm');
    expect(decisions.map((decision) => decision.label)).toEqual(expectedLabels(7));
    expect(decisions[4]).toEqual({
      label: 'urgent',
      confidence: 0.8,
      probabilities: { urgent: 0.8, normal: expect.closeTo(0.2, 10) },
      explanation: 'PO-1004 is 8 days late',
      model: 'llm:fake-model',
    });
    expect(
      server.requests.map((request) => sentInputs(request.body ?? failNoBody()).map((input) => input.id)),
    ).toEqual(expect.arrayContaining([['0', '1', '2'], ['3', '4', '5'], ['6']]));
    expect(mostInFlight).toBe(2);
  });

  it('asks for strict json_schema output built from the task labels', async () => {
    const server = await serve({ script: byLateness });
    await providerFor(server, { temperature: 0.2 }).classify(urgencyTask, lines(2));

    const body = server.requests[0]?.body;
    expect(body).toMatchObject({ model: 'fake-model', temperature: 0.2 });
    expect(body?.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: {
        name: 'classification_results',
        strict: true,
        schema: {
          type: 'object',
          required: ['results'],
          additionalProperties: false,
          properties: {
            results: {
              type: 'array',
              items: {
                required: ['id', 'label', 'confidence', 'explanation'],
                properties: { label: { enum: ['urgent', 'normal'] }, confidence: { minimum: 0, maximum: 1 } },
              },
            },
          },
        },
      },
    });
    const [system, user] = body?.messages ?? [];
    expect(system).toMatchObject({ role: 'system' });
    expect(system?.content).toContain(urgencyTask.instructions);
    expect(system?.content).toContain('Allowed labels: "urgent", "normal".');
    expect(user).toEqual({
      role: 'user',
      content: '[{"id":"0","poNumber":"PO-1000","daysLate":0},{"id":"1","poNumber":"PO-1001","daysLate":2}]',
    });
  });

  it('works with servers that only offer json_object, spelling the schema out in the prompt', async () => {
    const server = await serve({ script: byLateness });
    const decisions = await providerFor(server, { structuredOutput: 'json_object' }).classify(
      urgencyTask,
      lines(4),
    );

    expect(decisions.map((decision) => decision.label)).toEqual(expectedLabels(4));
    const body = server.requests[0]?.body;
    expect(body?.response_format).toEqual({ type: 'json_object' });
    expect(body?.messages[0]?.content).toContain('The JSON object must match this JSON Schema: {');
    expect(body?.messages[0]?.content).toContain('"enum":["urgent","normal"]');
  });

  it('sends only what describe() returns: nothing else about an input leaves the process', async () => {
    const server = await serve({
      script: (request, context) =>
        isRepair(request) ? byLateness(request, context) : { content: 'not json' },
    });
    const inputs = lines(5);
    await providerFor(server, { batchSize: 2 }).classify(urgencyTask, inputs);

    // Every request, the repairs included, as the bytes on the wire.
    expect(server.requests).toHaveLength(6);
    const wire = server.requests.map((request) => request.rawBody).join('\n');
    for (const line of inputs) {
      expect(wire).toContain(line.poNumber);
      expect(wire).not.toContain(line.buyerEmail);
      expect(wire).not.toContain(String(line.unitPrice));
    }
    expect(wire).not.toContain('buyerEmail');
    expect(wire).not.toContain('unitPrice');
  });

  it('repairs an invalid answer once by sending it back with what was wrong', async () => {
    const server = await serve({
      script: inTurn({ content: 'Sure! Here is the JSON you asked for.' }, byLateness),
    });
    const decisions = await providerFor(server).classify(urgencyTask, lines(3));

    expect(decisions.map((decision) => decision.label)).toEqual(expectedLabels(3));
    expect(server.requests).toHaveLength(2);
    const repair = server.requests[1]?.body?.messages ?? [];
    expect(repair.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(repair[2]?.content).toBe('Sure! Here is the JSON you asked for.');
    expect(repair[3]?.content).toContain('(answer): the answer is not valid JSON');
    expect(repair[3]?.content).toContain('exactly one result for each of the ids "0", "1", "2"');
  });

  it('repairs an answer that leaves an input out', async () => {
    const server = await serve({
      script: inTurn(
        {
          content: resultsJson([
            { id: '0', label: 'normal' },
            { id: '2', label: 'normal' },
          ]),
        },
        byLateness,
      ),
    });
    const decisions = await providerFor(server).classify(urgencyTask, lines(3));

    expect(decisions).toHaveLength(3);
    expect(server.requests[1]?.body?.messages[3]?.content).toContain('results: no result for id "1"');
  });

  it('routes a label outside the set to review after one repair for that record alone', async () => {
    const server = await serve({
      // The second batch (ids "2" and "3") answers a label that is not allowed for id "3", both times.
      script: (request, context) =>
        sentInputs(request)[0]?.id === '2'
          ? {
              content: isRepair(request)
                ? resultsJson([{ id: '3', label: 'panic' }])
                : resultsJson([
                    { id: '2', label: 'urgent' },
                    { id: '3', label: 'panic' },
                  ]),
            }
          : byLateness(request, context),
    });
    const decisions = await providerFor(server, { batchSize: 2, concurrency: 1 }).classify(
      urgencyTask,
      lines(4),
    );

    expect(decisions.map((decision) => decision.review === undefined)).toEqual([true, true, true, false]);
    expect(decisions[2]?.label).toBe('urgent');
    const [reviewed] = decisions.slice(3);
    expect(reviewed).toMatchObject({
      label: 'urgent',
      confidence: 0.5,
      probabilities: { urgent: 0.5, normal: 0.5 },
    });
    expect(reviewed?.review?.reason).toBe(
      'the model\'s answer is outside the allowed values (results[1].label: label "panic" is not one of the ' +
        'allowed values: "urgent", "normal"); the repair answered results[0].label: label "panic" is not one ' +
        'of the allowed values: "urgent", "normal"',
    );
    expect(reviewed?.explanation).toBe(`needs review: ${reviewed?.review?.reason}`);
    // Batch one, batch two, and one repair asking only for id "3" with the allowed values.
    expect(server.requests).toHaveLength(3);
    const repair = server.requests[2]?.body?.messages.at(-1)?.content;
    expect(repair).toContain(
      'results[1].label: label "panic" is not one of the allowed values: "urgent", "normal"',
    );
    expect(repair).toContain('results only for the ids "3"');
  });

  it('uses a repaired label, and reads a label that differs only in case without a repair', async () => {
    const repaired = await serve({
      script: inTurn(
        { content: resultsJson([{ id: '0', label: 'panic' }]) },
        { content: resultsJson([{ id: '0', label: 'normal' }]) },
      ),
    });
    const [fixed] = await providerFor(repaired).classify(urgencyTask, lines(1));
    expect(fixed).toMatchObject({ label: 'normal', confidence: 0.9 });
    expect(fixed?.review).toBeUndefined();
    expect(repaired.requests).toHaveLength(2);

    const shouting = await serve({
      script: () => ({ content: resultsJson([{ id: '0', label: ' Urgent' }]) }),
    });
    const [read] = await providerFor(shouting).classify(urgencyTask, lines(1));
    expect(read?.label).toBe('urgent');
    expect(shouting.requests).toHaveLength(1);
  });

  it('uses the task’s reviewLabel for a record routed to review', async () => {
    const server = await serve({ script: () => ({ content: resultsJson([{ id: '0', label: 'panic' }]) }) });
    const [decision] = await providerFor(server).classify(
      { ...urgencyTask, reviewLabel: 'normal' },
      lines(1),
    );
    expect(decision?.label).toBe('normal');
    expect(decision?.review?.reason).toContain('"panic"');
  });

  it('fails with a validation error naming task, batch and path when the whole answer stays malformed', async () => {
    const server = await serve({
      script: (request, context) =>
        sentInputs(request)[0]?.id === '2'
          ? { content: '{"results": "none"}' }
          : byLateness(request, context),
    });
    const error = await erpErrorOf(
      providerFor(server, { batchSize: 2, concurrency: 1 }).classify(urgencyTask, lines(4)),
    );

    expect(error.kind).toBe('validation');
    expect(error.message).toBe(
      'task "po-urgency": the LLM\'s answer for the batch starting at id "2" was still invalid after one repair ' +
        'attempt: results: Invalid input: expected array, received string',
    );
    expect(error.context).toMatchObject({ entity: 'po-urgency', key: '2', field: 'results' });
    // Batch one, batch two, its repair; nothing after the failure.
    expect(server.requests).toHaveLength(3);
  });

  it('fails when an input is still missing after the repair', async () => {
    const server = await serve({ script: () => ({ content: resultsJson([{ id: '0', label: 'normal' }]) }) });
    const error = await erpErrorOf(providerFor(server).classify(urgencyTask, lines(2)));

    expect(error.kind).toBe('validation');
    expect(error.message).toContain('results: no result for id "1"');
    expect(error.context.field).toBe('results');
    expect(server.requests).toHaveLength(2);
  });

  it('rejects a self-reported confidence outside [0, 1] instead of clamping it', async () => {
    const server = await serve({ script: answerEach(() => ({ label: 'normal', confidence: 1.2 })) });
    const error = await erpErrorOf(providerFor(server).classify(urgencyTask, lines(1)));

    expect(error.kind).toBe('validation');
    expect(error.context.field).toBe('results[0].confidence');
    expect(error.message).toContain('Too big: expected number to be <=1');
  });

  it('maps 401 to auth and never puts the API key in the error', async () => {
    const apiKey = 'sk-wrong-0123456789abcdef';
    const server = await serve({ script: byLateness, apiKey: 'sk-the-right-one' });
    const error = await erpErrorOf(
      providerFor(server, { apiKey, maxRetries: 2 }).classify(urgencyTask, lines(1)),
    );

    // The server echoed the key; prove it did, so the next assertions mean something.
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(error.kind).toBe('auth');
    expect(error.context).toMatchObject({
      status: 401,
      method: 'POST',
      url: `${server.baseUrl}/chat/completions`,
    });
    expect(error.message).toBe(
      'LLM request for task "po-urgency" failed: 401 Incorrect API key provided: [redacted]. ' +
        'You can find your API key at https://platform.openai.com/account/api-keys.',
    );
    expect(describeError(error)).not.toContain(apiKey);
    for (let link: unknown = error; link instanceof Error; link = link.cause) {
      expect(link.message).not.toContain(apiKey);
      expect(JSON.stringify(link)).not.toContain(apiKey);
    }
    // 401 is not retried.
    expect(server.requests).toHaveLength(1);
  });

  it('sends the key as a bearer token, and a placeholder when there is none', async () => {
    const server = await serve({ script: byLateness, apiKey: 'sk-right' });
    await providerFor(server, { apiKey: 'sk-right' }).classify(urgencyTask, lines(1));
    const open = await serve({ script: byLateness });
    await providerFor(open, { apiKey: '' }).classify(urgencyTask, lines(1));

    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-right');
    expect(open.requests[0]?.headers.authorization).toBe('Bearer not-needed');
  });

  it('waits as Retry-After says on 429 and then succeeds', async () => {
    const server = await serve({
      script: inTurn({ status: 429, headers: { 'retry-after': '1' } }, byLateness),
    });
    const decisions = await providerFor(server, { maxRetries: 2 }).classify(urgencyTask, lines(2));

    expect(decisions.map((decision) => decision.label)).toEqual(expectedLabels(2));
    const [limited, retried] = server.requests;
    // The client's own back-off would be at most 500 ms; one second means Retry-After was obeyed.
    expect((retried?.receivedAt ?? 0) - (limited?.receivedAt ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it('maps a 429 that outlasts the retries to rate_limited with the wait asked for', async () => {
    const server = await serve({ script: () => ({ status: 429, headers: { 'retry-after': '7' } }) });
    const error = await erpErrorOf(providerFor(server).classify(urgencyTask, lines(1)));

    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(7000);
    expect(error.retryable).toBe(true);
  });

  it('maps 5xx after the retries to transient and 400 to permanent', async () => {
    const failing = await serve({ script: () => ({ status: 503, headers: { 'retry-after-ms': '10' } }) });
    const transient = await erpErrorOf(
      providerFor(failing, { maxRetries: 1 }).classify(urgencyTask, lines(1)),
    );
    expect(transient.kind).toBe('transient');
    expect(transient.message).toContain('503 The engine is currently overloaded');
    expect(failing.requests).toHaveLength(2);

    const refusing = await serve({
      script: () => ({ status: 400, errorMessage: "Invalid parameter: 'response_format'" }),
    });
    const permanent = await erpErrorOf(
      providerFor(refusing, { maxRetries: 2 }).classify(urgencyTask, lines(1)),
    );
    expect(permanent.kind).toBe('permanent');
    expect(permanent.context.hint).toContain('structuredOutput: json_object');
    expect(refusing.requests).toHaveLength(1);
  });

  it('maps a timeout to transient after the client retried it', async () => {
    const server = await serve({ script: () => ({ delayMs: 10_000, content: '{}' }) });
    const started = Date.now();
    const error = await erpErrorOf(
      providerFor(server, { timeoutMs: 200, maxRetries: 1 }).classify(urgencyTask, lines(1)),
    );

    expect(error.kind).toBe('transient');
    expect(error.message).toBe('LLM request for task "po-urgency" failed: no answer within 200 ms');
    expect(server.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('maps an unreachable server to transient', async () => {
    const server = await startFakeOpenAiServer({ script: byLateness });
    await server.close();
    const error = await erpErrorOf(providerFor(server).classify(urgencyTask, lines(1)));

    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(
      /^LLM request for task "po-urgency" failed: Connection error\. \(fetch failed/,
    );
    expect(error.context.hint).toBe('check baseUrl and that the LLM server is running');
  });

  it('stops at the caller’s abort, rejecting with its reason and sending nothing after', async () => {
    const server = await serve({ script: () => ({ delayMs: 10_000, content: '{}' }) });
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    const pending = providerFor(server, { batchSize: 1, concurrency: 2 }).classify(urgencyTask, lines(5), {
      signal: controller.signal,
    });
    await sleep(100);
    controller.abort(reason);

    expect(await rejectionOf(pending)).toBe(reason);
    expect(server.requests).toHaveLength(2);
    const aborted = AbortSignal.abort(reason);
    expect(await rejectionOf(providerFor(server).classify(urgencyTask, lines(1), { signal: aborted }))).toBe(
      reason,
    );
    expect(server.requests).toHaveLength(2);
  });

  it('does not wait out a Retry-After once the caller aborts', { timeout: 5_000 }, async () => {
    const server = await serve({ script: () => ({ status: 429, headers: { 'retry-after': '30' } }) });
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    const pending = providerFor(server, { maxRetries: 1 }).classify(urgencyTask, lines(1), {
      signal: controller.signal,
    });
    while (server.requests.length === 0) await sleep(5);
    // Let the 429 arrive, so the client is asleep before its retry.
    await sleep(200);
    controller.abort(reason);

    expect(await rejectionOf(pending)).toBe(reason);
    expect(server.requests).toHaveLength(1);
  });

  it('answers no inputs without a request', async () => {
    const server = await serve({ script: byLateness });
    expect(await providerFor(server).classify(urgencyTask, [])).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a describe() with its own id field before any request', async () => {
    const server = await serve({ script: byLateness });
    const task: ClassifyTask<PurchaseOrderLine, Urgency> = {
      ...urgencyTask,
      describe: (line) => ({ id: line.poNumber, daysLate: line.daysLate }),
    };
    const error = await erpErrorOf(providerFor(server).classify(task, lines(2)));

    expect(error.kind).toBe('permanent');
    expect(error.message).toBe('task "po-urgency": describe() returned a field named "id"');
    expect(server.requests).toHaveLength(0);
  });

  it('rejects a bad config before any I/O, naming the option', () => {
    expect(() => createLlmProvider({ baseUrl: 'localhost:11434', model: 'llama3.1' })).toThrow(
      expect.objectContaining({
        name: 'ConfigError',
        key: 'baseUrl',
        message:
          'LLM provider config option baseUrl: must be an http(s) URL such as https://api.openai.com/v1',
      }),
    );
    expect(() =>
      createLlmProvider({ baseUrl: 'http://localhost:11434/v1', model: 'llama3.1', batchSize: 0 }),
    ).toThrow(expect.objectContaining({ name: 'ConfigError', key: 'batchSize' }));
  });
});

function failNoBody(): never {
  throw new Error('a request had no valid body');
}

describe('createLlmProvider guardrails', () => {
  interface ContactNote {
    poNumber: string;
    buyer: string;
    note: string;
  }
  const noteTask: ClassifyTask<ContactNote, Urgency> = {
    name: 'note-urgency',
    labels: LABELS,
    featureVersion: 1,
    features: () => ({ numeric: {}, text: '' }),
    instructions: 'Decide from the note whether the buyer must act today.',
    describe: (input) => ({ poNumber: input.poNumber, buyer: input.buyer, note: input.note }),
    personFields: ['buyer'],
  };
  const notes: ContactNote[] = [
    {
      poNumber: 'PO-1',
      buyer: 'Maria Schmidt',
      note: 'Line down! Call Schmidt on +49 30 1234 5678 or mail maria.schmidt@acme.example, IBAN DE89 3704 0044 0532 0130 00',
    },
    { poNumber: 'PO-2', buyer: 'Jon Berg', note: 'Deliver to gate 2. Tax id DE123456789.' },
  ];
  /** A model that repeats the note in its explanation, placeholders and all. */
  const echo = answerEach((input) => ({ label: 'urgent', explanation: `note: ${String(input.note)}` }));

  it('fails closed without an allowlist: nothing is sent', async () => {
    const server = await serve({ script: byLateness });
    const provider = createLlmProvider({ baseUrl: server.baseUrl, model: 'fake-model' });
    const error = await erpErrorOf(provider.classify(urgencyTask, lines(2), { workflow: 'po-urgency' }));

    expect(error.kind).toBe('permanent');
    expect(error.message).toBe(
      'task "po-urgency": no field may be sent to the LLM because no field allowlist is configured; nothing was sent',
    );
    expect(error.context.hint).toContain('workflows.po-urgency.ai.allowFields or ai.allowFields');
    expect(server.requests).toHaveLength(0);
  });

  it('sends only allowlisted fields, and refuses a record with none', async () => {
    const server = await serve({ script: byLateness });
    await providerFor(server, {}, { allowFields: ['daysLate'] }).classify(urgencyTask, lines(3));
    const wire = server.requests.map((request) => request.rawBody).join('\n');
    expect(wire).toContain('daysLate');
    expect(wire).not.toContain('poNumber');
    expect(wire).not.toContain('PO-100');

    const error = await erpErrorOf(
      providerFor(server, {}, { allowFields: ['unitPrice'] }).classify(urgencyTask, lines(1)),
    );
    expect(error.message).toBe(
      'task "po-urgency": none of the fields described for input 0 (poNumber, daysLate) is in the allowlist (unitPrice); nothing was sent',
    );
    expect(server.requests).toHaveLength(1);
  });

  it('hides personal data behind placeholders and restores them in the answer', async () => {
    const server = await serve({ script: echo });
    const decisions = await providerFor(server, {}, { allowFields: ['poNumber', 'note'] }).classify(
      noteTask,
      notes,
    );

    const wire = server.requests.map((request) => request.rawBody).join('\n');
    for (const secret of [
      'Maria',
      'Schmidt',
      '1234 5678',
      'maria.schmidt@acme.example',
      'DE89 3704',
      'DE123456789',
      'Jon Berg',
    ]) {
      expect(wire).not.toContain(secret);
    }
    expect(wire).toContain('Call «NAME_1» on «PHONE_1» or mail «EMAIL_1», IBAN «IBAN_1»');
    expect(wire).toContain('Tax id «TAX_ID_1»');
    expect(decisions.map((decision) => decision.explanation)).toEqual(
      notes.map((note) => `note: ${note.note.replace('Schmidt on', 'Maria Schmidt on')}`),
    );
  });

  it('answers a record asked again from the cache, without a request', async () => {
    const server = await serve({ script: byLateness });
    const cache = createMemoryCache();
    const provider = providerFor(server, { batchSize: 2 }, { cache });
    const first = await provider.classify(urgencyTask, lines(4));
    expect(server.requests).toHaveLength(2);

    const again = await provider.classify(urgencyTask, lines(5));
    expect(again.slice(0, 4)).toEqual(first);
    // Only the new record went out.
    expect(server.requests).toHaveLength(3);
    expect(sentInputs(server.requests[2]?.body ?? failNoBody()).map((input) => input.poNumber)).toEqual([
      'PO-1004',
    ]);
    expect(provider.spent().cached).toBe(4);

    // Another prompt version or another model is a miss.
    await provider.classify({ ...urgencyTask, promptVersion: 2 }, lines(1));
    await providerFor(server, { model: 'other-model' }, { cache }).classify(urgencyTask, lines(1));
    expect(server.requests).toHaveLength(5);
  });

  it('keeps only redacted answers in a cache file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'erpbridge-llm-cache-'));
    try {
      const server = await serve({ script: echo });
      const cache = await openFileCache(join(dir, 'llm-cache.jsonl'));
      await providerFor(server, {}, { allowFields: ['note'], cache }).classify(noteTask, notes);
      await cache.flush();
      const text = readFileSync(join(dir, 'llm-cache.jsonl'), 'utf8');
      expect(text.split('\n').filter(Boolean)).toHaveLength(3);
      expect(text).toContain('«EMAIL_1»');
      expect(text).not.toContain('maria.schmidt@acme.example');

      // A new process reads the file and asks nothing.
      const reopened = await openFileCache(join(dir, 'llm-cache.jsonl'));
      const decisions = await providerFor(server, {}, { allowFields: ['note'], cache: reopened }).classify(
        noteTask,
        notes,
      );
      expect(server.requests).toHaveLength(1);
      expect(decisions[0]?.explanation).toContain('maria.schmidt@acme.example');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('records every exchange for the audit: hashes, tokens, cost and the redacted request', async () => {
    const server = await serve({ script: inTurn({ content: 'not json' }, echo) });
    const entries: LlmAuditEntry[] = [];
    const provider = providerFor(
      server,
      { prices: { input1k: 0.5, output1k: 1.5, currency: 'EUR' } },
      { allowFields: ['note'], record: (entry) => void entries.push(entry) },
    );
    await provider.classify(noteTask, notes, { runId: 'run-7', workflow: 'notes' });

    expect(entries.map((entry) => entry.type)).toEqual(['ai.exchange', 'ai.exchange']);
    const [answer, repair] = entries.map((entry) =>
      entry.type === 'ai.exchange' ? entry.payload : failNoBody(),
    );
    expect(answer).toMatchObject({
      runId: 'run-7',
      workflow: 'notes',
      task: 'note-urgency',
      kind: 'classify',
      model: 'llm:fake-model',
      promptVersion: 'note-urgency@p1+llm2',
      purpose: 'answer',
      records: 2,
      firstId: '0',
      outputHash: sha256('not json'),
      attempts: 1,
      outcome: 'invalid',
      currency: 'EUR',
      redacted: { NAME: 1, PHONE: 1, EMAIL: 1, IBAN: 1, TAX_ID: 1 },
      withheld: ['buyer', 'poNumber'],
    });
    expect(repair).toMatchObject({ purpose: 'repair', outcome: 'valid' });
    const sent = server.requests[0];
    expect(answer?.inputHash).toBe(sha256(sent?.rawBody ?? ''));
    const usage = await completionUsage(sent?.rawBody ?? '', 'not json');
    expect(answer?.tokens).toEqual({ ...usage, estimated: false });
    expect(answer?.cost).toBeCloseTo((usage.input / 1000) * 0.5 + (usage.output / 1000) * 1.5, 12);
    expect(answer?.request).toContain('«EMAIL_1»');
    expect(answer?.request).not.toContain('maria.schmidt');
    expect(provider.spent('run-7')).toMatchObject({ currency: 'EUR', cached: 0 });
    expect(provider.spent('run-7').tokens).toBeGreaterThan(usage.input + usage.output);
  });

  it('stops at the run’s budget: the rest go to review with the reason, never dropped', async () => {
    const server = await serve({ script: byLateness });
    const entries: LlmAuditEntry[] = [];
    const provider = providerFor(
      server,
      { batchSize: 2, concurrency: 1, budget: { maxTokensPerRun: 1500 } },
      { record: (entry) => void entries.push(entry) },
    );
    const decisions = await provider.classify(urgencyTask, lines(8), { runId: 'run-1' });

    expect(decisions).toHaveLength(8);
    const sentCount = server.requests.length;
    expect(sentCount).toBeGreaterThan(0);
    expect(sentCount).toBeLessThan(4);
    const reviewed = decisions.filter((decision) => decision.review !== undefined);
    expect(reviewed).toHaveLength(8 - 2 * sentCount);
    expect(reviewed[0]?.review?.reason).toMatch(
      /^the run's LLM budget of 1500 tokens is spent \(\d+ used, the next request needs about \d+\)$/,
    );
    const refusals = entries.filter((entry) => entry.type === 'ai.budget-exhausted');
    expect(refusals.length).toBeGreaterThan(0);
    expect(provider.spent('run-1').exhausted).toBe(reviewed[0]?.review?.reason);
    // Another run has its own budget.
    await provider.classify(urgencyTask, lines(2), { runId: 'run-2' });
    expect(server.requests).toHaveLength(sentCount + 1);
  });

  it('retries a 500 as its Retry-After asks, believes x-should-retry: false, and fails at once on a wait too long', async () => {
    const flaky = await serve({
      script: inTurn({ status: 500, headers: { 'retry-after': '1' } }, byLateness),
    });
    await providerFor(flaky, { maxRetries: 2 }).classify(urgencyTask, lines(1));
    const [failed, retried] = flaky.requests;
    expect((retried?.receivedAt ?? 0) - (failed?.receivedAt ?? 0)).toBeGreaterThanOrEqual(990);

    const refusing = await serve({ script: () => ({ status: 503, headers: { 'x-should-retry': 'false' } }) });
    expect(
      (await erpErrorOf(providerFor(refusing, { maxRetries: 3 }).classify(urgencyTask, lines(1)))).kind,
    ).toBe('transient');
    expect(refusing.requests).toHaveLength(1);

    const patient = await serve({ script: () => ({ status: 429, headers: { 'retry-after': '600' } }) });
    const started = Date.now();
    const error = await erpErrorOf(providerFor(patient, { maxRetries: 3 }).classify(urgencyTask, lines(1)));
    expect(error).toMatchObject({ kind: 'rate_limited', retryAfterMs: 600_000 });
    expect(patient.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses an extract task with an optional field before any request', async () => {
    const server = await serve({ script: byLateness });
    const task: ExtractTask<{ text: string }, z.ZodObject> = {
      name: 'invoice-fields',
      schema: z.object({ invoiceNumber: z.string(), poNumber: z.string().optional() }),
      instructions: 'Read the invoice.',
      describe: (input) => ({ text: input.text }),
    };
    const error = await erpErrorOf(
      providerFor(server, {}, { allowFields: ['text'] }).extract(task, [{ text: 'x' }]),
    );
    expect(error.message).toBe('task "invoice-fields": field "poNumber" of its schema is optional');
    expect(error.context.hint).toContain('.nullable()');
    expect(server.requests).toHaveLength(0);
  });
});

/** What the fake server reports as usage for a request body and an answer (it counts four characters a token). */
async function completionUsage(rawBody: string, content: string): Promise<{ input: number; output: number }> {
  return { input: Math.ceil(rawBody.length / 4), output: Math.ceil(content.length / 4) };
}

describe('createLlmProvider resilience and usage', () => {
  it('opens its circuit breaker on a failing endpoint: later calls fail at once with a clear message, sending nothing, until a probe succeeds', async () => {
    let healthy = false;
    const server = await serve({
      script: (request, context) => (healthy ? byLateness(request, context) : { status: 500 }),
    });
    const entries: LlmAuditEntry[] = [];
    const provider = providerFor(
      server,
      { maxRetries: 1, breaker: { failureThreshold: 3, halfOpenAfterMs: 400 } },
      { record: (entry) => void entries.push(entry) },
    );

    // Two attempts fail: an ordinary transient error, as before.
    const first = await erpErrorOf(provider.classify(urgencyTask, lines(1)));
    expect(first.kind).toBe('transient');
    expect(first.message).toContain('500 The server had an error');
    expect(server.requests).toHaveLength(2);

    // The third failed attempt opens the circuit; the retry is refused by it, not sent.
    const second = await erpErrorOf(provider.classify(urgencyTask, lines(1)));
    expect(server.requests).toHaveLength(3);
    expect(second).toBeInstanceOf(ResilienceError);
    expect(second).toMatchObject({ kind: 'transient', verdict: 'circuit-open' });
    expect(second.message).toMatch(
      /^the LLM endpoint http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions is failing \(3 failed requests in a row\), so no request is sent for the next 1 s; last failure: LLM request for task "po-urgency" failed: 500 The server had an error/,
    );
    expect(second.context.hint).toContain('check that the LLM server is running');

    // While open: no request, no waiting out retries or timeouts.
    const started = Date.now();
    const third = await erpErrorOf(provider.classify(urgencyTask, lines(3)));
    expect(Date.now() - started).toBeLessThan(100);
    expect(third).toMatchObject({ kind: 'transient', verdict: 'circuit-open' });
    expect(third.retryAfterMs).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(3);
    // Only requests that left are in the audit: two for the first call, one for the second.
    expect(entries.map((entry) => entry.type === 'ai.exchange' && entry.payload.attempts)).toEqual([2, 1]);

    // After halfOpenAfterMs one probe goes through; it succeeds and closes the circuit.
    healthy = true;
    await sleep(450);
    const decisions = await provider.classify(urgencyTask, lines(2));
    expect(decisions.map((decision) => decision.label)).toEqual(expectedLabels(2));
    expect(server.requests).toHaveLength(4);
  });

  it('counts a 429 towards the breaker, and shares one breaker between providers of one endpoint', async () => {
    const server = await serve({ script: () => ({ status: 429, headers: { 'retry-after-ms': '5' } }) });
    const config = { maxRetries: 0, breaker: { failureThreshold: 2, halfOpenAfterMs: 60_000 } };
    const breaker = createLlmBreaker({ baseUrl: server.baseUrl, model: 'fake-model', ...config });
    const one = providerFor(server, config, { breaker });
    const other = providerFor(server, config, { breaker });

    expect((await erpErrorOf(one.classify(urgencyTask, lines(1)))).kind).toBe('rate_limited');
    expect((await erpErrorOf(other.classify(urgencyTask, lines(1)))).kind).toBe('rate_limited');
    expect(breaker.state).toBe('open');
    expect(await erpErrorOf(one.classify(urgencyTask, lines(1)))).toMatchObject({ verdict: 'circuit-open' });
    expect(server.requests).toHaveLength(2);
  });

  it('reports every call with the tokens the server counted and their cost, for metrics', async () => {
    const server = await serve({ script: byLateness });
    const entries: LlmAuditEntry[] = [];
    const calls: LlmCallReport[] = [];
    const provider = providerFor(
      server,
      { batchSize: 2, concurrency: 1, prices: { input1k: 0.5, output1k: 1.5, currency: 'USD' } },
      {
        record: (entry) => void entries.push(entry),
        onCall: (call) => void calls.push(call),
        cache: createMemoryCache(),
      },
    );
    await provider.classify(urgencyTask, lines(3));
    // Asked again: all three from the cache, no tokens.
    await provider.classify(urgencyTask, lines(3));

    // The fake server counts a prompt token per four characters of the body it received.
    const promptTokens = server.requests.reduce((sum, sent) => sum + Math.ceil(sent.rawBody.length / 4), 0);
    const exchanges = entries.flatMap((entry) => (entry.type === 'ai.exchange' ? [entry.payload] : []));
    expect(exchanges).toHaveLength(2);
    const completionTokens = exchanges.reduce((sum, exchange) => sum + exchange.tokens.output, 0);
    expect(completionTokens).toBeGreaterThan(0);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toEqual({
      kind: 'classify',
      task: 'po-urgency',
      model: 'llm:fake-model',
      outcome: 'ok',
      records: 3,
      cached: 0,
      promptTokens,
      completionTokens,
      cost: expect.closeTo((promptTokens / 1000) * 0.5 + (completionTokens / 1000) * 1.5, 12),
      currency: 'USD',
      seconds: expect.any(Number),
    });
    expect(calls[1]).toMatchObject({ outcome: 'ok', records: 3, cached: 3, promptTokens: 0, cost: 0 });
  });

  it('reports a failed call with its error kind', async () => {
    const server = await serve({ script: () => ({ status: 401 }) });
    const calls: LlmCallReport[] = [];
    await erpErrorOf(
      providerFor(server, {}, { onCall: (call) => void calls.push(call) }).classify(urgencyTask, lines(1)),
    );
    expect(calls).toEqual([
      expect.objectContaining({ outcome: 'auth', records: 1, promptTokens: 0, completionTokens: 0, cost: 0 }),
    ]);
  });
});
