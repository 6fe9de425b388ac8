import type { IncomingHttpHeaders } from 'node:http';
import Fastify, { type FastifyReply } from 'fastify';
import { z } from 'zod';

/**
 * A local stand-in for an OpenAI-compatible chat completions server, for tests: no real LLM is
 * reachable here, and a paid one would make tests slow, flaky and costly.
 *
 * It speaks enough of the protocol for the official `openai` client: `POST /v1/chat/completions`
 * with OpenAI's response and error shapes, `Authorization: Bearer` checks, and `GET /v1/models`.
 * Like the real service it refuses requests it would refuse (400): a malformed body, streaming,
 * `json_object` mode without the word "JSON" in the messages, and `json_schema` schemas that break
 * strict mode's rules (every object closed with `additionalProperties: false`, every property
 * required). What the "model" answers is up to the test's {@link FakeScript}.
 *
 * @example
 * const server = await startFakeOpenAiServer({ script: () => ({ content: '{"results":[]}' }) });
 * const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'any' });
 * // … assert on server.requests …
 * await server.close();
 */

const messageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() })), z.null()]).optional(),
});

const responseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must match ^[a-zA-Z0-9_-]{1,64}$'),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

/** The part of a chat completions request body the fake server checks; other fields pass through. */
export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1),
  response_format: responseFormatSchema.optional(),
  temperature: z.number().min(0).max(2).nullish(),
  stream: z.boolean().nullish(),
});

/** A chat completions request as the fake server received and validated it. */
export type ChatCompletionRequest = z.output<typeof chatCompletionRequestSchema>;

/** How the fake server answers one request. Every field is optional: `{}` is an empty 200 answer. */
export interface FakeReply {
  /** HTTP status. 200 (the default) answers a chat completion; any other an OpenAI-style error. */
  status?: number;
  /** The assistant message's content on a 200 answer; `null` as for a refusal. Default `''`. */
  content?: string | null;
  /** The error's message on a non-200 answer; default a message like OpenAI's for that status. */
  errorMessage?: string;
  /** Extra response headers, e.g. `{ 'retry-after': '1' }` or `{ 'x-should-retry': 'false' }`. */
  headers?: Record<string, string>;
  /** Wait this long before answering (to provoke client timeouts); cut short if the client leaves. */
  delayMs?: number;
  /** `finish_reason` of the choice; default `'stop'`. */
  finishReason?: 'stop' | 'length' | 'content_filter';
}

/** What a script knows besides the body: which call this is (0-based) and the request headers. */
export interface ScriptContext {
  call: number;
  headers: IncomingHttpHeaders;
}

/**
 * Decides the answer to each valid, authorised chat completions request — the test's "model".
 * May be async. If it throws, the server answers 500 with `x-should-retry: false`, so the test
 * fails fast with the script's message instead of waiting out the client's retries.
 */
export type FakeScript = (
  request: ChatCompletionRequest,
  context: ScriptContext,
) => FakeReply | Promise<FakeReply>;

/** One request exactly as it reached the server, whether or not it was valid. */
export interface RecordedRequest {
  method: string;
  /** Path with query, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The body bytes as sent: what to search when proving something did not leave the process. */
  rawBody: string;
  /** The validated body; `null` when it was not a valid chat completions request. */
  body: ChatCompletionRequest | null;
  /** `Date.now()` at arrival. */
  receivedAt: number;
}

export interface FakeOpenAiServerOptions {
  /** Answers each valid, authorised chat completions request. */
  script: FakeScript;
  /**
   * When set, every request must carry `Authorization: Bearer <apiKey>`, else 401. A wrong key is
   * echoed back in full in the error message — as some servers do — so tests can prove the caller
   * keeps it out of its own errors.
   */
  apiKey?: string;
  /** Model ids listed by `GET /v1/models`. Default `['fake-model']`. */
  models?: readonly string[];
}

export interface FakeOpenAiServer {
  /** `http://127.0.0.1:<port>/v1`: pass as the client's `baseURL`. */
  readonly baseUrl: string;
  /** Every request received so far (a live list), in arrival order, including invalid and unauthorised ones. */
  readonly requests: readonly RecordedRequest[];
  /** Stops listening, ends pending delays and drops open connections. */
  close(): Promise<void>;
}

