import { z } from 'zod';
import { ConfigError } from '../../errors/index.ts';
import { BreakerPolicy } from '../../resilience/circuit-breaker.ts';
import { RetryPolicy } from '../../resilience/retry-policy.ts';
import { LlmBudget, LlmPrices } from '../guardrails/budget.ts';

/**
 * How the model is told to answer in JSON. `json_schema` (strict Structured Outputs) lets the server
 * constrain the answer to our schema; `json_object` only promises some JSON object, for local servers
 * that support nothing more (the schema is then spelled out in the system message).
 */
export const STRUCTURED_OUTPUT_MODES = ['json_schema', 'json_object'] as const;
export type StructuredOutputMode = (typeof STRUCTURED_OUTPUT_MODES)[number];

/**
 * Settings of the LLM classify provider: any OpenAI-compatible chat completions endpoint.
 *
 * - `baseUrl` (required): the API root that `/chat/completions` hangs off — `https://api.openai.com/v1`,
 *   Azure OpenAI's `https://<resource>.openai.azure.com/openai/v1`, Ollama's `http://localhost:11434/v1`,
 *   vLLM's or llama.cpp server's `http://host:port/v1`.
 * - `model` (required): the model (or Azure deployment) name.
 * - `apiKey`: sent as `Authorization: Bearer`; may be empty or absent for local servers.
 * - `timeoutMs` (default 30000): time bound of one HTTP attempt. The client retries timeouts, so a call
 *   may take up to `(maxRetries + 1) × timeoutMs` plus back-off.
 * - `maxRetries` (default 2): retries after 408/429/5xx, timeouts and connection errors, by the
 *   resilience retry rules (`shouldRetry`/`delayFor`): `Retry-After` (also on a 500) is honoured up
 *   to `retry.maxRetryAfterMs`, otherwise exponential backoff with full jitter.
 * - `retry` (optional): `baseDelayMs` (default 500), `maxDelayMs` (8000), `multiplier` (2), `jitter`
 *   (`full`), `maxRetryAfterMs` (60000): a server asking for a longer wait fails the request at once.
 * - `breaker` (optional): `failureThreshold` (default 5) failed attempts in a row (5xx, 429, timeouts,
 *   connection errors) open the circuit; for `halfOpenAfterMs` (default 10000) no request is sent and
 *   calls fail at once with a `transient` error saying so (a run sends those records to review),
 *   then one probe request decides. A dead endpoint then costs one error per call, not
 *   `(maxRetries + 1) × timeoutMs` per batch.
 * - `batchSize` (default 20): inputs per request (a task may ask for fewer with `maxBatch`).
 * - `concurrency` (default 2): requests in flight at once.
 * - `temperature` (default 0).
 * - `structuredOutput` (default `json_schema`): see {@link STRUCTURED_OUTPUT_MODES}.
 * - `prices` (default 0): `input1k`, `output1k` per 1,000 tokens and `currency`, for the cost the audit
 *   records and the budget counts.
 * - `budget` (default none): `maxTokensPerRun`, `maxCostPerRun`. A request that would pass either is
 *   not sent; its records and all later ones of the run come back marked for review with the reason.
 *
 * Unknown keys are rejected, so a misspelt option fails at load time instead of being ignored.
 *
 * @example
 * llmConfigSchema.parse({ baseUrl: 'http://localhost:11434/v1', model: 'llama3.1', structuredOutput: 'json_object' });
 */
export const llmConfigSchema = z.strictObject({
  baseUrl: z.url({
    protocol: /^https?$/,
    error: 'must be an http(s) URL such as https://api.openai.com/v1',
  }),
  model: z.string().min(1),
  apiKey: z.string().optional(),
  timeoutMs: z.number().int().positive().default(30_000),
  maxRetries: z.number().int().min(0).max(10).default(2),
  batchSize: z.number().int().min(1).max(500).default(20),
  concurrency: z.number().int().min(1).max(64).default(2),
  temperature: z.number().min(0).max(2).default(0),
  structuredOutput: z.enum(STRUCTURED_OUTPUT_MODES).default('json_schema'),
  retry: z
    .strictObject({
      baseDelayMs: z.int().min(1).max(600_000).default(500),
      maxDelayMs: z.int().min(1).max(3_600_000).default(8_000),
      multiplier: z.number().min(1).max(10).default(2),
      jitter: z.enum(['full', 'none']).default('full'),
      maxRetryAfterMs: z.int().min(0).max(86_400_000).default(60_000),
    })
    .prefault({}),
  breaker: BreakerPolicy.pick({ failureThreshold: true, halfOpenAfterMs: true }).prefault({}),
  prices: LlmPrices,
  budget: LlmBudget,
});

/** LLM provider settings as written in configuration; omitted options take their defaults. */
export type LlmConfig = z.input<typeof llmConfigSchema>;

/** LLM provider settings after parsing, every default filled in. */
export type ResolvedLlmConfig = z.output<typeof llmConfigSchema>;

/**
 * Parses LLM provider settings (as written, or straight from a config file), throwing a
 * {@link ConfigError} that names the first offending key. The message never repeats the values
 * given, so an API key cannot leak through it.
 */
export function parseLlmConfig(config: unknown): ResolvedLlmConfig {
  const parsed = llmConfigSchema.safeParse(config);
  if (parsed.success) return parsed.data;
  const [first, ...rest] = parsed.error.issues;
  // An unknown key is reported on the object holding it; name the key itself.
  const path =
    first?.code === 'unrecognized_keys' ? [...first.path, ...first.keys.slice(0, 1)] : (first?.path ?? []);
  const key = path.map(String).join('.');
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})` : '';
  throw new ConfigError(
    `LLM provider config${key ? ` option ${key}` : ''}: ${first?.message ?? 'invalid'}${more}`,
    key ? { key } : {},
  );
}

/**
 * The resilience retry policy of the LLM provider: `maxRetries + 1` attempts, the `retry` delays,
 * Retry-After honoured. Throws a ConfigError when the two delays contradict each other.
 */
export function llmRetryPolicy(settings: ResolvedLlmConfig): RetryPolicy {
  const parsed = RetryPolicy.safeParse({
    ...settings.retry,
    maxAttempts: settings.maxRetries + 1,
    honourRetryAfter: true,
  });
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const key = ['retry', ...(issue?.path ?? [])].map(String).join('.');
  throw new ConfigError(`LLM provider config option ${key}: ${issue?.message ?? 'invalid'}`, { key });
}
