import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { ErpError, type ErrorKind, isErpError } from '../../errors/index.ts';
import { type ConnectorBreaker, createCircuitBreaker } from '../../resilience/circuit-breaker.ts';
import { isResilienceError, ResilienceError } from '../../resilience/resilience-error.ts';
import type { RetryPolicy } from '../../resilience/retry-policy.ts';
import {
  AI_TASK_KINDS,
  type AiCallOptions,
  type AiProvider,
  type AiTaskKind,
  promptVersionOf,
} from '../contract.ts';
import { requireAllowlist } from '../guardrails/allowlist.ts';
import { estimateTokens, type Reservation, RunBudget, type TokenUsage } from '../guardrails/budget.ts';
import type { AiExchange, LlmAuditEntry } from '../guardrails/exchange.ts';
import { PII_KINDS, restorePlaceholders } from '../guardrails/redaction.ts';
import { cacheKey, type ResponseCache, sha256 } from '../guardrails/response-cache.ts';
import { untilAborted } from './abortable.ts';
import { type AnswerIssue, checkEnvelope, formatIssuePath, formatIssues } from './llm-answer.ts';
import { type LlmConfig, llmRetryPolicy, parseLlmConfig, type ResolvedLlmConfig } from './llm-config.ts';
import { type LlmRequestScope, llmRequestError, redact } from './llm-error.ts';
import {
  batchMessages,
  type PreparedRecord,
  prepareRecords,
  repairMessages,
  responseFormat,
} from './llm-request.ts';
import { withLlmRetry } from './llm-retry.ts';
import { classifySpec, detectSpec, extractSpec, type RecordIssue, type TaskSpec } from './llm-tasks.ts';
import { chunk, mapConcurrent } from './run-batches.ts';

export {
  type LlmConfig,
  llmConfigSchema,
  type ResolvedLlmConfig,
  STRUCTURED_OUTPUT_MODES,
  type StructuredOutputMode,
} from './llm-config.ts';

/**
 * Bump when the provider's own part of the prompt (system message wording, answer shapes, repair
 * wording) changes meaning: cached answers of another version are not reused, and the audit shows
 * which prompt a decision came from.
 */
export const LLM_PROMPT_VERSION = 2;

/** What the LLM provider takes besides its config: the guardrails around it. */
export interface LlmProviderOptions {
  /**
   * The only fields of `describe()` that may leave the process (top-level keys or dotted paths).
   * Fails closed: without a list (or with an empty one) every call is refused before any request.
   */
  allowFields?: readonly string[];
  /** Where validated answers are kept between calls (in memory or a file); default none. */
  cache?: ResponseCache;
  /**
   * Told of every exchange (`ai.exchange`) and every budget refusal (`ai.budget-exhausted`), and
   * awaited: the audit log records them before the call returns. A failure here fails the call.
   */
  record?: (entry: LlmAuditEntry) => void | Promise<void>;
  /** Jitter source for retry backoff, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /**
   * The circuit breaker in front of the endpoint. Default: one of this provider's own, from the
   * config's `breaker` ({@link createLlmBreaker}). Pass one breaker to every provider of a process
   * that talks to the same endpoint, so what one run learnt about a dead endpoint holds for the next.
   */
  breaker?: ConnectorBreaker;
  /**
   * Told of every call (one classify, extract or detect over its inputs) when it ends, for metrics:
   * how it ended, the tokens its requests used, what they cost, how long it took. Must not throw.
   */
  onCall?: (call: LlmCallReport) => void;
}

/** One call of the LLM provider as metrics see it. */
export interface LlmCallReport {
  kind: AiTaskKind;
  task: string;
  /** `llm:<model>`. */
  model: string;
  /** `ok`, or the kind of the ErpError the call failed with (`permanent` for anything else). */
  outcome: 'ok' | ErrorKind;
  /** Inputs of the call, and how many of them the cache answered (0 when the call failed). */
  records: number;
  cached: number;
  /** Tokens of the call's requests as the server reported them (estimated where it did not). */
  promptTokens: number;
  completionTokens: number;
  /** What those tokens cost at the configured prices, in `currency`. */
  cost: number;
  currency: string;
  seconds: number;
}