const ERROR_DEFAULTS: Record<number, { message: string; type: string; code: string | null }> = {
  400: { message: 'Invalid request.', type: 'invalid_request_error', code: null },
  401: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' },
  403: {
    message: 'You are not allowed to sample from this model.',
    type: 'invalid_request_error',
    code: null,
  },
  404: {
    message: 'The model does not exist or you do not have access to it.',
    type: 'invalid_request_error',
    code: 'model_not_found',
  },
  429: { message: 'Rate limit reached for requests.', type: 'requests', code: 'rate_limit_exceeded' },
  500: {
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
    code: null,
  },
  503: {
    message: 'The engine is currently overloaded, please try again later.',
    type: 'server_error',
    code: null,
  },
};

/**
 * Starts a fake OpenAI-compatible server on 127.0.0.1 and a free port. Close it when done.
 */
export async function startFakeOpenAiServer(options: FakeOpenAiServerOptions): Promise<FakeOpenAiServer> {
  const { script, apiKey, models = ['fake-model'] } = options;
  const requests: RecordedRequest[] = [];
  const shutdown = new AbortController();
  let calls = 0;
  let completions = 0;

  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 32 * 1024 * 1024 });
  // Keep the exact bytes: parse JSON ourselves so a bad body gets OpenAI's error, not Fastify's.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );

  // What each request's body turned out to be, for the route after the hook has recorded it.
  const chatBodies = new WeakMap<object, ChatBodyCheck>();

  // preHandler runs once the body is read, so even refused requests are recorded with their bytes.
  app.addHook('preHandler', async (request, reply) => {
    const rawBody = typeof request.body === 'string' ? request.body : '';
    const check = request.routeOptions.url === '/v1/chat/completions' ? checkChatBody(rawBody) : undefined;
    if (check) chatBodies.set(request, check);
    requests.push({
      method: request.method,
      path: request.url,
      headers: request.headers,
      rawBody,
      body: check?.ok ? check.body : null,
      receivedAt: Date.now(),
    });
    const expected = apiKey === undefined ? undefined : `Bearer ${apiKey}`;
    if (expected !== undefined && request.headers.authorization !== expected) {
      const given = request.headers.authorization?.replace(/^Bearer\s+/i, '');
      const message = given
        ? `Incorrect API key provided: ${given}. You can find your API key at https://platform.openai.com/account/api-keys.`
        : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
      return sendError(reply, 401, message);
    }
  });

  app.get('/v1/models', async () => ({
    object: 'list',
    data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'erpbridge-fake' })),
  }));

  app.post('/v1/chat/completions', async (request, reply) => {
    const check = chatBodies.get(request) ?? checkChatBody('');
    if (!check.ok) return sendError(reply, 400, check.message, { param: check.param });
    const { body } = check;
    const rawBody = typeof request.body === 'string' ? request.body : '';

    const call = calls++;
    let answer: FakeReply;
    try {
      answer = await script(body, { call, headers: request.headers });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return sendError(reply, 500, `fake script threw: ${reason}`, {
        headers: { 'x-should-retry': 'false' },
      });
    }

    if (answer.delayMs !== undefined && answer.delayMs > 0) {
      const clientLeft = new AbortController();
      reply.raw.once('close', () => clientLeft.abort());
      const waited = await delay(answer.delayMs, AbortSignal.any([clientLeft.signal, shutdown.signal]));
      // Nobody is listening any more; answer anyway so Fastify finishes the request cleanly.
      if (!waited) return sendError(reply, 503, 'the client left or the fake server closed');
    }

    const status = answer.status ?? 200;
    if (status !== 200) {
      return sendError(reply, status, answer.errorMessage, { headers: answer.headers });
    }
    const content = answer.content === undefined ? '' : answer.content;
    completions++;
    const promptTokens = Math.ceil(rawBody.length / 4);
    const completionTokens = Math.ceil((content ?? '').length / 4);
    void reply
      .code(200)
      .headers({ 'x-request-id': `req_fake_${completions}`, ...answer.headers })
      .send({
        id: `chatcmpl-fake-${completions}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content, refusal: null },
            logprobs: null,
            finish_reason: answer.finishReason ?? 'stop',
          },
        ],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
        system_fingerprint: 'fp_fake',
      });
    return reply;
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') {
    await app.close();
    throw new Error(`fake OpenAI server: unexpected listen address ${String(address)}`);
  }

  return {
    baseUrl: `http://127.0.0.1:${address.port}/v1`,
    requests,
    async close() {
      shutdown.abort();
      await app.close();
    },
  };
}

type ChatBodyCheck =
  | { ok: true; body: ChatCompletionRequest }
  | { ok: false; message: string; param: string | null };

/** The body as a chat completions request, or OpenAI's reason to answer 400. */
function checkChatBody(rawBody: string): ChatBodyCheck {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      message: `We could not parse the JSON body of your request. (${reason})`,
      param: null,
    };
  }
  const parsed = chatCompletionRequestSchema.safeParse(json);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const param = issue?.path.join('.') || null;
    return {
      ok: false,
      message: `Invalid request: ${param ?? 'body'}: ${issue?.message ?? 'invalid'}`,
      param,
    };
  }
  const refusal = refuse(parsed.data);
  return refusal ? { ok: false, ...refusal } : { ok: true, body: parsed.data };
}

