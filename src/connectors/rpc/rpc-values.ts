import { Buffer } from 'node:buffer';

/**
 * The values an RPC record carries besides JSON's own: exact decimals, calendar dates, naive
 * datetimes and times, durations and bytes. Tryton sends them as tagged objects
 * (`{"__class__": "Decimal", "decimal": "0.10"}`), XML-RPC has its own types for some, Odoo sends
 * strings and doubles; each dialect turns its wire form into these classes and back, so a profile
 * reads one shape whatever the transport.
 *
 * Every class is immutable and has `toJSON`, so a record holding them can be stored as lineage and
 * printed without a custom serialiser. A decimal never becomes a float on the way: `RpcDecimal`
 * keeps the digits the ERP sent, and writes them back unchanged.
 */

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** An exact decimal number, as the ERP wrote it (`"0.10"` stays `"0.10"`, never `0.1`). */
export class RpcDecimal {
  readonly text: string;

  /** @throws RangeError when `text` is not a decimal number (no NaN, no Infinity). */
  constructor(text: string) {
    if (!DECIMAL.test(text)) throw new RangeError(`"${text}" is not a decimal number`);
    this.text = text;
  }

  /** The nearest JavaScript number: for arithmetic that tolerates binary floating point. */
  toNumber(): number {
    return Number(this.text);
  }

  toString(): string {
    return this.text;
  }

  toJSON(): string {
    return this.text;
  }
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date without time zone, `YYYY-MM-DD`. */
export class RpcDate {
  readonly iso: string;

  /** @throws RangeError for anything but a real calendar date as `YYYY-MM-DD`. */
  constructor(iso: string) {
    const match = ISO_DATE.exec(iso);
    if (match === null || !isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
      throw new RangeError(`"${iso}" is not a calendar date (YYYY-MM-DD)`);
    }
    this.iso = iso;
  }

  /** The date of `year`, `month` (1–12), `day`. */
  static of(year: number, month: number, day: number): RpcDate {
    return new RpcDate(`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`);
  }

  get year(): number {
    return Number(this.iso.slice(0, 4));
  }
  get month(): number {
    return Number(this.iso.slice(5, 7));
  }
  get day(): number {
    return Number(this.iso.slice(8, 10));
  }

  toString(): string {
    return this.iso;
  }

  toJSON(): string {
    return this.iso;
  }
}

const ISO_DATETIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/**
 * A date and time without zone, `YYYY-MM-DDTHH:MM:SS[.ffffff]`, as the ERP stores it (Tryton and
 * Odoo keep UTC). Microseconds are kept when the wire carries them: JSON-RPC does, XML-RPC's
 * `dateTime.iso8601` does not.
 */
export class RpcDateTime {
  readonly iso: string;

  /** @throws RangeError for anything but `YYYY-MM-DDTHH:MM:SS` with an optional fraction of up to 6 digits. */
  constructor(iso: string) {
    const match = ISO_DATETIME.exec(iso);
    if (match === null) throw new RangeError(`"${iso}" is not a date and time (YYYY-MM-DDTHH:MM:SS)`);
    new RpcDate(match[1] ?? '');
    if (Number(match[2]) > 23 || Number(match[3]) > 59 || Number(match[4]) > 59) {
      throw new RangeError(`"${iso}" is not a time of day`);
    }
    this.iso = iso;
  }

  /** The date and time from its parts; `microsecond` 0 is left out of the ISO text. */
  static of(parts: {
    year: number;
    month: number;
    day: number;
    hour: number;
    minute: number;
    second: number;
    microsecond?: number;
  }): RpcDateTime {
    const date = RpcDate.of(parts.year, parts.month, parts.day).iso;
    const time = `${pad(parts.hour, 2)}:${pad(parts.minute, 2)}:${pad(parts.second, 2)}`;
    const fraction = parts.microsecond ? `.${pad(parts.microsecond, 6)}` : '';
    return new RpcDateTime(`${date}T${time}${fraction}`);
  }

  /** Year, month, day, hour, minute, second and microsecond as numbers. */
  parts(): {
    year: number;
    month: number;
    day: number;
    hour: number;
    minute: number;
    second: number;
    microsecond: number;
  } {
    const date = new RpcDate(this.iso.slice(0, 10));
    const fraction = this.iso.slice(20);
    return {
      year: date.year,
      month: date.month,
      day: date.day,
      hour: Number(this.iso.slice(11, 13)),
      minute: Number(this.iso.slice(14, 16)),
      second: Number(this.iso.slice(17, 19)),
      microsecond: fraction === '' ? 0 : Number(fraction.padEnd(6, '0')),
    };
  }