/** What a run spent so far: tokens, cost, and why the budget refused, once it has. */
export interface LlmSpending {
  tokens: number;
  cost: number;
  currency: string;
  exhausted?: string;
  /** Records answered from the cache, without a request. */
  cached: number;
}

/** The LLM provider: the one provider contract, plus what a run spent. */
export interface LlmProvider extends AiProvider {
  readonly kind: 'llm';
  /** Spending of one run (by `runId` of the calls), or of the calls that named no run. */
  spent(runId?: string): LlmSpending;
}

/**
 * A provider backed by any OpenAI-compatible chat completions server (OpenAI, Azure OpenAI's
 * `/openai/v1`, Ollama, vLLM, llama.cpp server), through the official `openai` client. It answers
 * all three task kinds (classify, extract, detect).
 *
 * Every call goes through the same steps:
 * 1. **Guardrails before I/O** (`llm-request.ts`, the one place requests are built): per input only
 *    its position id and what `task.describe()` returns, narrowed to the allowlist (fails closed),
 *    with emails, phone numbers, IBANs/accounts, tax ids and names behind placeholders («EMAIL_1»),
 *    restored in the answer.
 * 2. **Cache**: a record answered before with the same model and prompt is answered from the cache
 *    (keyed by sha256 of the redacted record + model + prompt versions + system message).
 * 3. **Batching**: the rest go `batchSize` (or the task's `maxBatch`) to a request, up to
 *    `concurrency` requests at once; results come back in input order. The caller's `signal`
 *    aborts requests in flight.
 * 4. **Budget**: each request reserves its estimated tokens and cost first; when the run's budget
 *    would be passed the request is not sent and its records (and all later ones of the run) come
 *    back with `review` saying so — never dropped. One `ai.budget-exhausted` entry records it.
 * 5. **Resilience**: each request is retried by the resilience rules (429/5xx/timeouts/connection
 *    errors, Retry-After honoured, `maxRetries`), each attempt bounded by `timeoutMs`.
 * 6. **Validation and one repair**: a malformed answer (not JSON, wrong shape, ids missing) gets one
 *    repair request for the whole batch, and fails with a `validation` ErpError if still malformed.
 *    A well-formed answer whose values are outside the allowed set (labels, master data) gets one
 *    repair for those records, telling the model the allowed values; still outside ⇒ the record
 *    comes back with `review` and is never written (the policy keeps it pending).
 * 7. **Audit**: every request is handed to `record` as an `ai.exchange` entry (model, prompt
 *    version, input and output hashes, tokens, cost, the redacted request text).
 *
 * Errors are ErpErrors: 401/403 `auth`, 429 `rate_limited` (with `retryAfterMs`), 5xx/connection/
 * timeout `transient`, other statuses `permanent`. The API key never appears in a message.
 * `model` of every result is `llm:<model>`. The config is parsed here, so a bad one throws a
 * ConfigError before any request.
 *
 * @example
 * const provider = createLlmProvider(
 *   { baseUrl: 'http://localhost:11434/v1', model: 'llama3.1' },
 *   { allowFields: ['needBy', 'daysToNeed', 'notes'], record: (entry) => audit.record(entry.type, entry.payload.runId, { ...entry.payload }) },
 * );
 * const [decision] = await provider.classify(poUrgencyTask, [purchaseOrder]);
 */
