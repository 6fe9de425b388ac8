import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Sandbox } from '../index.ts';
import { callSandbox, startTestSandbox } from '../test-support.ts';

let sandbox: Sandbox;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ sandbox, stop } = await startTestSandbox({ orders: 20, history: 5, suppliers: 5 }));
});
afterAll(() => stop());

const admin = (path: string, init?: Parameters<typeof callSandbox>[2]) =>
  callSandbox({ url: sandbox.url, apiKey: null }, path, init);

describe('/_sandbox/faults', () => {
  test('GET is {} without faults; POST replaces the config and answers it; GET reads it back; DELETE clears', async () => {
    expect((await admin('/_sandbox/faults')).body).toEqual({});
    const config = {
      seed: 7,
      target: 'reads',
      errors: { rates: { '503': 1 } },
      lostAnswers: { rate: 0.5, mode: 502 },
    };
    const posted = await admin('/_sandbox/faults', { method: 'POST', body: config });
    expect(posted.status).toBe(200);
    expect(posted.body).toEqual(config);
    expect((await admin('/_sandbox/faults')).body).toEqual(config);
    expect((await callSandbox(sandbox, '/api/suppliers')).status).toBe(503);

    const replaced = await admin('/_sandbox/faults', { method: 'POST', body: { latency: { fixedMs: 1 } } });
    expect(replaced.body).toEqual({ latency: { fixedMs: 1 } });
    expect((await callSandbox(sandbox, '/api/suppliers')).status).toBe(200);

    const cleared = await admin('/_sandbox/faults', { method: 'DELETE' });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toEqual({});
    expect((await admin('/_sandbox/faults')).body).toEqual({});
  });

  test.each([
    [{ latency: { fixedMs: -5 } }, 'latency.fixedMs', 'fault config latency.fixedMs: must be at least 0'],
    [
      { errors: { rates: { '503': 2 } } },
      'errors.rates.503',
      'fault config errors.rates.503: must be a probability',
    ],
    [{ hangz: { rate: 0.1 } }, 'hangz', 'fault config hangz: unknown key "hangz"; known keys: seed, target'],
    [[1, 2], '', 'fault config: must be an object'],
  ])('an invalid config %j is a 400 naming %s, and the active config stays', async (body, key, message) => {
    await admin('/_sandbox/faults', { method: 'POST', body: { seed: 1 } });
    const answer = await admin('/_sandbox/faults', { method: 'POST', body });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: 'bad_request', message: expect.stringContaining(message), key });
    expect((await admin('/_sandbox/faults')).body).toEqual({ seed: 1 });
  });

  test('POST /_sandbox/maintenance validates its body', async () => {
    for (const body of [{}, { durationMs: 0 }, { durationMs: 1.5 }, { durationMs: 10, extra: 1 }]) {
      const answer = await admin('/_sandbox/maintenance', { method: 'POST', body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body).toMatchObject({ error: 'bad_request', key: 'durationMs' });
    }
  });
});
