import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErpError } from '../errors/index.ts';
import type { AuditEntry } from '../store/contract.ts';
import { type AuditInput, canonicalJson, chain, digestOf, GENESIS_HASH, hashEntry } from './hash-chain.ts';

const FIELDS = {
  seq: 1,
  at: '2024-05-01T08:00:00.000Z',
  type: 'run.started',
  runId: 'run-1',
  actor: 'erpbridge',
  payload: { workflow: 'po-urgency', dryRun: false },
};

function rejection(value: unknown): unknown {
  try {
    canonicalJson(value);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1, { z: null, y: true }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,1,{"y":true,"z":null}]},"b":1}',
    );
  });

  it('gives the same text for the same value built in any key order', () => {
    const one = { supplier: 'S-1', lines: [{ qty: 2, item: 'A' }], total: 10.5 };
    const other = { total: 10.5, lines: [{ item: 'A', qty: 2 }], supplier: 'S-1' };
    expect(canonicalJson(one)).toBe(canonicalJson(other));
    expect(canonicalJson(JSON.parse(JSON.stringify(one)))).toBe(canonicalJson(one));
  });

  it('writes strings and numbers as JSON does', () => {
    expect(canonicalJson({ name: 'Müller "Söhne"\n', zero: -0, big: 1e21, small: 0.1 + 0.2 })).toBe(
      '{"big":1e+21,"name":"Müller \\"Söhne\\"\\n","small":0.30000000000000004,"zero":0}',
    );
    expect(canonicalJson('x')).toBe('"x"');
    expect(canonicalJson(null)).toBe('null');
  });

  it('accepts objects without a prototype', () => {
    const bare: Record<string, unknown> = Object.create(null);
    bare.b = 2;
    bare.a = 1;
    expect(canonicalJson(bare)).toBe('{"a":1,"b":2}');
  });

  it.each([
    [{ a: { b: undefined } }, '$.a.b is undefined (use null, or leave the key out)'],
    [[1, undefined], '$[1] is undefined (use null, or leave the key out)'],
    [undefined, '$ is undefined (use null, or leave the key out)'],
    [{ decisions: [{ confidence: Number.NaN }] }, '$.decisions[0].confidence is NaN'],
    [{ score: Number.POSITIVE_INFINITY }, '$.score is Infinity'],
    [{ run: () => 1 }, '$.run is a function'],
    [{ 'odd key': Symbol('s') }, '$["odd key"] is a symbol'],
    [{ count: 10n }, '$.count is a bigint (write it as a string)'],
    [{ when: new Date(0) }, '$.when is a Date, not a plain object'],
    [{ seen: new Map() }, '$.seen is a Map, not a plain object'],
  ])('rejects %o naming the path', (value, message) => {
    const error = rejection(value);
    expect(error).toBeInstanceOf(ErpError);
    expect(error).toMatchObject({ kind: 'validation', message: expect.stringContaining(message) });
  });

  it('rejects holes in arrays, symbol keys and cycles', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    expect(rejection([1, , 3])).toMatchObject({ message: expect.stringContaining('$[1] is undefined') });
    expect(rejection({ [Symbol('k')]: 1 })).toMatchObject({
      message: expect.stringContaining('$ has symbol keys'),
    });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = { back: cyclic };
    expect(rejection(cyclic)).toMatchObject({
      message: expect.stringContaining('$.self.back refers back to itself'),
    });
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { id: 1 };
    expect(canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"id":1},"b":[{"id":1}]}');
  });
});

describe('digestOf', () => {
  it('is the sha256 hex of the canonical JSON', () => {
    const expected = createHash('sha256').update('{"a":1,"b":[2]}').digest('hex');
    expect(digestOf({ b: [2], a: 1 })).toBe(expected);
  });
});