/** Why OpenAI would refuse this otherwise well-formed request, if it would. */
function refuse(body: ChatCompletionRequest): { message: string; param: string } | undefined {
  if (body.stream) return { message: 'The fake OpenAI server does not stream.', param: 'stream' };
  const format = body.response_format;
  if (format?.type === 'json_object') {
    const mentionsJson = body.messages.some((message) => /json/i.test(JSON.stringify(message.content ?? '')));
    if (!mentionsJson) {
      return {
        message:
          "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
        param: 'messages',
      };
    }
  }
  if (format?.type === 'json_schema' && format.json_schema.strict) {
    const problem = strictSchemaProblem(format.json_schema.schema ?? {}, []);
    if (problem) {
      return {
        message: `Invalid schema for response_format '${format.json_schema.name}': ${problem}`,
        param: 'response_format',
      };
    }
  }
  return undefined;
}

/** The first rule of strict Structured Outputs a JSON schema breaks, in OpenAI's words. */
export function strictSchemaProblem(schema: unknown, context: readonly string[]): string | undefined {
  if (!isRecord(schema)) return undefined;
  const where = `In context=(${context.map((part) => `'${part}'`).join(', ')})`;
  if (context.length === 0 && schema.type !== 'object') {
    return `${where}, schema must be a JSON Schema of 'type: "object"', got 'type: "${String(schema.type)}"'.`;
  }
  const properties = isRecord(schema.properties) ? schema.properties : undefined;
  if (schema.type === 'object' || properties) {
    if (schema.additionalProperties !== false) {
      return `${where}, 'additionalProperties' is required to be supplied and to be false.`;
    }
    const required = Array.isArray(schema.required) ? schema.required : [];
    const missing = Object.keys(properties ?? {}).filter((key) => !required.includes(key));
    if (missing.length > 0) {
      return `${where}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing[0]}'.`;
    }
  }
  for (const [key, child] of Object.entries(properties ?? {})) {
    const problem = strictSchemaProblem(child, [...context, 'properties', key]);
    if (problem) return problem;
  }
  const nested: [string, unknown][] = [['items', schema.items]];
  for (const keyword of ['anyOf', 'oneOf']) {
    const branches = schema[keyword];
    if (!Array.isArray(branches)) continue;
    for (const [index, branch] of branches.entries()) nested.push([`${keyword}.${index}`, branch]);
  }
  for (const keyword of ['$defs', 'definitions']) {
    const definitions = schema[keyword];
    if (isRecord(definitions)) {
      for (const [name, definition] of Object.entries(definitions))
        nested.push([`${keyword}.${name}`, definition]);
    }
  }
  for (const [key, child] of nested) {
    const problem = strictSchemaProblem(child, [...context, key]);
    if (problem) return problem;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sendError(
  reply: FastifyReply,
  status: number,
  message: string | undefined,
  extra: { param?: string | null; headers?: Record<string, string> | undefined } = {},
): FastifyReply {
  const defaults = ERROR_DEFAULTS[status] ?? {
    message: `HTTP ${status}`,
    type: status >= 500 ? 'server_error' : 'invalid_request_error',
    code: null,
  };
  void reply
    .code(status)
    .headers({ ...extra.headers })
    .send({
      error: {
        message: message ?? defaults.message,
        type: defaults.type,
        param: extra.param ?? null,
        code: defaults.code,
      },
    });
  return reply;
}

/** Resolves true after `ms`, or false as soon as `signal` aborts; the timer never outlives either. */
function delay(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
