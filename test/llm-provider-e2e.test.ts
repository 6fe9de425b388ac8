import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import { answerEach } from '../src/ai/providers/testing/classify-scripts.ts';
import {
  type FakeOpenAiServer,
  startFakeOpenAiServer,
} from '../src/ai/providers/testing/fake-openai-server.ts';
import { type CliContext, openContext } from '../src/runtime/context.ts';
import { sandboxEnv, tempDir, testSandbox, writeTestConfig } from './support/harness.ts';

describe('po-urgency with the llm provider against an OpenAI-compatible server', () => {
  let sandbox: Sandbox;
  let llm: FakeOpenAiServer;
  let context: CliContext;
  const apiKey = 'sk-test-0123456789abcdef';

  beforeAll(async () => {
    const dir = tempDir('llm');
    sandbox = await testSandbox(dir, { orders: 300, history: 2000 });
    // A stand-in model: urgent when fewer than 10 days remain, normal otherwise.
    llm = await startFakeOpenAiServer({
      apiKey,
      script: answerEach((input) => {
        const days = Number(input.daysToNeed);
        return days < 10
          ? { label: 'urgent', confidence: 0.9, explanation: `needed in ${days} days` }
          : { label: 'normal', confidence: 0.7, explanation: 'enough time' };
      }),
    });
    const config = writeTestConfig(dir, [
      [
        '  provider: embedded\n',
        `  provider: llm\n  allowFields: [orderNumber, needBy, daysToNeed, supplierLeadTimeDays, supplierOnTimeRate, amount, currency, description, notes]\n  llm:\n    baseUrl: ${llm.baseUrl}\n    model: stand-in\n    apiKey: \${LLM_KEY}\n    batchSize: 50\n`,
      ],
    ]);
    context = await openContext({ configFile: config, env: { ...sandboxEnv(sandbox), LLM_KEY: apiKey } });
  });

  afterAll(async () => {
    await context?.close();
    await llm?.close();
    await sandbox?.close();
  });

  it('classifies through the LLM, plans its changes with its explanations, and sends only described fields', async () => {
    const report = await context.engine.run(context.workflow('po-urgency'), {
      dryRun: true,
      asOf: sandbox.today,
    });
    expect(report.run.stats.read).toBe(300);
    expect(report.run.stats.labels.urgent ?? 0).toBeGreaterThan(0);
    const [change] = await context.store.listChanges(report.run.id, { limit: 1 });
    expect(change?.explanation).toMatch(/needed in -?\d+ days/);
    expect(change?.confidence).toBe(0.9);
    expect(llm.requests.length).toBe(6);
    for (const request of llm.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${apiKey}`);
      // Only what the task's describe() names leaves the process: no buyer, no supplier identity, no lines.
      expect(request.rawBody).not.toMatch(/\\"(buyer|supplierId|lines|version)\\"/);
      expect(request.rawBody).toMatch(/\\"daysToNeed\\"/);
    }
  });
});
