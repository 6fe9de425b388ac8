import { Buffer } from 'node:buffer';
import {
  isRpcStruct,
  mapMembers,
  RpcBinary,
  RpcDate,
  RpcDateTime,
  RpcDecimal,
  type RpcStruct,
  RpcTime,
  RpcTimeDelta,
  type RpcValue,
} from './rpc-values.ts';

/**
 * Tryton's values on the wire (trytond/protocols/jsonrpc.py and xmlrpc.py): what JSON and XML-RPC
 * cannot say travels as a struct tagged with `__class__`:
 *
 * | value      | JSON-RPC                                                   | XML-RPC                        |
 * | ---------- | ---------------------------------------------------------- | ------------------------------ |
 * | Decimal    | `{"__class__": "Decimal", "decimal": "0.10"}`             | the same struct                |
 * | date       | `{"__class__": "date", "year", "month", "day"}`           | the same struct                |
 * | datetime   | `{"__class__": "datetime", …, "microsecond"}`             | `dateTime.iso8601`, no fraction |
 * | time       | `{"__class__": "time", "hour", …, "microsecond"}`         | the same struct                |
 * | timedelta  | `{"__class__": "timedelta", "seconds": 1209600.0}`        | the same struct                |
 * | bytes      | `{"__class__": "bytes", "base64": "…"}`                   | `base64`                       |
 *
 * Pure functions. A tagged struct that does not hold what its tag promises is a TypeError naming
 * the path: an ERP answer we misread must never become a silently wrong amount.
 */

/** An RpcValue in Tryton's wire form for `protocol`. */
export function toTrytonWire(value: RpcValue, protocol: 'json-rpc' | 'xml-rpc'): RpcValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => toTrytonWire(item, protocol));
  if (value instanceof RpcDecimal) return { __class__: 'Decimal', decimal: value.text };
  if (value instanceof RpcDate)
    return { __class__: 'date', year: value.year, month: value.month, day: value.day };
  if (value instanceof RpcDateTime) {
    // XML-RPC has its own type (without the fraction); JSON-RPC keeps microseconds.
    return protocol === 'xml-rpc' ? value : { __class__: 'datetime', ...value.parts() };
  }
  if (value instanceof RpcTime) {
    const [hour, minute, rest] = value.iso.split(':');
    const [second, fraction] = (rest ?? '0').split('.');
    return {
      __class__: 'time',
      hour: Number(hour),
      minute: Number(minute),
      second: Number(second),
      microsecond: fraction === undefined ? 0 : Number(fraction.padEnd(6, '0')),
    };
  }
  if (value instanceof RpcTimeDelta) return { __class__: 'timedelta', seconds: value.seconds };
  if (value instanceof RpcBinary) {
    return protocol === 'xml-rpc'
      ? value
      : { __class__: 'bytes', base64: Buffer.from(value.bytes).toString('base64') };
  }
  return mapMembers(value, (member) => toTrytonWire(member, protocol));
}

/**
 * A value as Tryton sent it (parsed JSON, or an XML-RPC value) with its tagged structs decoded.
 *
 * @throws TypeError for something that is not JSON or XML-RPC, or a tagged struct that does not
 *   hold what its tag promises; the message names the path.
 */
export function fromTrytonWire(value: unknown, path = 'result'): RpcValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${path}: ${value} is not a number Tryton sends`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item, index) => fromTrytonWire(item, `${path}[${index}]`));
  if (value instanceof RpcDateTime || value instanceof RpcBinary) return value;
  if (!isRpcStruct(value)) throw new TypeError(`${path}: not a JSON or XML-RPC value`);
  const tag = Object.hasOwn(value, '__class__') ? value.__class__ : undefined;
  if (typeof tag === 'string') return fromTagged(tag, value, path);
  return mapMembers(value, (member, key) => fromTrytonWire(member, `${path}.${key}`));
}

function fromTagged(tag: string, struct: RpcStruct, path: string): RpcValue {
  const int = (name: string): number => {
    const part = struct[name];
    if (typeof part !== 'number' || !Number.isInteger(part)) {
      throw new TypeError(`${path}: a tagged ${tag} needs an integer ${name}, got ${JSON.stringify(part)}`);
    }
    return part;
  };
  try {
    switch (tag) {
      case 'Decimal': {
        const text = struct.decimal;
        if (typeof text !== 'string')
          throw new TypeError(`${path}: a tagged Decimal needs its digits as a string`);
        return new RpcDecimal(text);
      }
      case 'date':
        return RpcDate.of(int('year'), int('month'), int('day'));
      case 'datetime':
        return RpcDateTime.of({
          year: int('year'),
          month: int('month'),
          day: int('day'),
          hour: int('hour'),
          minute: int('minute'),
          second: int('second'),
          microsecond: int('microsecond'),
        });
      case 'time': {
        const micro = int('microsecond');
        const base = [int('hour'), int('minute'), int('second')]
          .map((part) => String(part).padStart(2, '0'))
          .join(':');
        return new RpcTime(micro === 0 ? base : `${base}.${String(micro).padStart(6, '0')}`);
      }
      case 'timedelta': {
        const seconds = struct.seconds;
        if (typeof seconds !== 'number') throw new TypeError(`${path}: a tagged timedelta needs its seconds`);
        return new RpcTimeDelta(seconds);
      }
      case 'bytes': {
        const text = struct.base64;
        if (typeof text !== 'string') throw new TypeError(`${path}: tagged bytes need their base64 text`);
        return new RpcBinary(new Uint8Array(Buffer.from(text, 'base64')));
      }
      default:
        // A tag this code does not know (a later Tryton's): kept as the struct it is.
        return mapMembers(struct, (member, key) => fromTrytonWire(member, `${path}.${key}`));
    }
  } catch (error) {
    if (error instanceof RangeError) throw new TypeError(`${path}: ${error.message}`);
    throw error;
  }
}