export function createLlmProvider(config: LlmConfig, options: LlmProviderOptions = {}): LlmProvider {
  const settings = parseLlmConfig(config);
  const breaker = options.breaker ?? createLlmBreaker(settings);
  const retryPolicy = llmRetryPolicy(settings);
  const client = new OpenAI({
    baseURL: settings.baseUrl,
    // The client refuses to start without a key; local servers ignore this placeholder.
    apiKey: settings.apiKey || 'not-needed',
    // Only the config decides where requests go and what they carry, not OPENAI_* variables.
    organization: null,
    project: null,
    timeout: settings.timeoutMs,
    // Retries are ours (the resilience rules), so each attempt is counted and Retry-After is capped.
    maxRetries: 0,
  });
  const url = completionsUrl(settings.baseUrl);
  const model = `llm:${settings.model}`;
  const runs = new Map<string, { budget: RunBudget; cached: number }>();
  const runOf = (runId: string | undefined) => {
    const key = runId ?? '';
    let run = runs.get(key);
    if (run === undefined) {
      run = { budget: new RunBudget(settings.budget, settings.prices), cached: 0 };
      runs.set(key, run);
    }
    return run;
  };
  const context: ProviderContext = { client, settings, retryPolicy, url, model, options, runOf, breaker };

  return {
    kind: 'llm',
    supports: AI_TASK_KINDS,
    classify: async (task, inputs, callOptions = {}) =>
      answerAll(context, classifySpec(task), inputs, callOptions),
    extract: async (task, inputs, callOptions = {}) =>
      answerAll(context, extractSpec(task), inputs, callOptions),
    detect: async (task, inputs, callOptions = {}) =>
      answerAll(context, detectSpec(task), inputs, callOptions),
    spent(runId) {
      const run = runOf(runId);
      return { ...run.budget.spent(), cached: run.cached };
    },
  };
}

/**
 * The circuit breaker for an LLM endpoint, from the config's `breaker`: `failureThreshold` failed
 * attempts in a row (transient or rate limited) open it; while open no request is sent and calls
 * fail at once; after `halfOpenAfterMs` one probe decides. The config is parsed (a ConfigError
 * names a bad option).
 */
export function createLlmBreaker(config: LlmConfig | ResolvedLlmConfig): ConnectorBreaker {
  const { breaker } = parseLlmConfig(config);
  // An LLM call never waits for the circuit to close (`maxPauseMs` 0): its records go to review.
  return createCircuitBreaker('llm', { ...breaker, maxPauseMs: 0 });
}

interface ProviderContext {
  breaker: ConnectorBreaker;
  client: OpenAI;
  settings: ResolvedLlmConfig;
  retryPolicy: RetryPolicy;
  url: string;
  model: string;
  options: LlmProviderOptions;
  runOf(runId: string | undefined): { budget: RunBudget; cached: number };
}

/** One call of a task over its inputs, with everything the batches share. */
interface Call<Input, Result> {
  context: ProviderContext;
  spec: TaskSpec<Input, Result>;
  system: string;
  promptVersion: string;
  promptDigest: string;
  budget: RunBudget;
  runId: string | null;
  workflow: string | null;
  /** What this call's requests used so far, for {@link LlmProviderOptions.onCall}. */
  used: { promptTokens: number; completionTokens: number; cost: number };
}

async function answerAll<Input, Result>(
  context: ProviderContext,
  spec: TaskSpec<Input, Result>,
  inputs: readonly Input[],
  callOptions: AiCallOptions,
): Promise<Result[]> {
  callOptions.signal?.throwIfAborted();
  if (inputs.length === 0) return [];
  const started = performance.now();
  const used = { promptTokens: 0, completionTokens: 0, cost: 0 };
  const report = (outcome: LlmCallReport['outcome'], cached: number) =>
    context.options.onCall?.({
      kind: spec.kind,
      task: spec.task.name,
      model: context.model,
      outcome,
      records: inputs.length,
      cached,
      ...used,
      currency: context.settings.prices.currency,
      seconds: (performance.now() - started) / 1000,
    });
  try {
    const { results, cached } = await answerInputs(context, spec, inputs, callOptions, used);
    report('ok', cached);
    return results;
  } catch (error) {
    report(isErpError(error) ? error.kind : 'permanent', 0);
    throw error;
  }
}

