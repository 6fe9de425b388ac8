/** The AI providers' public face: the LLM classify provider and its configuration. */

export {
  type LlmConfig,
  llmConfigSchema,
  parseLlmConfig,
  type ResolvedLlmConfig,
  STRUCTURED_OUTPUT_MODES,
  type StructuredOutputMode,
} from './llm-config.ts';
export { createLlmProvider } from './llm-provider.ts';
