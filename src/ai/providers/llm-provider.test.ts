import { afterEach, describe, expect, it } from 'vitest';
import { describeError, ErpError } from '../../errors/index.ts';
import type { ClassifyTask } from '../contract.ts';
import type { LlmConfig } from './llm-config.ts';
import { createLlmProvider } from './llm-provider.ts';
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

function providerFor(server: FakeOpenAiServer, config: Partial<LlmConfig> = {}) {
  return createLlmProvider({ baseUrl: server.baseUrl, model: 'fake-model', maxRetries: 0, ...config });
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

  it('fails with a validation error naming task, batch and path when the repair is invalid too', async () => {
    const server = await serve({
      // Only the second batch (ids "2" and "3") gets a label that is not allowed, both times.
      script: (request, context) =>
        sentInputs(request)[0]?.id === '2'
          ? {
              content: resultsJson([
                { id: '2', label: 'urgent' },
                { id: '3', label: 'panic' },
              ]),
            }
          : byLateness(request, context),
    });
    const error = await erpErrorOf(
      providerFor(server, { batchSize: 2, concurrency: 1 }).classify(urgencyTask, lines(4)),
    );

    expect(error.kind).toBe('validation');
    expect(error.message).toBe(
      'task "po-urgency": the LLM\'s answer for the batch starting at id "2" was still invalid after one repair ' +
        'attempt: results[1].label: Invalid option: expected one of "urgent"|"normal"',
    );
    expect(error.context).toMatchObject({ entity: 'po-urgency', key: '2', field: 'results[1].label' });
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