async function answerInputs<Input, Result>(
  context: ProviderContext,
  spec: TaskSpec<Input, Result>,
  inputs: readonly Input[],
  callOptions: AiCallOptions,
  used: Call<Input, Result>['used'],
): Promise<{ results: Result[]; cached: number }> {
  const { settings, options } = context;
  const allow = requireAllowlist(options.allowFields, spec.task.name, callOptions.workflow);
  const records = prepareRecords(spec.task, inputs, allow);
  const system = spec.system(settings.structuredOutput);
  const run = context.runOf(callOptions.runId);
  const call: Call<Input, Result> = {
    context,
    spec,
    system,
    promptVersion: `${spec.task.name}@p${promptVersionOf(spec.task)}+llm${LLM_PROMPT_VERSION}`,
    promptDigest: sha256(system),
    budget: run.budget,
    runId: callOptions.runId ?? null,
    workflow: callOptions.workflow ?? null,
    used,
  };

  const results = new Array<Result | undefined>(records.length);
  const keys = records.map((record) => keyOf(call, record));
  const misses: PreparedRecord[] = [];
  let cachedHere = 0;
  for (const [index, record] of records.entries()) {
    const cached = options.cache ? await options.cache.get(keys[index] ?? '') : undefined;
    const checked = isRecord(cached)
      ? spec.check(restorePlaceholders(cached, record.vault), context.model)
      : undefined;
    if (checked?.ok) {
      results[index] = checked.result;
      run.cached++;
      cachedHere++;
    } else misses.push(record);
  }

  const batchSize = Math.max(1, Math.min(settings.batchSize, spec.task.maxBatch ?? settings.batchSize));
  await mapConcurrent(
    chunk(misses, batchSize),
    settings.concurrency,
    async (batch, _index, signal) => {
      for (const { record, result, raw } of await answerBatch(call, batch, signal)) {
        const index = Number(record.id);
        results[index] = result;
        // Cached as answered: placeholders, never the personal data behind them.
        if (raw !== undefined && options.cache) await options.cache.set(keys[index] ?? '', raw);
      }
    },
    callOptions.signal,
  );
  const answered = results.map((result, index) => {
    if (result === undefined)
      throw new Error(`internal: no result for input ${index} of task "${spec.task.name}"`);
    return result;
  });
  return { results: answered, cached: cachedHere };
}

function keyOf(call: Call<unknown, unknown>, record: PreparedRecord): string {
  return cacheKey({
    model: call.context.settings.model,
    kind: call.spec.kind,
    task: call.spec.task.name,
    promptVersion: call.promptVersion,
    promptDigest: call.promptDigest,
    input: record.fieldsJson,
  });
}

/** One record's outcome: its result, and the answer as the model gave it when it may be cached. */
interface Answered<Result> {
  record: PreparedRecord;
  result: Result;
  raw?: Record<string, unknown>;
}

/** Per record of a checked answer: its result, or its problems (paths relative to the answer). */
interface BatchCheck<Result> {
  /** The answer as a whole is malformed, or some record's shape is wrong: repair the whole batch. */
  malformed: AnswerIssue[];
  /** Records whose values are outside their allowed set (and only that). */
  outside: Map<string, { issues: AnswerIssue[]; draft: Record<string, unknown> }>;
  ok: Map<string, { result: Result; raw: Record<string, unknown> }>;
}

