import { describe, expect, it } from 'vitest';
import { trainClassifier } from '../embedded/classifier.ts';
import {
  amountBand,
  type GlCodingInput,
  glCodingFeatures,
  glCodingTask,
  normaliseMerchant,
} from './gl-coding.ts';
import { trainGlCodingBaseline } from './gl-coding-baseline.ts';

const line = (merchant: string, overrides: Partial<GlCodingInput> = {}): GlCodingInput => ({
  merchant,
  amount: 40,
  currency: 'GBP',
  vatCode: 'VR',
  directorate: 'Local Services',
  costCentre: 'RLBMC',
  costCentreName: 'Technical Unit',
  ...overrides,
});

describe('normaliseMerchant', () => {
  it.each([
    ['TESCO PFS 4203', ['tesco', 'pfs'], 'tesco pfs'],
    ['tesco pfs 6119', ['tesco', 'pfs'], 'tesco pfs'],
    ['amazon *mktplce eu-uk', ['amazon', 'mktplce'], 'amazon mktplce'],
    ['www.viking-direct.co.u', ['viking', 'direct'], 'viking direct'],
    ['sainsburys s/mkts', ['sainsburys', 'mkts'], 'sainsburys mkts'],
    ['b  q', [], ''],
    ['B&Q LTD 1234', ['bq'], 'bq'],
  ])('%s → %j', (raw, words, name) => {
    expect(normaliseMerchant(raw)).toEqual({ words, name });
  });
});

describe('glCodingFeatures', () => {
  it('names merchant, cost centre, VAT, amount and their combinations as indicators', () => {
    const { numeric, text } = glCodingFeatures(line('TESCO PFS 4203', { amount: 40.5 }));
    expect(text).toBe('');
    expect(numeric).toMatchObject({
      'merchant=tesco pfs': 1,
      'merchant word=pfs': 1,
      'merchant words=tesco pfs': 1,
      'merchant letters= tes': 1,
      'directorate=local services': 1,
      'cost centre=RLBMC': 1,
      'cost centre word=technical': 1,
      'vat code=VR': 1,
      'amount band=5': 1,
      'merchant at cost centre=tesco pfs @ RLBMC': 1,
      'merchant with vat code=tesco pfs @ VR': 1,
    });
    expect(numeric.logAmount).toBeCloseTo(Math.log1p(40.5), 12);
    expect(numeric['whole amount=yes']).toBeUndefined();
  });

  it('marks refunds and blank codes instead of failing on them', () => {
    const { numeric } = glCodingFeatures(
      line('', { amount: -10, vatCode: null, costCentre: null, directorate: null }),
    );
    expect(numeric).toMatchObject({
      'merchant=unknown': 1,
      'vat code=NONE': 1,
      'cost centre=NONE': 1,
      'refund=yes': 1,
    });
    expect(numeric.logAmount).toBeCloseTo(-Math.log1p(10), 12);
    expect(amountBand(0.5)).toBe(0);
    expect(amountBand(-1000)).toBe(9);
  });
});

describe('glCodingTask', () => {
  it('answers the accounts it is given, with their names, and needs at least two', () => {
    const task = glCodingTask([{ code: 'K020', name: 'Vehicle Fuel' }, { code: 'L030' }]);
    expect(task.labels).toEqual(['K020', 'L030']);
    expect(task.labelDescriptions).toEqual({ K020: 'Vehicle Fuel' });
    expect(() => glCodingTask([{ code: 'K020' }])).toThrow(
      'GL coding needs at least two accounts to choose from, got 1',
    );
  });

  it('reads the accounts afresh when given a function, as a workflow that learns its chart at run start', () => {
    let chart = [{ code: 'A' }, { code: 'B' }];
    const task = glCodingTask(() => chart);
    expect(task.labels).toEqual(['A', 'B']);
    chart = [{ code: 'A' }, { code: 'B' }, { code: 'C' }];
    expect(task.labels).toEqual(['A', 'B', 'C']);
  });

  it('learns the habits of a cost centre and explains them with counts of past lines', () => {
    const history = [];
    for (let i = 0; i < 60; i++) {
      history.push({ input: line(`SHELL ${100 + i}`, { amount: 30 + i }), label: 'K020' });
      history.push({
        input: line('AMAZON UK RETAIL', { costCentre: 'REAYQ', costCentreName: 'Uffculme' }),
        label: 'L030',
      });
      history.push({ input: line('AMAZON UK RETAIL', { costCentre: 'RLBMC' }), label: 'L100' });
    }
    const task = glCodingTask([
      { code: 'K020', name: 'Vehicle Fuel' },
      { code: 'L030', name: 'Books' },
      { code: 'L100', name: 'Equip Operational' },
    ]);
    const classifier = trainClassifier(task, history);
    const [fuel, books, equipment] = classifier.predictAll(
      [line('SHELL 999'), line('AMAZON UK RETAIL', { costCentre: 'REAYQ' }), line('AMAZON UK RETAIL')].map(
        task.features,
      ),
    );
    expect([fuel?.label, books?.label, equipment?.label]).toEqual(['K020', 'L030', 'L100']);
    expect(books?.confidence).toBeGreaterThan(0.8);
    expect(books?.explanation).toMatch(/^L030 Books \([01]\.\d\d\): /);
    expect(books?.explanation).toContain(
      "merchant at cost centre 'amazon retail @ REAYQ' was coded L030 Books in",
    );
    expect(classifier.metrics).toMatchObject({ model: 'sparse-softmax', validation: 'latest' });
  });
});

describe('trainGlCodingBaseline', () => {
  it('answers the commonest code of a known descriptor with its share, and naive Bayes for a new one', () => {
    const baseline = trainGlCodingBaseline([
      { input: line('tesco pfs 4203'), label: 'K020' },
      { input: line('tesco pfs 4203'), label: 'K020' },
      { input: line('tesco pfs 4203'), label: 'L220' },
      { input: line('tesco stores 2503'), label: 'L220' },
      { input: line('tesco stores 2503'), label: 'L220' },
    ]);
    const [known, unknown] = baseline.classify([line('tesco pfs 4203'), line('tesco stores 9999')]);
    expect(known).toMatchObject({ label: 'K020', model: 'baseline:merchant-lookup+naive-bayes' });
    expect(known?.confidence).toBeCloseTo(2 / 3, 12);
    expect(unknown?.label).toBe('L220');
    expect(unknown?.explanation).toContain("naive Bayes on the words of 'tesco stores 9999'");
    expect(() => trainGlCodingBaseline([])).toThrow('the baseline needs at least one coded line');
  });
});
