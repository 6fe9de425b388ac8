import { describe, expect, it } from 'vitest';
import { judge, type ShadowDecision } from './judgement.ts';

const decision: ShadowDecision = {
  runId: 'run-1',
  runAt: '2026-11-02T06:00:00.000Z',
  recordId: '45000001',
  aiValue: 'urgent',
  confidence: 0.93,
  before: 'normal',
  beforeVersion: 'v1',
};

describe('judge', () => {
  it('a value people changed to the AI’s agrees; to another value disagrees', () => {
    expect(judge(decision, { value: 'urgent', version: 'v2' })).toEqual({
      outcome: 'agreed',
      humanValue: 'urgent',
      how: 'changed',
    });
    expect(judge(decision, { value: 'high', version: 'v2' })).toEqual({
      outcome: 'disagreed',
      humanValue: 'high',
      how: 'changed',
    });
  });

  it('a record saved with the value it had is a decision: a confirmation of that value', () => {
    expect(judge({ ...decision, aiValue: 'normal' }, { value: 'normal', version: 'v2' })).toEqual({
      outcome: 'agreed',
      humanValue: 'normal',
      how: 'confirmed',
    });
    expect(judge(decision, { value: 'normal', version: 'v2' })).toMatchObject({
      outcome: 'disagreed',
      how: 'confirmed',
    });
  });

  it('an untouched record, or a field still unset, is not yet decided — never a disagreement', () => {
    expect(judge(decision, { value: 'normal', version: 'v1' })).toEqual({
      outcome: 'undecided',
      humanValue: null,
      how: null,
    });
    expect(judge(decision, { value: null, version: 'v9' }).outcome).toBe('undecided');
    expect(judge(decision, { value: '  ', version: 'v9' }).outcome).toBe('undecided');
    // Without versions only a changed value shows a decision.
    expect(judge({ ...decision, beforeVersion: null }, { value: 'normal', version: null }).outcome).toBe(
      'undecided',
    );
    expect(judge({ ...decision, beforeVersion: null }, { value: 'urgent', version: null }).outcome).toBe(
      'agreed',
    );
  });

  it('a record the ERP no longer has is gone', () => {
    expect(judge(decision, null).outcome).toBe('gone');
  });

  it('compares structured values by content', () => {
    const structured = { ...decision, aiValue: { account: '6100', costCentre: 'CC1' }, before: null };
    expect(judge(structured, { value: { account: '6100', costCentre: 'CC1' }, version: 'v2' }).outcome).toBe(
      'agreed',
    );
  });
});