describe('hashEntry', () => {
  it('hashes prevHash, a newline and the canonical JSON of the six fields (format 1, pinned)', () => {
    const text =
      `${GENESIS_HASH}\n` +
      '{"actor":"erpbridge","at":"2024-05-01T08:00:00.000Z","payload":{"dryRun":false,"workflow":"po-urgency"},' +
      '"runId":"run-1","seq":1,"type":"run.started"}';
    const expected = '2fcc5b8a364b863bf14084a404b90ccd68f76a62130cddae8cf34d53a87ee39d';
    expect(createHash('sha256').update(text).digest('hex')).toBe(expected);
    expect(hashEntry(GENESIS_HASH, FIELDS)).toBe(expected);
  });

  it('ignores the fields it does not cover, such as the stored hashes', () => {
    const entry: AuditEntry = { ...FIELDS, prevHash: 'p', hash: 'h' };
    expect(hashEntry(GENESIS_HASH, entry)).toBe(hashEntry(GENESIS_HASH, FIELDS));
  });

  it('changes when any covered field or the previous hash changes', () => {
    const base = hashEntry(GENESIS_HASH, FIELDS);
    const variants = [
      hashEntry('1'.repeat(64), FIELDS),
      hashEntry(GENESIS_HASH, { ...FIELDS, seq: 2 }),
      hashEntry(GENESIS_HASH, { ...FIELDS, at: '2024-05-01T08:00:00.001Z' }),
      hashEntry(GENESIS_HASH, { ...FIELDS, type: 'run.completed' }),
      hashEntry(GENESIS_HASH, { ...FIELDS, runId: null }),
      hashEntry(GENESIS_HASH, { ...FIELDS, actor: 'anna' }),
      hashEntry(GENESIS_HASH, { ...FIELDS, payload: { workflow: 'po-urgency', dryRun: true } }),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });
});

describe('chain', () => {
  const inputs: AuditInput[] = [
    { type: 'run.started', runId: 'run-1', actor: 'engine-2', payload: { workflow: 'po-urgency' } },
    { type: 'extract.batch', runId: 'run-1', actor: 'engine-2', payload: { count: 500 } },
    { type: 'model.trained', runId: null, actor: 'anna', payload: { name: 'po-urgency', version: '3' } },
  ];
  let tick = 0;
  const now = () => new Date(Date.UTC(2024, 4, 1, 8, 0, tick++)).toISOString();

  it('starts an empty log at seq 1 after the genesis hash and links each entry to the last', () => {
    const entries = chain(null, inputs, now);
    expect(entries.map((entry) => entry.seq)).toEqual([1, 2, 3]);
    expect(entries[0]?.prevHash).toBe(GENESIS_HASH);
    expect(entries[1]?.prevHash).toBe(entries[0]?.hash);
    expect(entries[2]?.prevHash).toBe(entries[1]?.hash);
    for (const entry of entries) expect(entry.hash).toBe(hashEntry(entry.prevHash, entry));
    expect(entries[2]).toMatchObject({ type: 'model.trained', runId: null, actor: 'anna' });
    expect(new Set(entries.map((entry) => entry.at)).size).toBe(3);
  });

  it('continues after a tail', () => {
    const [tail] = chain(null, inputs.slice(0, 1), now).map((entry) => ({ ...entry, seq: 41 }));
    const entries = chain(tail ?? null, inputs.slice(1), now);
    expect(entries.map((entry) => entry.seq)).toEqual([42, 43]);
    expect(entries[0]?.prevHash).toBe(tail?.hash);
    expect(chain(tail ?? null, [], now)).toEqual([]);
  });

  it('names erpbridge as the actor when an input names nobody', () => {
    const [entry] = chain(null, [{ type: 'run.completed', runId: 'run-1', payload: {} }], now);
    expect(entry?.actor).toBe('erpbridge');
  });

  it('refuses an unknown entry type', () => {
    const input = { type: 'run.exploded', runId: null, actor: 'x', payload: {} };
    // @ts-expect-error the type is checked at run time too, for callers outside TypeScript
    expect(() => chain(null, [input], now)).toThrow("audit entry type 'run.exploded' is not a known type");
  });
});