async function answerBatch<Input, Result>(
  call: Call<Input, Result>,
  batch: readonly PreparedRecord[],
  signal: AbortSignal,
): Promise<Answered<Result>[]> {
  const { spec } = call;
  const messages = batchMessages(call.system, batch);
  const first = await exchange(call, 'answer', messages, batch, signal);
  if (!first.sent)
    return batch.map((record) => ({ record, result: spec.review(first.reason, call.context.model) }));
  const checked = checkBatch(call, first.content, batch);
  await first.recordOutcome(checked.malformed.length > 0 || checked.outside.size > 0 ? 'invalid' : 'valid');
  const done = (check: BatchCheck<Result>, record: PreparedRecord): Answered<Result> | undefined => {
    const ok = check.ok.get(record.id);
    return ok ? { record, result: ok.result, raw: ok.raw } : undefined;
  };

  if (checked.malformed.length > 0) {
    const problems = formatIssues([
      ...checked.malformed,
      ...[...checked.outside.values()].flatMap((o) => o.issues),
    ]);
    const ids = batch.map((record) => record.id);
    const repair = repairMessages(messages, first.content ?? '', problems, ids, true);
    const second = await exchange(call, 'repair', repair, batch, signal);
    if (!second.sent) {
      const reason = `the model's answer was invalid (${firstProblem(checked.malformed)}) and ${second.reason}`;
      return batch.map((record) => ({ record, result: spec.review(reason, call.context.model) }));
    }
    const rechecked = checkBatch(call, second.content, batch);
    await second.recordOutcome(
      rechecked.malformed.length > 0 || rechecked.outside.size > 0 ? 'invalid' : 'valid',
    );
    if (rechecked.malformed.length > 0) throw stillInvalid(call, batch, rechecked.malformed);
    return batch.map((record) => done(rechecked, record) ?? reviewOutside(call, rechecked, record));
  }

  if (checked.outside.size === 0) return batch.map((record) => done(checked, record) ?? unreachable(record));

  const failing = batch.filter((record) => checked.outside.has(record.id));
  const problems = formatIssues([...checked.outside.values()].flatMap((outside) => outside.issues));
  const repair = repairMessages(
    messages,
    first.content ?? '',
    problems,
    failing.map((record) => record.id),
    false,
  );
  const second = await exchange(call, 'repair', repair, failing, signal);
  let rechecked: BatchCheck<Result> | undefined;
  if (second.sent) {
    rechecked = checkBatch(call, second.content, failing);
    await second.recordOutcome(
      rechecked.malformed.length > 0 || rechecked.outside.size > 0 ? 'invalid' : 'valid',
    );
  }
  return batch.map((record) => {
    const answered = done(checked, record) ?? (rechecked ? done(rechecked, record) : undefined);
    if (answered) return answered;
    const outside = checked.outside.get(record.id);
    const before = outside ? firstProblem(outside.issues) : 'its answer was invalid';
    const after = !second.sent
      ? `no repair was sent: ${second.reason}`
      : rechecked?.outside.has(record.id)
        ? `the repair answered ${firstProblem(rechecked.outside.get(record.id)?.issues ?? [])}`
        : `the repair was invalid (${firstProblem(rechecked?.malformed ?? [])})`;
    return {
      record,
      result: spec.review(
        `the model's answer is outside the allowed values (${before}); ${after}`,
        call.context.model,
        outside?.draft,
      ),
    };
  });
}

/** A record still outside its allowed values after the repair of a malformed batch: to review. */
function reviewOutside<Result>(
  call: Call<unknown, Result>,
  check: BatchCheck<Result>,
  record: PreparedRecord,
): Answered<Result> {
  const outside = check.outside.get(record.id);
  const reason = `the model's answer is outside the allowed values after one repair (${firstProblem(outside?.issues ?? [])})`;
  return { record, result: call.spec.review(reason, call.context.model, outside?.draft) };
}

function unreachable(record: PreparedRecord): never {
  throw new Error(`internal: record ${record.id} is neither answered nor rejected`);
}

function checkBatch<Result>(
  call: Call<unknown, Result>,
  content: string | null,
  batch: readonly PreparedRecord[],
): BatchCheck<Result> {
  const check: BatchCheck<Result> = { malformed: [], outside: new Map(), ok: new Map() };
  const envelope = checkEnvelope(
    content,
    batch.map((record) => record.id),
  );
  if (!envelope.ok) {
    check.malformed.push(...envelope.issues);
    return check;
  }
  for (const record of batch) {
    const answered = envelope.records.get(record.id);
    if (answered === undefined) continue;
    const { id: _id, ...raw } = answered.record;
    const restored = restorePlaceholders(raw, record.vault);
    const result = call.spec.check(restored, call.context.model);
    if (result.ok) {
      check.ok.set(record.id, { result: result.result, raw });
      continue;
    }
    const located = (issue: RecordIssue): AnswerIssue => ({
      path: ['results', answered.index, ...issue.path],
      message: issue.message,
    });
    const shape = result.issues.filter((issue) => !issue.outsideMasterData);
    if (shape.length > 0) check.malformed.push(...shape.map(located));
    else check.outside.set(record.id, { issues: result.issues.map(located), draft: restored });
  }
  return check;
}

