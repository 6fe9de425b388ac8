import { describe, expect, test } from 'vitest';
import { parsePurchaseOrderPatch } from './purchase-order-patch.ts';

describe('parsePurchaseOrderPatch', () => {
  test('accepts priority and notes; notes are blank-padded to 60', () => {
    expect(parsePurchaseOrderPatch({ priority: '1' })).toEqual({ kind: 'valid', changes: { priority: '1' } });
    expect(parsePurchaseOrderPatch({ priority: '4', notes: 'call first' })).toEqual({
      kind: 'valid',
      changes: { priority: '4', notes: 'call first'.padEnd(60) },
    });
  });

  test.each([
    [{ status: 'CLOSED' }, 'status', 'field "status" is not writable; writable fields: priority, notes'],
    [{ priority: '1', need_by: '20250101' }, 'need_by', 'field "need_by" is not writable'],
    [{ priority: '5' }, 'priority', 'priority must be one of the strings "1" (urgent)'],
    [{ priority: 1 }, 'priority', 'got 1'],
    [{ notes: 'x'.repeat(61) }, 'notes', 'notes must be a string of at most 60 characters'],
    [{ notes: null }, 'notes', 'notes must be a string'],
    [{}, null, 'nothing to change'],
    [[], null, 'the body must be a JSON object'],
    [undefined, null, 'the body must be a JSON object'],
  ])('%j is refused on field %s', (body, field, message) => {
    const parsed = parsePurchaseOrderPatch(body);
    expect(parsed).toMatchObject({ kind: 'invalid', field });
    expect(parsed.kind === 'invalid' ? parsed.message : '').toContain(message);
  });
});
