import { describe, expect, it } from 'vitest';
import type { Features } from '../contract.ts';
import { LabelMemory } from './label-memory.ts';

const row = (merchant: string, costCentre: string): Features => ({
  numeric: { [`merchant=${merchant}`]: 1, [`cost centre=${costCentre}`]: 1 },
  text: '',
});
const rows = [row('tesco', 'A'), row('tesco', 'A'), row('tesco', 'B'), row('shell', 'A')];
const labels = [0, 0, 1, 2];
const groups = [{ prefix: 'merchant=' }, { prefix: 'cost centre=', name: 'cost centre' }];

describe('LabelMemory', () => {
  it('remembers the labels of each key and says so per row', () => {
    const memory = LabelMemory.build(rows, labels, 3, groups, [2, 4]);
    expect(memory.slots).toBe(6);
    const [merchant, costCentre] = memory.recall(row('tesco', 'A'));
    expect(merchant).toMatchObject({ group: 0, name: 'merchant', value: 'tesco', total: 3 });
    expect([...(merchant?.counts ?? [])]).toEqual([
      [0, 2],
      [1, 1],
    ]);
    expect(costCentre).toMatchObject({ name: 'cost centre', value: 'A', total: 3 });
    expect(memory.recall(row('aldi', 'Z'))).toEqual([]);
    expect(memory.slotName(memory.slotOf(0, 3))).toBe('merchant, 2–3 past rows');
    expect(memory.slotName(5)).toBe('cost centre, 4+ past rows');
  });

  it('gives training rows their key without themselves, and new rows the whole key', () => {
    const memory = LabelMemory.build(rows, labels, 3, groups, [2, 4]);
    const seen = memory.terms(rows, labels);
    // Row 0 (tesco, A, label 0): tesco without it is {0: 1, 1: 1} of 2; A without it is {0: 1, 2: 1} of 2.
    const first = [];
    for (let t = seen.offsets[0] ?? 0; t < (seen.offsets[1] ?? 0); t++) {
      first.push([seen.slots[t], seen.labels[t], seen.shares[t]]);
    }
    expect(first).toEqual([
      [1, 0, 0.5],
      [1, 1, 0.5],
      [4, 0, 0.5],
      [4, 2, 0.5],
    ]);
    // Row 3 (shell, A, label 2) is shell's only row: nothing is left of shell once it is taken out.
    const shell = memory.terms([row('shell', 'Q')], [2]);
    expect(shell.offsets[1]).toBe(0);
    const fresh = memory.terms([row('shell', 'Q')]);
    expect(Array.from(fresh.shares)).toEqual([1]);
  });

  it('keeps only the newest rows for a memory of recent habits', () => {
    const memory = LabelMemory.build(rows, labels, 3, [{ prefix: 'merchant=', recent: 0.5 }], [2]);
    expect(memory.recall(row('tesco', 'A'))[0]).toMatchObject({ total: 1 });
    // Row 0 is older than the window: it did not count, so nothing of it is taken out.
    const terms = memory.terms(rows.slice(0, 1), labels.slice(0, 1));
    expect(Array.from(terms.labels)).toEqual([1]);
  });

  it('round-trips through JSON and refuses a damaged state', () => {
    const memory = LabelMemory.build(rows, labels, 3, groups, [2, 4]);
    const again = LabelMemory.fromJSON(JSON.parse(JSON.stringify(memory.toJSON())));
    expect(again.terms(rows, labels)).toEqual(memory.terms(rows, labels));
    const state = memory.toJSON();
    const broken = { ...state, groups: [{ ...state.groups[0], counts: [[7, 1]], keys: ['x'] }] };
    expect(() => LabelMemory.fromJSON(broken)).toThrow('group 0 key "x" counts class 7');
  });
});

describe('LabelMemory newest labels', () => {
  it('keeps the newest labels of each key, oldest first, and restores them from JSON', () => {
    const many = [
      row('amazon', 'S'),
      row('amazon', 'S'),
      row('amazon', 'S'),
      row('amazon', 'S'),
      row('amazon', 'S'),
    ];
    const memory = LabelMemory.build(many, [0, 0, 1, 2, 1], 3, groups, [2]);
    expect(memory.groups).toBe(2);
    const [merchant] = memory.recall(row('amazon', 'S'));
    expect(merchant?.recent).toEqual([1, 2, 1]);
    const restored = LabelMemory.fromJSON(JSON.parse(JSON.stringify(memory.toJSON())));
    expect(restored.recall(row('amazon', 'S'))[0]?.recent).toEqual([1, 2, 1]);
  });
});
