import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors/index.ts';
import { llmConfigSchema, parseLlmConfig } from './llm-config.ts';

describe('llmConfigSchema', () => {
  it('fills in the documented defaults', () => {
    expect(llmConfigSchema.parse({ baseUrl: 'http://localhost:11434/v1', model: 'llama3.1' })).toEqual({
      baseUrl: 'http://localhost:11434/v1',
      model: 'llama3.1',
      timeoutMs: 30_000,
      maxRetries: 2,
      batchSize: 20,
      concurrency: 2,
      temperature: 0,
      structuredOutput: 'json_schema',
      retry: { baseDelayMs: 500, maxDelayMs: 8000, multiplier: 2, jitter: 'full', maxRetryAfterMs: 60_000 },
      breaker: { failureThreshold: 5, halfOpenAfterMs: 10_000 },
      prices: { input1k: 0, output1k: 0, currency: 'USD' },
      budget: {},
    });
  });

  it('accepts the endpoints the provider is meant for', () => {
    for (const baseUrl of [
      'https://api.openai.com/v1',
      'https://contoso.openai.azure.com/openai/v1',
      'http://127.0.0.1:8000/v1',
      'http://localhost:8080/v1',
    ]) {
      expect(llmConfigSchema.safeParse({ baseUrl, model: 'm', apiKey: '' }).success).toBe(true);
    }
  });
});

describe('parseLlmConfig', () => {
  it('names the option at fault', () => {
    expect(() => parseLlmConfig({ baseUrl: 'ftp://host/v1', model: 'm' })).toThrow(
      expect.objectContaining({
        name: 'ConfigError',
        key: 'baseUrl',
        message:
          'LLM provider config option baseUrl: must be an http(s) URL such as https://api.openai.com/v1',
      }),
    );
    expect(() => parseLlmConfig({ baseUrl: 'http://h/v1', model: 'm', structuredOutput: 'grammar' })).toThrow(
      expect.objectContaining({ key: 'structuredOutput' }),
    );
  });

  it('rejects a misspelt option instead of ignoring it', () => {
    const config = { baseUrl: 'http://h/v1', model: 'm', batchsize: 5 };
    expect(() => parseLlmConfig(config)).toThrow(
      expect.objectContaining({
        key: 'batchsize',
        message: 'LLM provider config option batchsize: Unrecognized key: "batchsize"',
      }),
    );
  });

  it('counts the further problems and never repeats the values given', () => {
    let caught: unknown;
    try {
      parseLlmConfig({ baseUrl: 'nope', model: '', apiKey: 42, concurrency: -1 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(caught).toMatchObject({
      key: 'baseUrl',
      message: expect.stringContaining('(and 3 more problems)'),
    });
    expect(String(caught)).not.toContain('42');
  });
});
