import { describe, expect, it } from 'vitest';
import { sandboxExpenseLineMapping, sandboxGlAccountMapping } from './expense-line-mapping.ts';

const data = {
  line_id: 'EL000003',
  trans_date: '2016-07-02',
  merchant: 'tesco pfs 4203',
  amount: '40.50',
  currency: 'GBP',
  vat_desc: 'VR',
  directorate: 'Local Services',
  cc_code: 'RLBMC',
  cc_desc: 'Technical Unit',
  gl_code: '',
  updated_at: '2026-01-01T00:00:00.000Z',
};

describe('sandboxExpenseLineMapping', () => {
  it('reads a served line; a blank code is an uncoded line', () => {
    expect(sandboxExpenseLineMapping.toCanonical({ key: 'EL000003', version: '"v1"', data })).toEqual({
      id: 'EL000003',
      date: '2016-07-02',
      merchant: 'tesco pfs 4203',
      amount: 40.5,
      currency: 'GBP',
      vatCode: 'VR',
      directorate: 'Local Services',
      costCentre: 'RLBMC',
      costCentreName: 'Technical Unit',
      glAccount: null,
      version: '"v1"',
    });
  });

  it('reads a card export row too: YYYYMMDD or ISO dates, decimal commas, no currency column', () => {
    const { currency: _, ...row } = data;
    const line = sandboxExpenseLineMapping.toCanonical({
      key: 'L7',
      version: null,
      data: { ...row, trans_date: '20160702', amount: '-1.234,50', gl_code: 'K020', vat_desc: '' },
    });
    expect(line).toMatchObject({
      id: 'L7',
      date: '2016-07-02',
      amount: -1234.5,
      currency: 'GBP',
      glAccount: 'K020',
      vatCode: null,
    });
  });

  it('names the record and field it cannot read', () => {
    expect(() =>
      sandboxExpenseLineMapping.toCanonical({
        key: 'EL1',
        version: null,
        data: { ...data, amount: '12 GBP' },
      }),
    ).toThrow(
      expect.objectContaining({
        message: 'cannot read amount: expected an amount such as 12.50, got "12 GBP"',
        context: expect.objectContaining({ entity: 'expense_lines', key: 'EL1', field: 'amount' }),
      }),
    );
    expect(() =>
      sandboxExpenseLineMapping.toCanonical({
        key: 'EL1',
        version: null,
        data: { ...data, trans_date: '2016-02-30' },
      }),
    ).toThrow('cannot read trans_date: "20160230" is not a calendar date');
  });

  it('writes only the GL account, as gl_code', () => {
    expect(sandboxExpenseLineMapping.toVendorFields({ glAccount: 'K020' })).toEqual({ gl_code: 'K020' });
    expect(() => sandboxExpenseLineMapping.toVendorFields({ merchant: 'x' })).toThrow(
      'field merchant is not writable in the sandbox profile',
    );
    expect(() => sandboxExpenseLineMapping.toVendorFields({ glAccount: null })).toThrow('cannot un-code');
  });

  it('reads the chart of accounts', () => {
    expect(
      sandboxGlAccountMapping.toCanonical({
        key: 'K020',
        version: null,
        data: { gl_code: 'K020', gl_desc: 'Vehicle Fuel' },
      }),
    ).toEqual({ id: 'K020', name: 'Vehicle Fuel', version: null });
    expect(() => sandboxGlAccountMapping.toVendorFields({ name: 'x' })).toThrow('read-only');
  });
});
