import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeTestConfig } from './support/harness.ts';

const HEADER = 'trans_date,merchant,amount,vat_desc,directorate,cc_code,cc_desc,gl_code,gl_desc';

/** A year and a half of lines, a few a day: fuel stations, a supermarket whose code depends on the cost centre, books. */
function syntheticLines(): string[] {
  const lines: string[] = [];
  for (let day = 0; day < 540; day++) {
    const date = new Date(Date.UTC(2015, 0, 1 + day)).toISOString().slice(0, 10);
    lines.push(
      `${date},SHELL ${100 + (day % 40)},${30 + (day % 20)}.50,VR,Local Services,RLBMC,Technical Unit,K020,Vehicle Fuel`,
    );
    const school = day % 2 === 0;
    lines.push(
      `${date},TESCO STORES ${2000 + (day % 9)},${5 + (day % 30)}.00,VZ,CYP&F SCHOOLS,${school ? 'REAYQ' : 'RV014'},${school ? 'Uffculme' : 'Camborne House'},${school ? 'L100' : 'L220'},${school ? 'Equip Operational' : 'Purchases Food'}`,
    );
    if (day % 3 === 0)
      lines.push(`${date},AMAZON UK RETAIL,${10 + (day % 15)}.99,VZ,CYP&F SCHOOLS,REAYQ,Uffculme,L030,Books`);
  }
  return lines;
}

describe('erpbridge eval on labelled files', () => {
  let dir: string;
  let config: string;
  let data: string;

  beforeAll(() => {
    dir = tempDir('gl-eval');
    config = writeTestConfig(dir);
    data = join(dir, 'lines.csv');
    writeFileSync(data, `${[HEADER, ...syntheticLines()].join('\n')}\n`);
  });

  it('compares the baseline and the embedded model on a time split and writes the reports', async () => {
    const reportDir = join(dir, 'report');
    const result = await runCli([
      '--config',
      config,
      'eval',
      'gl-coding',
      '--data',
      data,
      '--split-date',
      '2016-04-01',
      '--report',
      reportDir,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('gl-coding: learned from');
    expect(result.stdout).toContain('| baseline (merchant lookup + naive Bayes) |');
    expect(result.stdout).toContain('| embedded (embedded model, offline) |');
    const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8'));
    expect(report.source).toEqual({
      history: `${data} before 2016-04-01`,
      test: `${data} on or after 2016-04-01`,
      splitDate: '2016-04-01',
    });
    expect(report.history.to < '2016-04-01' && report.test.from >= '2016-04-01').toBe(true);
    const [baseline, embedded] = report.candidates;
    expect(embedded.accuracy).toBeGreaterThan(0.95);
    expect(embedded.accuracy).toBeGreaterThan(baseline.accuracy);
    expect(embedded.threshold.value).toBeGreaterThan(0);
    expect(embedded.atThreshold.precision).toBeGreaterThanOrEqual(0.95);
    expect(existsSync(join(reportDir, 'report.md'))).toBe(true);
    expect(readFileSync(join(reportDir, 'report.html'), 'utf8')).toContain('<svg');
  }, 300_000);

  it('learns from --train and tests on --data, with the label in a column of another name', async () => {
    const train = join(dir, 'train.jsonl');
    const rows = syntheticLines()
      .slice(0, 900)
      .map((line) => {
        const [trans_date, merchant, amount, vat_desc, directorate, cc_code, cc_desc, account] =
          line.split(',');
        return JSON.stringify({
          trans_date,
          merchant,
          amount,
          vat_desc,
          directorate,
          cc_code,
          cc_desc,
          account,
        });
      });
    writeFileSync(train, `${rows.join('\n')}\n`);
    const test = join(dir, 'test.csv');
    writeFileSync(
      test,
      `${HEADER.replace('gl_code', 'account')}\n${syntheticLines().slice(900).join('\n')}\n`,
    );
    const result = await runCli([
      '--config',
      config,
      'eval',
      'gl-coding',
      '--train',
      train,
      '--data',
      test,
      '--label',
      'account',
      '--provider',
      'embedded',
      '--json',
    ]);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report.candidates.map((candidate: { name: string }) => candidate.name)).toEqual(['embedded']);
    expect(report.history.examples).toBe(900);
    expect(report.candidates[0].accuracy).toBeGreaterThan(0.9);
  }, 300_000);

  it('says which file, line and column is wrong, and which label column is missing', async () => {
    const run = (args: string[]) => runCli(['--config', config, 'eval', 'gl-coding', ...args]);
    const missing = await run(['--data', join(dir, 'nowhere.csv'), '--split-date', '2016-01-01']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`erpbridge: ${join(dir, 'nowhere.csv')}: no such file\n`);

    const noMerchant = join(dir, 'no-merchant.csv');
    writeFileSync(
      noMerchant,
      'trans_date,amount,vat_desc,directorate,cc_code,cc_desc,gl_code\n2016-01-01,1.00,VR,x,y,z,K020\n',
    );
    expect((await run(['--data', noMerchant, '--split-date', '2016-01-01'])).stderr).toContain(
      `${noMerchant} line 1: missing column merchant that gl-coding reads`,
    );

    const badAmount = join(dir, 'bad-amount.csv');
    writeFileSync(
      badAmount,
      `${HEADER}\n${syntheticLines()[0]}\n2015-01-02,SHELL 1,12 GBP,VR,x,y,z,K020,Fuel\n`,
    );
    expect((await run(['--data', badAmount, '--split-date', '2015-01-02'])).stderr).toContain(
      `${badAmount} line 3, column amount: cannot read amount: expected an amount such as 12.50, got "12 GBP"`,
    );

    const unknownLabel = await run(['--data', data, '--split-date', '2016-04-01', '--label', 'account_code']);
    expect(unknownLabel.stderr).toContain(
      `${data}: no label column "account_code" (columns: trans_date, merchant,`,
    );

    const badProvider = await run(['--data', data, '--split-date', '2016-04-01', '--provider', 'oracle']);
    expect(badProvider.code).toBe(2);
    expect(badProvider.stderr).toContain('--provider oracle is not one of baseline, embedded, llm');

    const noLlm = await run(['--data', data, '--split-date', '2016-04-01', '--provider', 'llm']);
    expect(noLlm.stderr).toContain('--provider llm needs ai.llm (baseUrl, model) in the config');
  }, 300_000);
});
