import {
  isRpcStruct,
  mapMembers,
  RpcBinary,
  RpcDate,
  RpcDateTime,
  RpcDecimal,
  RpcTime,
  RpcTimeDelta,
  type RpcValue,
} from './rpc-values.ts';

/**
 * Odoo's values on the wire (odoo/addons/base/controllers/rpc.py): plain XML-RPC. Dates and
 * datetimes travel as strings (`2026-11-30`, `2026-11-30 08:00:00`, UTC), amounts as doubles, an
 * empty field as `false`, a many-to-one as `[id, "display name"]`. Reading keeps those as they come
 * (a profile knows which string is a date); writing turns the value classes into Odoo's forms.
 */

/** An RpcValue in the form Odoo's `write` and domains expect. */
export function toOdooWire(value: RpcValue): RpcValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(toOdooWire);
  // Odoo's API takes floats; a double reads back as the same shortest text, so 0.10 stays 0.1.
  if (value instanceof RpcDecimal) return value.toNumber();
  if (value instanceof RpcDate) return value.iso;
  if (value instanceof RpcDateTime) return `${value.iso.slice(0, 10)} ${value.iso.slice(11, 19)}`;
  if (value instanceof RpcTime) return value.iso;
  if (value instanceof RpcTimeDelta) return value.seconds;
  if (value instanceof RpcBinary) return value;
  return mapMembers(value, toOdooWire);
}

/**
 * A decoded XML-RPC value, checked to be one.
 *
 * @throws TypeError naming the path of anything an XML-RPC answer cannot hold.
 */
export function fromOdooWire(value: unknown, path = 'result'): RpcValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${path}: ${value} is not a number Odoo sends`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item, index) => fromOdooWire(item, `${path}[${index}]`));
  if (value instanceof RpcDateTime || value instanceof RpcBinary) return value;
  if (!isRpcStruct(value)) throw new TypeError(`${path}: not an XML-RPC value`);
  return mapMembers(value, (member, key) => fromOdooWire(member, `${path}.${key}`));
}
