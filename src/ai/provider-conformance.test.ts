import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '../store/index.ts';
import { createEmbeddedProvider } from './embedded/provider.ts';
import {
  CONFORMANCE_ALLOW_FIELDS,
  conformanceAnswers,
  conformanceClassifyTask,
  conformanceExamples,
  describeProviderConformance,
} from './provider-conformance.ts';
import { createLlmProvider } from './providers/llm-provider.ts';
import { answerTasks } from './providers/testing/classify-scripts.ts';
import { startFakeOpenAiServer } from './providers/testing/fake-openai-server.ts';

describeProviderConformance('embedded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'erpbridge-ai-conformance-'));
  const store = createSqliteStore({ path: join(dir, 'store.sqlite') });
  await store.migrate();
  const provider = createEmbeddedProvider({
    modelStore: { load: (name) => store.loadModel(name), save: (model) => store.saveModel(model) },
    loadExamples: () => conformanceExamples(),
  });
  await provider.ensureModel(conformanceClassifyTask);
  return {
    provider,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describeProviderConformance('llm (local OpenAI-compatible server)', async () => {
  const server = await startFakeOpenAiServer({
    script: answerTasks((kind, input) => conformanceAnswers[kind](input)),
  });
  const provider = createLlmProvider(
    { baseUrl: server.baseUrl, model: 'fake-model', maxRetries: 0 },
    { allowFields: CONFORMANCE_ALLOW_FIELDS },
  );
  return { provider, close: () => server.close() };
});
