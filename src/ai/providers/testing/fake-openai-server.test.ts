import OpenAI, { AuthenticationError, BadRequestError, InternalServerError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { answerEach, inTurn, isRepair, sentInputs } from './classify-scripts.ts';
import {
  type FakeOpenAiServer,
  type FakeOpenAiServerOptions,
  startFakeOpenAiServer,
  strictSchemaProblem,
} from './fake-openai-server.ts';

const servers: FakeOpenAiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(options: FakeOpenAiServerOptions): Promise<FakeOpenAiServer> {
  const server = await startFakeOpenAiServer(options);
  servers.push(server);
  return server;
}

function clientFor(server: FakeOpenAiServer, apiKey = 'sk-test'): OpenAI {
  return new OpenAI({ baseURL: server.baseUrl, apiKey, maxRetries: 0, timeout: 5_000 });
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

const hello = { model: 'fake-model', messages: [{ role: 'user' as const, content: 'Say hello in JSON.' }] };

describe('startFakeOpenAiServer', () => {
  it('answers in the shape the openai client parses, and records the request', async () => {
    const server = await serve({
      script: (request, context) => ({ content: `hi #${context.call} ${request.model}` }),
    });
    const completion = await clientFor(server).chat.completions.create({ ...hello, temperature: 0 });

    expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(completion).toMatchObject({
      id: 'chatcmpl-fake-1',
      object: 'chat.completion',
      model: 'fake-model',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'hi #0 fake-model' }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: 4, total_tokens: expect.any(Number) },
    });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
      body: { ...hello, temperature: 0 },
    });
    expect(JSON.parse(server.requests[0]?.rawBody ?? '')).toEqual({ ...hello, temperature: 0 });
  });

  it('checks the bearer token when it has one, echoing a wrong key as some servers do', async () => {
    const server = await serve({ script: () => ({ content: 'never' }), apiKey: 'sk-right' });
    const error = await rejectionOf(clientFor(server, 'sk-wrong').chat.completions.create(hello));

    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });
    expect(String(error)).toContain('Incorrect API key provided: sk-wrong.');
    await expect(clientFor(server, 'sk-right').chat.completions.create(hello)).resolves.toBeDefined();
    // Refused requests are recorded too.
    expect(server.requests.map((request) => request.headers.authorization)).toEqual([
      'Bearer sk-wrong',
      'Bearer sk-right',
    ]);
  });

  it('refuses what OpenAI refuses: json_object without "JSON" in the messages, loose strict schemas, streaming', async () => {
    const server = await serve({ script: () => ({ content: '{}' }) });
    const client = clientFor(server);

    const noJsonWord = await rejectionOf(
      client.chat.completions.create({
        model: 'fake-model',
        messages: [{ role: 'user', content: 'hello' }],
        response_format: { type: 'json_object' },
      }),
    );
    expect(noJsonWord).toBeInstanceOf(BadRequestError);
    expect(String(noJsonWord)).toContain("'messages' must contain the word 'json'");

    const loose = await rejectionOf(
      client.chat.completions.create({
        ...hello,
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'answer',
            strict: true,
            schema: { type: 'object', properties: { a: { type: 'string' } } },
          },
        },
      }),
    );
    expect(String(loose)).toContain(
      "Invalid schema for response_format 'answer': In context=(), 'additionalProperties' is required to be supplied and to be false.",
    );

    const streaming = await rejectionOf(client.chat.completions.create({ ...hello, stream: true }));
    expect(String(streaming)).toContain('does not stream');
  });

  it('answers 400 with an OpenAI error body to a malformed request', async () => {
    const server = await serve({ script: () => ({ content: '{}' }) });
    const post = (body: string) =>
      fetch(`${server.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });

    const notJson = await post('{"model":');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({
      error: {
        message: expect.stringContaining('We could not parse the JSON body'),
        type: 'invalid_request_error',
      },
    });
    const noMessages = await post('{"model":"m","messages":[]}');
    expect(noMessages.status).toBe(400);
    expect(await noMessages.json()).toMatchObject({ error: { param: 'messages' } });
    expect(server.requests.map((request) => request.body)).toEqual([null, null]);
  });

  it('answers any status with its headers, and a script that throws with a non-retryable 500', async () => {
    const server = await serve({
      script: inTurn({ status: 429, headers: { 'retry-after': '3' } }, () => {
        throw new Error('test bug');
      }),
    });
    const client = clientFor(server);

    const limited = await rejectionOf(client.chat.completions.create(hello));
    expect(limited).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect(limited instanceof OpenAI.APIError ? limited.headers?.get('retry-after') : undefined).toBe('3');

    const broken = await rejectionOf(
      clientFor(server).withOptions({ maxRetries: 2 }).chat.completions.create(hello),
    );
    expect(broken).toBeInstanceOf(InternalServerError);
    expect(String(broken)).toContain('fake script threw: test bug');
    expect(server.requests).toHaveLength(2);
  });

  it('cuts a slow answer short when it closes', async () => {
    const server = await startFakeOpenAiServer({ script: () => ({ delayMs: 60_000, content: 'late' }) });
    const pending = rejectionOf(clientFor(server).chat.completions.create(hello));
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = Date.now();
    await server.close();

    expect(await pending).toBeInstanceOf(OpenAI.APIError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('lists its models', async () => {
    const server = await serve({ script: () => ({}), models: ['llama3.1', 'qwen2.5'] });
    const page = await clientFor(server).models.list();
    expect(page.data.map((model) => model.id)).toEqual(['llama3.1', 'qwen2.5']);
  });
});

describe('classify scripts', () => {
  it('read the inputs, tell a repair apart and answer each input', async () => {
    const server = await serve({ script: answerEach((input) => ({ label: input.id === '0' ? 'a' : 'b' })) });
    const messages = [
      { role: 'system' as const, content: 'Classify. Answer in JSON.' },
      { role: 'user' as const, content: '[{"id":"0","x":1},{"id":"1","x":2}]' },
    ];
    const completion = await clientFor(server).chat.completions.create({ model: 'm', messages });
    const request = server.requests[0]?.body;
    if (!request) throw new Error('no request recorded');

    expect(sentInputs(request)).toEqual([
      { id: '0', x: 1 },
      { id: '1', x: 2 },
    ]);
    expect(isRepair(request)).toBe(false);
    expect(
      isRepair({ ...request, messages: [...request.messages, { role: 'assistant', content: '{}' }] }),
    ).toBe(true);
    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toEqual({
      results: [
        { id: '0', label: 'a', confidence: 0.9, explanation: 'decided a' },
        { id: '1', label: 'b', confidence: 0.9, explanation: 'decided b' },
      ],
    });
  });
});

describe('strictSchemaProblem', () => {
  it('finds the first object that is not closed or does not require every property', () => {
    const closed = { type: 'object', properties: {}, required: [], additionalProperties: false };
    expect(strictSchemaProblem(closed, [])).toBeUndefined();
    expect(
      strictSchemaProblem(
        {
          ...closed,
          properties: {
            items: {
              type: 'array',
              items: { type: 'object', properties: { a: {} }, additionalProperties: false },
            },
          },
          required: ['items'],
        },
        [],
      ),
    ).toBe(
      "In context=('properties', 'items', 'items'), 'required' is required to be supplied and to be an array including every key in properties. Missing 'a'.",
    );
    expect(strictSchemaProblem({ type: 'array' }, [])).toContain(
      'schema must be a JSON Schema of \'type: "object"\'',
    );
  });
});
