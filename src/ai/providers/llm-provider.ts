import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { ErpError } from '../../errors/index.ts';
import type { Classification, ClassifyProvider, ClassifyTask } from '../contract.ts';
import { untilAborted } from './abortable.ts';
import {
  type AnswerSchema,
  answerJsonSchema,
  answerSchema,
  checkAnswer,
  formatIssuePath,
  formatIssues,
  toClassifications,
} from './llm-answer.ts';
import { type LlmConfig, parseLlmConfig, type ResolvedLlmConfig } from './llm-config.ts';
import { type LlmRequestScope, llmRequestError, redact } from './llm-error.ts';
import {
  classifyMessages,
  type DescribedInput,
  describeInputs,
  repairMessages,
  responseFormat,
} from './llm-request.ts';
import { chunk, mapConcurrent } from './run-batches.ts';

export {
  type LlmConfig,
  llmConfigSchema,
  type ResolvedLlmConfig,
  STRUCTURED_OUTPUT_MODES,
  type StructuredOutputMode,
} from './llm-config.ts';

/**
 * A classify provider backed by any OpenAI-compatible chat completions server (OpenAI, Azure
 * OpenAI's `/openai/v1`, Ollama, vLLM, llama.cpp server), through the official `openai` client.
 *
 * - **Redaction by construction**: per input only the provider's id and what `task.describe()`
 *   returns are sent, with the task's instructions and labels. Nothing else about an input leaves.
 * - **Batching**: inputs go `batchSize` to a request, up to `concurrency` requests at once; the
 *   output is in input order. The caller's `signal` aborts requests in flight.
 * - **Validation**: every answer is checked with zod (JSON, labels, confidence in [0, 1], exactly one
 *   result per input). An invalid answer gets one repair attempt — the answer and what was wrong
 *   with it are sent back — and if that fails too, an ErpError `validation` names the task, the
 *   batch's first id and the path of the first problem.
 * - **Errors**: the client retries 408/409/429/5xx/connection errors `maxRetries` times (honouring
 *   `Retry-After`); what remains becomes an ErpError — 401/403 `auth`, 429 `rate_limited` (with
 *   `retryAfterMs`), 5xx/connection/timeout `transient`, other statuses `permanent`. The API key
 *   never appears in a message.
 * - **Confidence**: the model's own estimate, not calibrated; `probabilities` gives the other labels
 *   an equal share of the remainder (see {@link toClassifications}). `model` is `llm:<model>`.
 *
 * The config is parsed here, so a bad one throws a ConfigError before any request.
 *
 * @example
 * const provider = createLlmProvider({ baseUrl: 'http://localhost:11434/v1', model: 'llama3.1' });
 * const [decision] = await provider.classify(poUrgencyTask, [purchaseOrder]);
 */
export function createLlmProvider(config: LlmConfig): ClassifyProvider {
  const settings = parseLlmConfig(config);
  const client = new OpenAI({
    baseURL: settings.baseUrl,
    // The client refuses to start without a key; local servers ignore this placeholder.
    apiKey: settings.apiKey || 'not-needed',
    // Only the config decides where requests go and what they carry, not OPENAI_* variables.
    organization: null,
    project: null,
    timeout: settings.timeoutMs,
    maxRetries: settings.maxRetries,
  });
  const url = completionsUrl(settings.baseUrl);

  return {
    kind: 'llm',
    async classify<Input, Label extends string>(
      task: ClassifyTask<Input, Label>,
      inputs: readonly Input[],
      options: { signal?: AbortSignal } = {},
    ): Promise<Classification<Label>[]> {
      options.signal?.throwIfAborted();
      if (task.labels.length === 0) {
        throw new ErpError('permanent', `task "${task.name}" has no labels to classify into`, {
          entity: task.name,
        });
      }
      if (inputs.length === 0) return [];
      const described = describeInputs(task, inputs);
      const schema = answerSchema(task.labels);
      const jsonSchema = answerJsonSchema(schema);
      const batches = chunk(described, settings.batchSize);
      const answered = await mapConcurrent(
        batches,
        settings.concurrency,
        (batch, _index, signal) =>
          classifyBatch({ client, settings, url, task, schema, jsonSchema }, batch, signal),
        options.signal,
      );
      return answered.flat();
    },
  };
}

interface BatchRun<Label extends string> {
  client: OpenAI;
  settings: ResolvedLlmConfig;
  url: string;
  task: Pick<ClassifyTask<never, Label>, 'name' | 'labels' | 'instructions'>;
  schema: AnswerSchema<Label>;
  jsonSchema: Record<string, unknown>;
}

async function classifyBatch<Label extends string>(
  run: BatchRun<Label>,
  batch: readonly DescribedInput[],
  signal: AbortSignal,
): Promise<Classification<Label>[]> {
  const { settings, task, schema } = run;
  const ids = batch.map((input) => input.id);
  const firstId = ids[0] ?? '';
  const model = `llm:${settings.model}`;

  const messages = classifyMessages(task, batch, settings.structuredOutput, run.jsonSchema);
  const answer = await complete(run, messages, firstId, signal);
  const checked = checkAnswer(answer, schema, ids);
  if (checked.ok) return toClassifications(checked.results, task.labels, model);

  const repair = repairMessages(messages, answer ?? '', formatIssues(checked.issues), batch);
  const repaired = await complete(run, repair, firstId, signal);
  const rechecked = checkAnswer(repaired, schema, ids);
  if (rechecked.ok) return toClassifications(rechecked.results, task.labels, model);

  const [first, ...rest] = rechecked.issues;
  const path = formatIssuePath(first?.path ?? []);
  const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
  throw new ErpError(
    'validation',
    redact(
      `task "${task.name}": the LLM's answer for the batch starting at id "${firstId}" was still invalid ` +
        `after one repair attempt: ${path}: ${first?.message ?? 'invalid'}${more}`,
      settings.apiKey,
    ),
    {
      entity: task.name,
      key: firstId,
      field: path,
      url: run.url,
      hint: 'a smaller batchSize or a stronger model usually helps; with a local server try structuredOutput: json_schema',
    },
  );
}

/** One chat completion; its text, or null when the model gave none (e.g. a refusal). */
async function complete(
  run: BatchRun<string>,
  messages: ChatCompletionMessageParam[],
  firstId: string,
  signal: AbortSignal,
): Promise<string | null> {
  const { client, settings } = run;
  try {
    const request = client.chat.completions.create(
      {
        model: settings.model,
        temperature: settings.temperature,
        messages,
        response_format: responseFormat(settings.structuredOutput, run.jsonSchema),
      },
      { signal },
    );
    // The client aborts the HTTP request itself but sleeps out a Retry-After regardless.
    const completion = await untilAborted(request, signal);
    return completion.choices[0]?.message.content ?? null;
  } catch (error) {
    // An abort is the caller's decision (or a sibling batch's failure), not this request's error.
    if (signal.aborted) throw signal.reason;
    const scope: LlmRequestScope = {
      task: run.task.name,
      firstId,
      url: run.url,
      timeoutMs: settings.timeoutMs,
      apiKey: settings.apiKey,
    };
    throw llmRequestError(error, scope);
  }
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
