import { createHash } from 'node:crypto';
import { ErpError } from '../errors/index.ts';
import type { AuditEntry } from '../store/contract.ts';
import { type AuditEntryType, isAuditEntryType } from './entry-types.ts';

/**
 * The hash chain, as pure functions. Entry n's hash covers entry n-1's hash, so editing, deleting
 * or reordering any entry breaks every link after it. Hashing scheme (format 1):
 *
 *   hash = sha256_hex(prevHash + "\n" + canonicalJson({ seq, at, type, runId, actor, payload }))
 *
 * with `GENESIS_HASH` as the first entry's `prevHash`. Changing any of this makes every existing
 * log fail to verify: a new scheme needs a new format number and a verifier for both.
 */

/** The `prevHash` of entry 1: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields an entry's hash covers: everything but the hashes themselves. */
export type HashedFields = Pick<AuditEntry, 'seq' | 'at' | 'type' | 'runId' | 'actor' | 'payload'>;

/** Who entries name when nobody else is given: erpbridge itself. */
export const DEFAULT_ACTOR = 'erpbridge';

/** One event to append: what happened, in which run, the details, and who did it (default `erpbridge`). */
export interface AuditInput {
  type: AuditEntryType;
  runId: string | null;
  payload: Record<string, unknown>;
  actor?: string;
}

/**
 * JSON with object keys sorted and no whitespace, so equal values give equal text on every machine
 * and after a round trip through any store. It follows RFC 8785 (JCS): keys sorted by UTF-16 code
 * units, strings and numbers written as ECMAScript's JSON.stringify writes them, so an auditor can
 * recompute the hashes outside erpbridge. Only JSON values are accepted: plain objects, arrays,
 * strings, finite numbers, booleans and null. `undefined`, functions, symbols, bigints, NaN,
 * Infinity, class instances (Date, Map, Buffer…) and cycles throw a validation ErpError naming the
 * path, e.g. `$.decisions[3].confidence is NaN`, because JSON would drop or change them silently
 * and the stored entry would no longer match its hash.
 *
 * @example canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return writeCanonical(value, [], new Set());
}

/** sha256 hex of a value's canonical JSON: a digest of a page, a change, a model, for payloads. */
export function digestOf(value: unknown): string {
  return sha256(canonicalJson(value));
}

/** The hash of an entry with these fields, following the entry whose hash is `prevHash`. */
export function hashEntry(prevHash: string, fields: HashedFields): string {
  const { seq, at, type, runId, actor, payload } = fields;
  return sha256(`${prevHash}\n${canonicalJson({ seq, at, type, runId, actor, payload })}`);
}

/**
 * Links `inputs` after `tail` (null for an empty log): seq continues from `tail.seq + 1` (1 for an
 * empty log), each entry's `prevHash` is the previous entry's hash, `at` comes from `now`, and an
 * input without an actor gets `DEFAULT_ACTOR`.
 */
export function chain(
  tail: AuditEntry | null,
  inputs: readonly AuditInput[],
  now: () => string,
): AuditEntry[] {
  let seq = tail?.seq ?? 0;
  let prevHash = tail?.hash ?? GENESIS_HASH;
  return inputs.map((input) => {
    if (!isAuditEntryType(input.type)) {
      throw new ErpError('validation', `audit entry type '${String(input.type)}' is not a known type`, {
        field: 'type',
        hint: 'Use one of AUDIT_ENTRY_TYPES.',
      });
    }
    seq += 1;
    const fields: HashedFields = {
      seq,
      at: now(),
      type: input.type,
      runId: input.runId,
      actor: input.actor ?? DEFAULT_ACTOR,
      payload: input.payload,
    };
    const entry: AuditEntry = { ...fields, prevHash, hash: hashEntry(prevHash, fields) };
    prevHash = entry.hash;
    return entry;
  });
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Writes `value` canonically. `path` is a stack of the keys and indexes leading to `value`, turned
 * into text only for an error message: building path strings for every member would cost more
 * than the serialisation itself on a 500-decision payload.
 */
function writeCanonical(value: unknown, path: (string | number)[], ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw notJson(path, `is ${value}`);
      return JSON.stringify(value);
    case 'undefined':
      throw notJson(path, 'is undefined (use null, or leave the key out)');
    case 'function':
      throw notJson(path, 'is a function');
    case 'symbol':
      throw notJson(path, 'is a symbol');
    case 'bigint':
      throw notJson(path, 'is a bigint (write it as a string)');
    case 'object':
      break;
  }
  if (value === null) return 'null';
  if (ancestors.has(value)) throw notJson(path, 'refers back to itself (a cycle)');
  ancestors.add(value);
  let text: string;
  if (Array.isArray(value)) {
    text = '[';
    for (let index = 0; index < value.length; index++) {
      path.push(index);
      text += `${index === 0 ? '' : ','}${writeCanonical(value[index], path, ancestors)}`;
      path.pop();
    }
    text += ']';
  } else {
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      const kind = value.constructor?.name ?? 'an object with a prototype';
      throw notJson(path, `is a ${kind}, not a plain object (convert it, e.g. a Date to an ISO string)`);
    }
    if (Object.getOwnPropertySymbols(value).length > 0) throw notJson(path, 'has symbol keys');
    // Default sort: by UTF-16 code units, the same on every engine.
    const keys = Object.keys(value).sort();
    text = '{';
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index] ?? '';
      path.push(key);
      text += `${index === 0 ? '' : ','}${JSON.stringify(key)}:${writeCanonical(Reflect.get(value, key), path, ancestors)}`;
      path.pop();
    }
    text += '}';
  }
  // Only ancestors count as cycles: the same object twice side by side is fine.
  ancestors.delete(value);
  return text;
}

function notJson(path: readonly (string | number)[], problem: string): ErpError {
  const where = path
    .map((step) =>
      typeof step === 'number'
        ? `[${step}]`
        : IDENTIFIER.test(step)
          ? `.${step}`
          : `[${JSON.stringify(step)}]`,
    )
    .join('');
  return new ErpError('validation', `$${where} ${problem}; audit payloads hold JSON values only`, {
    field: `$${where}`,
  });
}