function firstProblem(issues: readonly AnswerIssue[]): string {
  const [first, ...rest] = issues;
  if (first === undefined) return 'no details';
  const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
  return `${formatIssuePath(first.path)}: ${first.message}${more}`;
}

function stillInvalid(
  call: Call<unknown, unknown>,
  batch: readonly PreparedRecord[],
  issues: AnswerIssue[],
): ErpError {
  const { settings } = call.context;
  const firstId = batch[0]?.id ?? '';
  const [first] = issues;
  const path = formatIssuePath(first?.path ?? []);
  return new ErpError(
    'validation',
    redact(
      `task "${call.spec.task.name}": the LLM's answer for the batch starting at id "${firstId}" was still invalid ` +
        `after one repair attempt: ${firstProblem(issues)}`,
      settings.apiKey,
    ),
    {
      entity: call.spec.task.name,
      key: firstId,
      field: path,
      url: call.context.url,
      hint: 'a smaller batchSize or a stronger model usually helps; with a local server try structuredOutput: json_schema',
    },
  );
}

type Exchanged =
  | { sent: true; content: string | null; recordOutcome(outcome: 'valid' | 'invalid'): Promise<void> }
  | { sent: false; reason: string };

/**
 * One chat completion, within the run's budget, retried by the resilience rules, and recorded in
 * the audit. Not sent when the budget refuses (then `reason` says why). A failed request is
 * recorded with its error kind and rethrown; a sent one is recorded once its answer is checked.
 */
async function exchange(
  call: Call<unknown, unknown>,
  purpose: AiExchange['purpose'],
  messages: ChatCompletionMessageParam[],
  records: readonly PreparedRecord[],
  signal: AbortSignal,
): Promise<Exchanged> {
  const { client, settings, retryPolicy, options, model } = call.context;
  const body = {
    model: settings.model,
    temperature: settings.temperature,
    messages,
    response_format: responseFormat(settings.structuredOutput, call.spec.responseName, call.spec.jsonSchema),
  };
  const bodyText = JSON.stringify(body);
  const estimate: TokenUsage = {
    input: estimateTokens(bodyText),
    output: records.length * call.spec.outputTokensPerRecord,
  };
  const firstId = records[0]?.id ?? '';
  const decision = call.budget.reserve(estimate);
  if (!decision.ok) {
    await options.record?.({
      type: 'ai.budget-exhausted',
      payload: {
        runId: call.runId,
        workflow: call.workflow,
        task: call.spec.task.name,
        model,
        reason: decision.reason,
        records: records.length,
      },
    });
    return { sent: false, reason: decision.reason };
  }
  const reservation: Reservation = decision.reservation;
  const started = performance.now();
  const scope: LlmRequestScope = {
    task: call.spec.task.name,
    firstId,
    url: call.context.url,
    timeoutMs: settings.timeoutMs,
    apiKey: settings.apiKey,
  };
  let attempts = 0;
  const entry = (
    outcome: AiExchange['outcome'],
    content: string | null,
    usage: TokenUsage & { estimated: boolean },
    cost: number,
  ): LlmAuditEntry => ({
    type: 'ai.exchange',
    payload: {
      runId: call.runId,
      workflow: call.workflow,
      task: call.spec.task.name,
      kind: call.spec.kind,
      model,
      promptVersion: call.promptVersion,
      purpose,
      records: records.length,
      firstId,
      inputHash: sha256(bodyText),
      outputHash: content === null ? null : sha256(content),
      tokens: usage,
      cost,
      currency: settings.prices.currency,
      attempts,
      outcome,
      request: JSON.stringify(messages),
      redacted: mergeCounts(records),
      withheld: [...new Set(records.flatMap((record) => record.withheld))].sort(),
      durationMs: Math.round(performance.now() - started),
    },
  });

  try {
    const { value: completion } = await withLlmRetry(
      async () => {
        try {
          // Each attempt passes the breaker and counts in it (retry outermost, as for connectors).
          return await call.context.breaker.execute((inner) => {
            attempts++;
            // The client aborts the HTTP request itself; untilAborted also ends a wait it might add.
            return untilAborted(client.chat.completions.create(body, { signal: inner }), signal).catch(
              (thrown: unknown) => {
                // Normalised here, so the breaker sees what kind of failure it was.
                throw llmRequestError(thrown, scope);
              },
            );
          }, signal);
        } catch (thrown) {
          throw isResilienceError(thrown, 'circuit-open') ? circuitOpen(call, thrown) : thrown;
        }
      },
      retryPolicy,
      signal,
      (thrown) => llmRequestError(thrown, scope),
      options.random,
    );
    const content = completion.choices[0]?.message.content ?? null;
    const reported = completion.usage;
    const usage =
      reported === undefined || reported === null
        ? { input: estimate.input, output: estimateTokens(content ?? ''), estimated: true }
        : { input: reported.prompt_tokens, output: reported.completion_tokens, estimated: false };
    const cost = call.budget.settle(reservation, usage);
    call.used.promptTokens += usage.input;
    call.used.completionTokens += usage.output;
    call.used.cost += cost;
    return {
      sent: true,
      content,
      recordOutcome: async (outcome) => {
        await options.record?.(entry(outcome, content, usage, cost));
      },
    };
  } catch (error) {
    // Failed requests are not billed by OpenAI-compatible servers; nothing is counted.
    call.budget.settle(reservation, { input: 0, output: 0 });
    const aborted = signal.aborted;
    const outcome: AiExchange['outcome'] = aborted ? 'aborted' : isErpError(error) ? error.kind : 'permanent';
    // A request the open circuit held back never left: there is no exchange to record.
    if (attempts > 0)
      await options.record?.(entry(outcome, null, { input: 0, output: 0, estimated: true }, 0));
    // An abort is the caller's decision (or a sibling batch's failure), not this request's error.
    if (aborted) throw signal.reason;
    throw error;
  }
}

