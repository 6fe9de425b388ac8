import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import { runCli, sandboxEnv, tempDir, testSandbox, writeTestConfig } from './support/harness.ts';

describe('erpbridge eval and audit verify, as a person runs them', () => {
  let dir: string;
  let sandbox: Sandbox;
  let config: string;

  beforeAll(async () => {
    dir = tempDir('eval-audit');
    // The default history size: what `erpbridge sandbox` and the demo serve.
    sandbox = await testSandbox(dir, { orders: 2000, history: 20000 });
    config = writeTestConfig(dir);
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('eval prints accuracy, macro-F1 ≥ 0.85 and a confusion matrix on held-back history', async () => {
    const result = await runCli(['--config', config, 'eval', 'po-urgency'], { env: sandboxEnv(sandbox) });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/tested on the \d+ newest/);
    expect(result.stdout).toMatch(/truth \\ predicted\s+urgent\s+high\s+normal\s+low/);
    const macroF1 = Number(/macro-F1\s+([\d.]+)/.exec(result.stdout)?.[1]);
    const accuracy = Number(/accuracy\s+([\d.]+)/.exec(result.stdout)?.[1]);
    expect(macroF1).toBeGreaterThanOrEqual(0.85);
    expect(accuracy).toBeGreaterThanOrEqual(0.85);
  });

  it('audit verify passes on an intact log and names the first entry edited, deleted or reordered', async () => {
    const env = sandboxEnv(sandbox);
    const run = await runCli(
      ['--config', config, 'run', 'po-urgency', '--apply', '--as-of', sandbox.today, '-q'],
      {
        env,
      },
    );
    expect(run.code).toBe(0);
    const intact = await runCli(['--config', config, 'audit', 'verify'], { env });
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/audit log intact: \d+ entries/);

    const storeFile = join(dir, 'erpbridge.sqlite');
    const tamper = (sql: string) => {
      const db = new Database(storeFile);
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
    };
    const verify = () => runCli(['--config', config, 'audit', 'verify'], { env });

    tamper("UPDATE audit_entries SET actor = 'mallory' WHERE seq = 5");
    const edited = await verify();
    expect(edited.code).toBe(4);
    expect(edited.stderr).toMatch(/audit log broken at entry 5: edited/);
    expect(edited.stderr.trim().split('\n')).toHaveLength(1);
    tamper("UPDATE audit_entries SET actor = 'erpbridge' WHERE seq = 5");
    expect((await verify()).code).toBe(0);

    // Swap the contents of entries 3 and 4, keeping their sequence numbers.
    tamper(`
      CREATE TEMP TABLE swap AS SELECT * FROM audit_entries WHERE seq IN (3, 4);
      UPDATE audit_entries SET (at, type, run_id, actor, payload, prev_hash, hash) =
        (SELECT at, type, run_id, actor, payload, prev_hash, hash FROM swap WHERE swap.seq = 7 - audit_entries.seq)
      WHERE seq IN (3, 4);`);
    const reordered = await verify();
    expect(reordered.code).toBe(4);
    expect(reordered.stderr).toMatch(/audit log broken at entry 3: (reordered|edited)/);
    tamper(`
      CREATE TEMP TABLE swap AS SELECT * FROM audit_entries WHERE seq IN (3, 4);
      UPDATE audit_entries SET (at, type, run_id, actor, payload, prev_hash, hash) =
        (SELECT at, type, run_id, actor, payload, prev_hash, hash FROM swap WHERE swap.seq = 7 - audit_entries.seq)
      WHERE seq IN (3, 4);`);
    expect((await verify()).code).toBe(0);

    tamper('DELETE FROM audit_entries WHERE seq = 7');
    const deleted = await verify();
    expect(deleted.code).toBe(4);
    expect(deleted.stderr).toMatch(/audit log broken at entry 7: missing/);
  });
});