  /** The calendar date part. */
  get date(): RpcDate {
    return new RpcDate(this.iso.slice(0, 10));
  }

  toString(): string {
    return this.iso;
  }

  toJSON(): string {
    return this.iso;
  }
}

/** A time of day without zone, `HH:MM:SS[.ffffff]`. */
export class RpcTime {
  readonly iso: string;

  /** @throws RangeError for anything but a time of day. */
  constructor(iso: string) {
    const match = /^(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?$/.exec(iso);
    if (match === null || Number(match[1]) > 23 || Number(match[2]) > 59 || Number(match[3]) > 59) {
      throw new RangeError(`"${iso}" is not a time of day (HH:MM:SS)`);
    }
    this.iso = iso;
  }

  toString(): string {
    return this.iso;
  }

  toJSON(): string {
    return this.iso;
  }
}

/** A duration in seconds (Tryton's `TimeDelta` fields: lead times, delays). */
export class RpcTimeDelta {
  readonly seconds: number;

  /** @throws RangeError for a non-finite number. */
  constructor(seconds: number) {
    if (!Number.isFinite(seconds)) throw new RangeError(`${seconds} is not a duration in seconds`);
    this.seconds = seconds;
  }

  /** The duration in days, fractions kept. */
  get days(): number {
    return this.seconds / 86_400;
  }

  toJSON(): { seconds: number } {
    return { seconds: this.seconds };
  }
}

/** Bytes (XML-RPC `base64`, Tryton's `{"__class__": "bytes"}`); printed as base64. */
export class RpcBinary {
  readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  toJSON(): string {
    return Buffer.from(this.bytes).toString('base64');
  }
}

/** A value as a connection reads and writes it: JSON plus the classes above. */
export type RpcValue =
  | string
  | number
  | boolean
  | null
  | RpcDecimal
  | RpcDate
  | RpcDateTime
  | RpcTime
  | RpcTimeDelta
  | RpcBinary
  | RpcValue[]
  | { [key: string]: RpcValue };

/** An RPC struct: a record, a context, a set of values to write. */
export type RpcStruct = { [key: string]: RpcValue };

/** True for a struct (a plain object, not an array, not one of the value classes). */
export function isRpcStruct(value: unknown): value is RpcStruct {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Sets `struct[key] = value` as an own property, whatever the key: a member an ERP names
 * `__proto__` must stay data and never become the object's prototype.
 */
export function setMember(struct: RpcStruct, key: string, value: RpcValue): void {
  Object.defineProperty(struct, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A new struct with each member of `struct` as `convert` turns it, every key set with
 * {@link setMember} (so a member named `__proto__` stays data).
 */
export function mapMembers<Member>(
  struct: Readonly<Record<string, Member>>,
  convert: (member: Member, key: string) => RpcValue,
): RpcStruct {
  const mapped: RpcStruct = {};
  for (const [key, member] of Object.entries(struct)) setMember(mapped, key, convert(member, key));
  return mapped;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

function pad(value: number, width: number): string {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${value} is not a date or time part`);
  return String(value).padStart(width, '0');
}

/**
 * `value` as an RpcValue, checked: JSON, the value classes, arrays and plain objects of them.
 *
 * @throws TypeError naming the path of the first thing that is none of those (a Date, a function,
 *   NaN…), so a profile's mistake is caught before anything is sent.
 */
export function asRpcValue(value: unknown, path = 'value'): RpcValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${path}: ${value} cannot be sent`);
    return value;
  }
  if (
    value instanceof RpcDecimal ||
    value instanceof RpcDate ||
    value instanceof RpcDateTime ||
    value instanceof RpcTime ||
    value instanceof RpcTimeDelta ||
    value instanceof RpcBinary
  ) {
    return value;
  }
  if (Array.isArray(value)) return value.map((item, index) => asRpcValue(item, `${path}[${index}]`));
  if (!isRpcStruct(value)) {
    const what = value === undefined ? 'undefined' : `a ${value.constructor?.name ?? typeof value}`;
    throw new TypeError(
      `${path}: ${what} cannot be sent; use a string, number, boolean, null or an Rpc value`,
    );
  }
  return mapMembers(value, (member, key) => asRpcValue(member, `${path}.${key}`));
}
