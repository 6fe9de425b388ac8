import { describe, expect, it } from 'vitest';
import type { Judgement, ShadowDecision } from './judgement.ts';
import { isoWeek, type JudgedDecision, tallyAgreement, wilsonInterval } from './tally.ts';

function judged(
  recordId: string,
  runAt: string,
  aiValue: string,
  outcome: Judgement['outcome'],
  humanValue: string | null = null,
  how: Judgement['how'] = outcome === 'agreed' || outcome === 'disagreed' ? 'changed' : null,
): JudgedDecision {
  const decision: ShadowDecision = {
    runId: `run-${runAt.slice(0, 10)}`,
    runAt,
    recordId,
    aiValue,
    confidence: 0.9,
    before: 'normal',
    beforeVersion: 'v1',
  };
  return { decision, judgement: { outcome, humanValue, how } };
}

describe('tallyAgreement', () => {
  const decisions = [
    judged('1', '2026-11-02T06:00:00Z', 'urgent', 'agreed', 'urgent'),
    judged('2', '2026-11-02T06:00:00Z', 'urgent', 'disagreed', 'high'),
    judged('3', '2026-11-02T06:00:00Z', 'normal', 'agreed', 'normal', 'confirmed'),
    judged('4', '2026-11-03T06:00:00Z', 'normal', 'undecided'),
    judged('5', '2026-11-09T06:00:00Z', 'low', 'disagreed', 'normal', 'confirmed'),
    judged('6', '2026-11-09T06:00:00Z', 'normal', 'gone'),
  ];

  it('counts agreement and coverage in total and per AI value', () => {
    const tally = tallyAgreement(decisions);
    expect(tally.totals).toMatchObject({
      decisions: 6,
      decided: 4,
      agreed: 2,
      agreement: 0.5,
      coverage: 4 / 6,
      changed: 2,
      confirmed: 2,
      gone: 1,
    });
    expect(tally.byLabel).toEqual([
      { label: 'normal', decisions: 3, decided: 1, agreed: 1, agreement: 1, coverage: 1 / 3 },
      { label: 'urgent', decisions: 2, decided: 2, agreed: 1, agreement: 0.5, coverage: 1 },
      { label: 'low', decisions: 1, decided: 1, agreed: 0, agreement: 0, coverage: 1 },
    ]);
  });

  it('counts decided records by the AI’s value against the person’s', () => {
    const { confusion } = tallyAgreement(decisions);
    expect(confusion.labels).toEqual(['high', 'low', 'normal', 'urgent']);
    const cell = (ai: string, human: string) =>
      confusion.counts[confusion.labels.indexOf(ai)]?.[confusion.labels.indexOf(human)];
    expect(cell('urgent', 'urgent')).toBe(1);
    expect(cell('urgent', 'high')).toBe(1);
    expect(cell('low', 'normal')).toBe(1);
    expect(confusion.counts.flat().reduce((sum, count) => sum + count, 0)).toBe(4);
  });

  it('orders labels as the task lists them when told', () => {
    const tally = tallyAgreement(decisions, ['urgent', 'high', 'normal', 'low']);
    expect(tally.byLabel.map((row) => row.label)).toEqual(['urgent', 'normal', 'low']);
    expect(tally.confusion.labels).toEqual(['urgent', 'high', 'normal', 'low']);
  });

  it('splits by day and ISO week of the deciding run, adding up to the totals', () => {
    const tally = tallyAgreement(decisions);
    expect(tally.byDay.map((day) => [day.period, day.decisions, day.decided, day.agreed])).toEqual([
      ['2026-11-02', 3, 3, 2],
      ['2026-11-03', 1, 0, 0],
      ['2026-11-09', 2, 1, 0],
    ]);
    expect(tally.byDay[1]?.agreement).toBeNull();
    expect(tally.byWeek.map((week) => [week.period, week.decisions, week.decided])).toEqual([
      ['2026-W45', 4, 3],
      ['2026-W46', 2, 1],
    ]);
  });

  it('measures nothing before anyone acted', () => {
    const tally = tallyAgreement([judged('1', '2026-11-02T06:00:00Z', 'urgent', 'undecided')]);
    expect(tally.totals).toMatchObject({ decided: 0, agreement: null, coverage: 0, agreementInterval: null });
    expect(tallyAgreement([]).totals.coverage).toBeNull();
  });
});

describe('isoWeek', () => {
  it('follows ISO 8601 across year ends', () => {
    expect(isoWeek('2026-11-02')).toBe('2026-W45');
    expect(isoWeek('2026-11-08')).toBe('2026-W45');
    expect(isoWeek('2021-01-03')).toBe('2020-W53');
    expect(isoWeek('2024-12-30')).toBe('2025-W01');
    expect(isoWeek('2026-01-01')).toBe('2026-W01');
    expect(() => isoWeek('yesterday')).toThrow(/not a date/);
  });
});

describe('wilsonInterval', () => {
  it('brackets the measured share, tighter with more decisions', () => {
    const small = wilsonInterval(49, 50);
    const large = wilsonInterval(980, 1000);
    expect(small?.low).toBeLessThan(0.98);
    expect(small?.high).toBeGreaterThan(0.98);
    expect((large?.high ?? 0) - (large?.low ?? 0)).toBeLessThan((small?.high ?? 0) - (small?.low ?? 0));
    // Known value: 980 of 1000 → [0.9692, 0.9870] (Wilson, z = 1.96).
    expect(large?.low).toBeCloseTo(0.9692, 3);
    expect(large?.high).toBeCloseTo(0.987, 3);
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});
