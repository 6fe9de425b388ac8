/**
 * The embedded model learns from the ERP's history as it grows: a run trains again once the stored
 * model is older than `ai.embedded.retrainAfterDays`, says why, and audits it; `erpbridge train`
 * trains now.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import { runCli, sandboxEnv, tempDir, testSandbox, writeTestConfig } from './support/harness.ts';

describe('embedded model retraining', () => {
  let dir: string;
  let sandbox: Sandbox;
  let config: string;
  let store: string;
  const cli = (...args: string[]) => runCli(['--config', config, ...args], { env: sandboxEnv(sandbox) });
  const models = () => {
    const db = new Database(store, { readonly: true });
    try {
      return db.prepare('select created_at from models order by created_at').all() as {
        created_at: string;
      }[];
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    dir = tempDir('retraining');
    sandbox = await testSandbox(dir, { orders: 300, history: 3000 });
    config = writeTestConfig(dir);
    store = join(dir, 'erpbridge.sqlite');
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('a run uses a fresh model, retrains one older than retrainAfterDays, and says why', async () => {
    const first = await cli('run', 'po-urgency', '--as-of', sandbox.today);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(
      /model embedded:po-urgency@f\d+ trained on the ERP history, validation macro-F1/,
    );

    const second = await cli('run', 'po-urgency', '--as-of', sandbox.today);
    const today = new Date().toISOString().slice(0, 10);
    expect(second.stderr).toMatch(new RegExp(`model embedded:po-urgency@f\\d+ loaded, trained ${today}`));
    expect(models()).toHaveLength(1);

    // Ten days pass (the stored model's time is moved back).
    const db = new Database(store);
    const aged = new Date(Date.now() - 10 * 86_400_000).toISOString();
    db.prepare('update models set created_at = ?').run(aged);
    db.close();
    const third = await cli('run', 'po-urgency', '--as-of', sandbox.today);
    expect(third.stderr).toContain(
      `trained on the ERP history (the stored model is from ${aged}, 10 days old; models are retrained after 7 days)`,
    );
    // The store keeps one model per task and feature version: the new one replaced the old.
    expect(models()).toHaveLength(1);
    expect(models()[0]?.created_at.slice(0, 10)).toBe(today);

    const audit = await cli('audit', 'verify');
    expect(audit.code).toBe(0);
    const trained = new Database(store, { readonly: true });
    const payloads = trained
      .prepare("select payload from audit_entries where type = 'model.trained' order by seq")
      .all() as { payload: string }[];
    trained.close();
    expect(payloads).toHaveLength(2);
    expect(JSON.parse(payloads[1]?.payload ?? '{}').replaced).toContain('10 days old');
  });

  it('erpbridge train trains now and shows the validation figures', async () => {
    const before = models()[0]?.created_at ?? '';
    const trained = await cli('train', 'po-urgency');
    expect(trained.stderr).toBe('');
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(
      /^model embedded:po-urgency@f\d+ trained \d{4}-\d\d-\d\dT[\d:.]+Z on the ERP history\n/,
    );
    expect(trained.stdout).toMatch(
      /learned from \d+ records, validated on \d+ held back: accuracy 0\.\d{3}, macro-F1 0\.\d{3}, calibration error \(ECE\) 0\.\d{3}\n$/,
    );
    expect((models()[0]?.created_at ?? '') > before).toBe(true);

    const unknown = await cli('train', 'no-such-workflow');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/^erpbridge: .*no-such-workflow/);
  });
});
