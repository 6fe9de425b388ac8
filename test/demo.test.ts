import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './support/harness.ts';

/** What `npm start` runs: the README's first command must keep working with no network and no key. */
describe('erpbridge demo', () => {
  it('plans, applies, verifies the audit log and says where the data lives', async () => {
    const dir = tempDir('demo');
    const data = join(dir, 'demo');
    const result = await runCli(['demo', '--data', data, '--orders', '1000'], {
      env: { ...process.env, OPENAI_API_KEY: '', ERPBRIDGE_DEBUG: '' },
    });
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(0);
    const applied = Number(/│\s+applied\s+│\s+(\d+)/.exec(result.stdout)?.[1]);
    const writes = Number(/The sandbox counted (\d+) writes that changed a record/.exec(result.stdout)?.[1]);
    expect(applied).toBeGreaterThan(0);
    expect(writes).toBe(applied);
    expect(result.stdout).toMatch(/intact — \d+ hash-chained entries/);
    expect(existsSync(join(data, 'erpbridge.sqlite'))).toBe(true);
    expect(existsSync(join(data, 'sandbox.sqlite'))).toBe(true);
  }, 120_000);
});
