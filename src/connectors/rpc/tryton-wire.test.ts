import { describe, expect, it } from 'vitest';
import { RpcBinary, RpcDate, RpcDateTime, RpcDecimal, RpcTime, RpcTimeDelta } from './rpc-values.ts';
import { fromTrytonWire, toTrytonWire } from './tryton-wire.ts';

describe("Tryton's tagged values", () => {
  it('decodes what trytond 6.0 sends over JSON-RPC, digits and microseconds kept', () => {
    const record = {
      total_amount: { __class__: 'Decimal', decimal: '0.30' },
      purchase_date: { __class__: 'date', year: 2026, month: 10, day: 1 },
      write_date: {
        __class__: 'datetime',
        year: 2026,
        month: 12,
        day: 4,
        hour: 19,
        minute: 57,
        second: 37,
        microsecond: 115695,
      },
      supplier_lead_time: { __class__: 'timedelta', seconds: 1209600 },
      opening: { __class__: 'time', hour: 7, minute: 30, second: 0, microsecond: 0 },
      file: { __class__: 'bytes', base64: 'AAEC\n' },
      'party.': { code: 'SUP1', id: 2 },
      reference: null,
    };
    expect(fromTrytonWire(record)).toEqual({
      total_amount: new RpcDecimal('0.30'),
      purchase_date: new RpcDate('2026-10-01'),
      write_date: new RpcDateTime('2026-12-04T19:57:37.115695'),
      supplier_lead_time: new RpcTimeDelta(1209600),
      opening: new RpcTime('07:30:00'),
      file: new RpcBinary(new Uint8Array([0, 1, 2])),
      'party.': { code: 'SUP1', id: 2 },
      reference: null,
    });
    expect(JSON.stringify(fromTrytonWire(record))).toContain('"total_amount":"0.30"');
  });

  it('encodes each value class the way each protocol carries it', () => {
    const values = [
      new RpcDecimal('0.10'),
      new RpcDate('2026-11-30'),
      new RpcDateTime('2026-12-04T19:57:37.5'),
    ];
    expect(toTrytonWire(values, 'json-rpc')).toEqual([
      { __class__: 'Decimal', decimal: '0.10' },
      { __class__: 'date', year: 2026, month: 11, day: 30 },
      {
        __class__: 'datetime',
        year: 2026,
        month: 12,
        day: 4,
        hour: 19,
        minute: 57,
        second: 37,
        microsecond: 500000,
      },
    ]);
    const xml = toTrytonWire(values, 'xml-rpc');
    expect(Array.isArray(xml) && xml[2]).toBeInstanceOf(RpcDateTime);
    expect(
      toTrytonWire({ lead: new RpcTimeDelta(86400), at: new RpcTime('07:30:00.25') }, 'json-rpc'),
    ).toEqual({
      lead: { __class__: 'timedelta', seconds: 86400 },
      at: { __class__: 'time', hour: 7, minute: 30, second: 0, microsecond: 250000 },
    });
  });

  it('round-trips a Decimal digit for digit, never through a float', () => {
    for (const digits of ['0.10', '0.1', '123456789012345678.123456789', '-0.00', '1E+2']) {
      const wire = toTrytonWire(new RpcDecimal(digits), 'json-rpc');
      expect(fromTrytonWire(JSON.parse(JSON.stringify(wire)))).toEqual(new RpcDecimal(digits));
    }
  });

  it('refuses a tagged value that does not hold what its tag says, naming the path', () => {
    expect(() => fromTrytonWire([{ amount: { __class__: 'Decimal', decimal: 0.3 } }])).toThrow(
      'result[0].amount: a tagged Decimal needs its digits as a string',
    );
    expect(() => fromTrytonWire({ due: { __class__: 'date', year: 2026, month: 2, day: 30 } })).toThrow(
      'result.due: "2026-02-30" is not a calendar date (YYYY-MM-DD)',
    );
    expect(() => fromTrytonWire({ amount: { __class__: 'Decimal', decimal: 'NaN' } })).toThrow(
      /"NaN" is not a decimal number/,
    );
    // A tag this code does not know stays the struct it is.
    expect(fromTrytonWire({ __class__: 'Money', amount: 1 })).toEqual({ __class__: 'Money', amount: 1 });
  });
});