/**
 * The breaker's refusal in the LLM's words: which endpoint is failing, since when no request is
 * sent, what failed last, and what happens to the records. `transient`, with `retryAfterMs` until
 * the probe; a `circuit-open` verdict, so it is never retried.
 */
function circuitOpen(call: Call<unknown, unknown>, open: ResilienceError): ResilienceError {
  const { settings, url } = call.context;
  const seconds = Math.ceil((open.retryAfterMs ?? 0) / 1000);
  const failure = open.cause instanceof Error ? open.cause.message : undefined;
  const last = failure === undefined ? '' : `; last failure: ${failure}`;
  return new ResilienceError(
    'transient',
    'circuit-open',
    redact(
      `the LLM endpoint ${url} is failing (${settings.breaker.failureThreshold} failed requests in a row), ` +
        `so no request is sent for the next ${seconds} s${last}`,
      settings.apiKey,
    ),
    {
      method: 'POST',
      url,
      entity: call.spec.task.name,
      cause: open.cause ?? open,
      ...(open.retryAfterMs === undefined ? {} : { retryAfterMs: open.retryAfterMs }),
      hint: 'check that the LLM server is running and answers (baseUrl); a run sends these records to review instead of waiting',
    },
  );
}

function mergeCounts(records: readonly PreparedRecord[]): AiExchange['redacted'] {
  const counts: AiExchange['redacted'] = {};
  for (const record of records) {
    const hidden = record.vault.counts();
    for (const kind of PII_KINDS) {
      const count = hidden[kind];
      if (count !== undefined) counts[kind] = (counts[kind] ?? 0) + count;
    }
  }
  return counts;
}

/** `<baseUrl>/chat/completions` without any credentials a URL might carry, for error context. */
function completionsUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  url.username = '';
  url.password = '';
  url.search = '';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/chat/completions`;
  return url.toString();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
