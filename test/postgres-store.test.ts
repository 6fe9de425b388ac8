import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import { probeServer, skipWithout } from '../src/connectors/sql/test-databases.ts';
import type { Store } from '../src/store/contract.ts';
import { TestSchema } from '../src/store/postgres/test-schema.ts';
import {
  runCli,
  sandboxEnv,
  sandboxRequests,
  tempDir,
  testSandbox,
  writeTestConfig,
} from './support/harness.ts';

/**
 * The CLI end to end on a PostgreSQL store: `store: { kind: postgres, url: ${…}, schema }` in
 * erpbridge.yaml, `erpbridge run po-urgency --apply` against the sandbox, then `audit verify` and a
 * second run in new processes that find everything the first left in PostgreSQL.
 */
const probe = await probeServer('postgres');

describe.skipIf(skipWithout(probe))('erpbridge on a PostgreSQL store', () => {
  const schema = new TestSchema(probe.url, 'cli');
  let dir: string;
  let sandbox: Sandbox;
  let config: string;
  let env: NodeJS.ProcessEnv;
  let store: Store;

  beforeAll(async () => {
    dir = tempDir('postgres-store');
    sandbox = await testSandbox(dir, { orders: 1000, history: 4000 });
    config = writeTestConfig(dir, [
      [
        `store:\n  kind: sqlite\n  path: ${join(dir, 'erpbridge.sqlite')}`,
        `store:\n  kind: postgres\n  url: \${ERPBRIDGE_STORE_URL}\n  schema: ${schema.schema}`,
      ],
    ]);
    env = { ...sandboxEnv(sandbox), ERPBRIDGE_STORE_URL: probe.url };
    store = schema.store();
  });

  afterAll(async () => {
    await schema.drop();
    await sandbox?.close();
  });

  it('runs po-urgency with --apply, keeping runs, items, changes, ledger and audit in PostgreSQL', async () => {
    const run = await runCli(
      ['--config', config, 'run', 'po-urgency', '--apply', '--as-of', sandbox.today, '-q'],
      {
        env,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(dir, 'erpbridge.sqlite'))).toBe(false);

    const [first, ...others] = await store.listRuns();
    expect(others).toEqual([]);
    const runId = first?.id ?? '';
    // Changes under the policy's confidence wait for a person; the run completes when none do.
    const pending = (await store.countChanges(runId)).pending ?? 0;
    expect(first).toMatchObject({ workflow: 'po-urgency', state: pending > 0 ? 'planned' : 'completed' });
    const items = await store.countItems(runId);
    expect(Object.values(items).reduce((sum, count) => sum + (count ?? 0), 0)).toBe(1000);

    const applied = await store.listChanges(runId, { states: ['applied'] });
    const writes = await sandboxRequests(sandbox, 'PATCH');
    expect(applied.length).toBeGreaterThan(10);
    expect(writes.filter((request) => request.applied)).toHaveLength(applied.length);
    const ledger = await store.getLedgerEntries(applied.map((change) => change.idempotencyKey));
    expect([...ledger.values()].filter((entry) => entry.state === 'done')).toHaveLength(applied.length);
    expect((await store.readAudit({ runId, typePrefix: 'write.' })).length).toBeGreaterThan(0);
  });

  it('audit verify, in another process, reads an intact chain from PostgreSQL', async () => {
    const verify = await runCli(['--config', config, 'audit', 'verify'], { env });
    expect(verify.code, verify.stderr).toBe(0);
    const entries = (await store.readAudit()).length;
    expect(verify.stdout).toContain(`audit log intact: ${entries} entries`);
  });

  it('a second run finds the orders already written and writes nothing twice', async () => {
    const writesBefore = (await sandboxRequests(sandbox, 'PATCH')).length;
    const again = await runCli(
      ['--config', config, 'run', 'po-urgency', '--apply', '--as-of', sandbox.today, '-q'],
      { env },
    );
    expect(again.code, again.stderr).toBe(0);
    expect(await store.listRuns()).toHaveLength(2);
    expect((await sandboxRequests(sandbox, 'PATCH')).length).toBe(writesBefore);
  });
});
