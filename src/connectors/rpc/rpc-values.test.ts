import { describe, expect, it } from 'vitest';
import {
  asRpcValue,
  isRpcStruct,
  RpcDate,
  RpcDateTime,
  RpcDecimal,
  RpcTimeDelta,
  setMember,
} from './rpc-values.ts';

describe('RPC values', () => {
  it('keeps a decimal’s digits and refuses what is not one', () => {
    expect(new RpcDecimal('0.10').text).toBe('0.10');
    expect(new RpcDecimal('0.10').toNumber()).toBe(0.1);
    expect(JSON.stringify({ total: new RpcDecimal('0.30') })).toBe('{"total":"0.30"}');
    for (const bad of ['', 'NaN', 'Infinity', '1,5', '0x10', '1.2.3']) {
      expect(() => new RpcDecimal(bad), bad).toThrow(RangeError);
    }
  });

  it('knows calendar dates and times of day', () => {
    expect(RpcDate.of(2024, 2, 29).iso).toBe('2024-02-29');
    expect(() => RpcDate.of(2026, 2, 29)).toThrow('"2026-02-29" is not a calendar date (YYYY-MM-DD)');
    const at = RpcDateTime.of({
      year: 2026,
      month: 12,
      day: 4,
      hour: 19,
      minute: 57,
      second: 37,
      microsecond: 5,
    });
    expect(at.iso).toBe('2026-12-04T19:57:37.000005');
    expect(at.parts().microsecond).toBe(5);
    expect(new RpcDateTime('2026-12-04T19:57:37').parts().microsecond).toBe(0);
    expect(() => new RpcDateTime('2026-12-04T24:00:00')).toThrow('is not a time of day');
    expect(new RpcTimeDelta(1209600).days).toBe(14);
  });

  it('checks what a profile hands over before anything is sent', () => {
    expect(asRpcValue({ reference: 'urgent', price: new RpcDecimal('1.5'), lines: [1, null] })).toEqual({
      reference: 'urgent',
      price: new RpcDecimal('1.5'),
      lines: [1, null],
    });
    expect(() => asRpcValue({ due: new Date(0) }, 'fields')).toThrow(
      'fields.due: a Date cannot be sent; use a string, number, boolean, null or an Rpc value',
    );
    expect(() => asRpcValue({ count: Number.NaN })).toThrow('value.count: NaN cannot be sent');
    expect(() => asRpcValue({ gone: undefined })).toThrow('value.gone: undefined cannot be sent');
  });

  it('stores a member named __proto__ as data', () => {
    const struct = {};
    setMember(struct, '__proto__', { polluted: true });
    expect(isRpcStruct(struct)).toBe(true);
    expect(Reflect.get({}, 'polluted')).toBeUndefined();
    expect(Object.keys(struct)).toEqual(['__proto__']);
  });
});
