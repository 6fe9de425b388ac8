import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ErpError } from '../../errors/index.ts';
import {
  bindToMasterData,
  checkMasterData,
  distinctValues,
  formatAllowed,
  MAX_LISTED_VALUES,
  matchLabel,
} from './master-data.ts';

const schema = z.object({ supplierId: z.string().nullable(), costCentre: z.string(), total: z.number() });
const bindings = { supplierId: ['S-100', 'S-200'], costCentre: ['CC-1'] };

describe('bindToMasterData', () => {
  it('turns bound fields into enums, nullable where the field was', () => {
    const bound = bindToMasterData(schema, bindings, 'invoice-fields');
    expect(bound.safeParse({ supplierId: 'S-100', costCentre: 'CC-1', total: 1 }).success).toBe(true);
    expect(bound.safeParse({ supplierId: null, costCentre: 'CC-1', total: 1 }).success).toBe(true);
    expect(bound.safeParse({ supplierId: 'S-999', costCentre: 'CC-1', total: 1 }).success).toBe(false);
    expect(z.toJSONSchema(bound)).toMatchObject({ properties: { costCentre: { enum: ['CC-1'] } } });
  });

  it('refuses a binding to an unknown field or with no values, before any request', () => {
    expect(() => bindToMasterData(schema, { vendor: ['x'] }, 'invoice-fields')).toThrow(ErpError);
    expect(() => bindToMasterData(schema, { costCentre: [] }, 'invoice-fields')).toThrow(
      'task "invoice-fields": the master data for "costCentre" has no values',
    );
  });
});

describe('checkMasterData', () => {
  it('names each value outside its master data with what is allowed', () => {
    expect(checkMasterData({ supplierId: 'S-999', costCentre: 'CC-1' }, bindings, schema)).toEqual([
      {
        field: 'supplierId',
        value: 'S-999',
        message: 'supplierId "S-999" is not one of the allowed values: "S-100", "S-200"',
      },
    ]);
    expect(checkMasterData({ supplierId: null, costCentre: 'CC-1' }, bindings, schema)).toEqual([]);
    expect(checkMasterData({ supplierId: 'S-100', costCentre: null }, bindings, schema)).toHaveLength(1);
  });
});

describe('matchLabel', () => {
  it('reads a label differing only in case, spaces or quotes, and nothing else', () => {
    const labels = ['urgent', 'normal'] as const;
    expect(matchLabel('urgent', labels)).toBe('urgent');
    expect(matchLabel(' "Urgent" ', labels)).toBe('urgent');
    expect(matchLabel('critical', labels)).toBeUndefined();
    expect(matchLabel('urgent!', labels)).toBeUndefined();
  });
});

describe('formatAllowed and distinctValues', () => {
  it('lists a long value list in part, with how many more', () => {
    const accounts = Array.from({ length: MAX_LISTED_VALUES + 5 }, (_, i) => String(6000 + i));
    expect(formatAllowed(accounts)).toMatch(/"6059" and 5 more$/);
  });

  it('reads the distinct, sorted values of a field from master-data records', () => {
    const suppliers = [{ id: 'S-2' }, { id: 'S-1' }, { id: 'S-2' }, { id: '' }];
    expect(distinctValues(suppliers, 'id')).toEqual(['S-1', 'S-2']);
  });
});
