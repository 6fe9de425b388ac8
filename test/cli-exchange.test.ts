import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './support/harness.ts';

const EDI = resolve(import.meta.dirname, '../../shared/fixtures/edi');
const haveFixtures = existsSync(EDI);
if (!haveFixtures) console.log(`skipping the fixture half of cli-formats: ${EDI} is absent`);

describe('erpbridge formats parse', () => {
  it.skipIf(!haveFixtures)('prints a real X12 850 as JSON, the format detected', async () => {
    const result = await runCli(['formats', 'parse', join(EDI, 'x12_850_ediengine.edi')]);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(JSON.stringify(json)).toContain('PO1');
  });

  it('exits 1 with file:line and the reason on a broken file, and 2 on a wrong --as', async () => {
    const file = join(tempDir('cli-formats'), 'broken.x12');
    writeFileSync(
      file,
      'ISA*00*          *00*          *ZZ*A*ZZ*B*200101*1253*U*00401*000000001*0*P*>~GS*PO*A*B*20200101*1253*1*X*004010~ST*850*0001~BEG*00*SA*1**20200101~SE*9*0001~',
    );
    const broken = await runCli(['formats', 'parse', file, '--as', 'x12']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/broken\.x12:\d+/);
    expect(broken.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    const wrong = await runCli(['formats', 'parse', file, '--as', 'pdf']);
    expect(wrong.code).toBe(2);
  });
});

describe('erpbridge sandbox --tables', () => {
  it('writes the sandbox data as SAP tables into a SQLite file and names the profile to read them', async () => {
    const dir = tempDir('cli-tables');
    const result = await runCli([
      'sandbox',
      '--data',
      dir,
      '--orders',
      '40',
      '--history',
      '80',
      '--tables',
      'sap-ecc',
      '--into',
      `sqlite:${join(dir, 'sap.sqlite')}`,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^EKKO: 120 rows$/m);
    expect(result.stdout).toContain('profile sap-ecc-tables');
    const lonely = await runCli(['sandbox', '--data', dir, '--tables', 'sap-ecc']);
    expect(lonely.code).toBe(2);
  });
});
