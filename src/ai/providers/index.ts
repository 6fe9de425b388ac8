/** The AI providers' public face: the LLM provider (classify, extract, detect) and its configuration. */

export {
  type LlmConfig,
  llmConfigSchema,
  llmRetryPolicy,
  parseLlmConfig,
  type ResolvedLlmConfig,
  STRUCTURED_OUTPUT_MODES,
  type StructuredOutputMode,
} from './llm-config.ts';
export {
  createLlmProvider,
  LLM_PROMPT_VERSION,
  type LlmProvider,
  type LlmProviderOptions,
  type LlmSpending,
} from './llm-provider.ts';
