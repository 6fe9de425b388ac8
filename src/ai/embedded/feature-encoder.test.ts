import { describe, expect, test } from 'vitest';
import type { Features } from '../contract.ts';
import { binIndex, FeatureEncoder, quantileEdges, tokenize } from './feature-encoder.ts';

const row = (numeric: Record<string, number>, text = ''): Features => ({ numeric, text });

function columnValue(encoder: FeatureEncoder, vector: Float64Array, key: string): number | undefined {
  const index = encoder.columns.findIndex((column) => column.key === key);
  return index < 0 ? undefined : vector[index];
}

describe('tokenize', () => {
  test('lower-cases, splits on anything but letters and digits, drops 1-character tokens', () => {
    expect(tokenize('Line DOWN at plant-2: a rush, Ä-Teile 6204!')).toEqual([
      'line',
      'down',
      'at',
      'plant',
      'rush',
      'teile',
      '6204',
    ]);
  });
});

describe('quantileEdges and binIndex', () => {
  test('edges split the sorted values into equal shares', () => {
    const values = Array.from({ length: 100 }, (_, i) => i);
    expect(quantileEdges(values, 4)).toEqual([25, 50, 75]);
  });

  test('duplicate values give fewer, distinct edges and no empty first bin', () => {
    expect(quantileEdges([0, 0, 0, 0, 0, 0, 1, 2], 4)).toEqual([1]);
  });

  test('bin i holds edges[i-1] ≤ value < edges[i]', () => {
    const edges = [0, 10, 20];
    expect([-5, 0, 9.9, 10, 25].map((value) => binIndex(edges, value))).toEqual([0, 1, 1, 2, 3]);
  });
});

describe('FeatureEncoder', () => {
  const training = [
    row({ slack: -10, amount: 1 }, 'Line down at plant'),
    row({ slack: 0, amount: 1 }, 'bearings for stock'),
    row({ slack: 10, amount: 1 }, 'bearings line down'),
    row({ slack: 20, amount: 1 }, 'bearings for stock'),
  ];
  const spec = {
    minDocumentFrequency: 2,
    bins: [{ feature: 'slack', edges: [0, 15] }],
    textFlags: [{ name: 'urgentNote', phrases: ['Line Down', 'rush'] }],
    interactions: [{ feature: 'slack', flag: 'urgentNote' }],
  };

  test('standardises numerics with the training mean and population standard deviation', () => {
    const encoder = FeatureEncoder.fit(training, spec);
    const vector = encoder.encode(row({ slack: 5 + Math.sqrt(125), amount: 1 }));
    // slack mean 5, std sqrt(125); amount is constant, so it stays 0.
    expect(columnValue(encoder, vector, 'slack')).toBeCloseTo(1, 12);
    expect(columnValue(encoder, vector, 'amount')).toBe(0);
  });

  test('a missing numeric reads as its mean; an unknown one is ignored; NaN is an error', () => {
    const encoder = FeatureEncoder.fit(training, spec);
    const vector = encoder.encode(row({ other: 7 }));
    expect(columnValue(encoder, vector, 'slack')).toBe(0);
    expect(vector.every((value) => value === 0)).toBe(true);
    expect(() => encoder.encode(row({ slack: Number.NaN }))).toThrow('feature "slack" is not finite: NaN');
  });

  test('one-hot bins with the declared edges', () => {
    const encoder = FeatureEncoder.fit(training, spec);
    const vector = encoder.encode(row({ slack: 3 }));
    expect(columnValue(encoder, vector, 'slack in [-∞, 0)')).toBe(0);
    expect(columnValue(encoder, vector, 'slack in [0, 15)')).toBe(1);
    expect(columnValue(encoder, vector, 'slack in [15, ∞)')).toBe(0);
  });

  test('quantile bins are fitted from the training values', () => {
    const rows = Array.from({ length: 100 }, (_, i) => row({ lead: i }));
    const encoder = FeatureEncoder.fit(rows, { bins: [{ feature: 'lead', quantiles: 4 }] });
    expect(encoder.toJSON().bins).toEqual([{ feature: 'lead', edges: [25, 50, 75] }]);
  });

  test('a text flag fires on whole phrases only, and interactions fire only with the flag', () => {
    const encoder = FeatureEncoder.fit(training, spec);
    const flagged = encoder.encode(row({ slack: 3 }, 'PLANT: line-down!'));
    expect(columnValue(encoder, flagged, 'flag:urgentNote')).toBe(1);
    expect(columnValue(encoder, flagged, 'slack × urgentNote')).toBeCloseTo((3 - 5) / Math.sqrt(125), 12);
    expect(columnValue(encoder, flagged, 'slack in [0, 15) × urgentNote')).toBe(1);
    expect(columnValue(encoder, flagged, 'slack in [15, ∞) × urgentNote')).toBe(0);

    const plain = encoder.encode(row({ slack: 3 }, 'pipeline downstream brush'));
    expect(columnValue(encoder, plain, 'flag:urgentNote')).toBe(0);
    expect(columnValue(encoder, plain, 'slack × urgentNote')).toBe(0);
    expect(encoder.matchedPhrase('Please RUSH this', 'urgentNote')).toBe('rush');
    expect(encoder.matchedPhrase('nothing special', 'urgentNote')).toBeUndefined();
  });

  test('the vocabulary keeps unigrams and bigrams seen in enough examples, most frequent first, capped', () => {
    const encoder = FeatureEncoder.fit(training, spec);
    // bearings ×3; line, down, line down, for, stock, for stock, bearings for ×2
    expect(encoder.toJSON().vocabulary).toEqual([
      'bearings',
      'bearings for',
      'down',
      'for',
      'for stock',
      'line',
      'line down',
      'stock',
    ]);
    const capped = FeatureEncoder.fit(training, { ...spec, maxVocabulary: 2 });
    expect(capped.toJSON().vocabulary).toEqual(['bearings', 'bearings for']);
    const vector = encoder.encode(row({}, 'Bearings for stock'));
    expect(columnValue(encoder, vector, 'text:bearings for')).toBe(1);
    expect(columnValue(encoder, vector, 'text:line')).toBe(0);
  });

  test('groups columns by the feature a person would name', () => {
    const encoder = FeatureEncoder.fit(training, spec);
    const groups = new Set(encoder.columns.map((column) => column.group));
    expect(groups).toEqual(
      new Set([
        'amount',
        'slack',
        'flag:urgentNote',
        ...encoder.toJSON().vocabulary.map((token) => `text:${token}`),
      ]),
    );
    expect(encoder.columns.filter((column) => column.group === 'flag:urgentNote').map((c) => c.kind)).toEqual(
      ['flag', 'interaction', 'interaction-bin', 'interaction-bin', 'interaction-bin'],
    );
  });

  test('survives a JSON round trip and encodes identically', () => {
    const encoder = FeatureEncoder.fit(training, spec);
    const restored = FeatureEncoder.fromJSON(JSON.parse(JSON.stringify(encoder)));
    const input = row({ slack: 12, amount: 3 }, 'rush bearings for stock');
    expect(Array.from(restored.encode(input))).toEqual(Array.from(encoder.encode(input)));
    expect(restored.columns).toEqual(encoder.columns);
  });

  test('encodeAll writes one row per input', () => {
    const encoder = FeatureEncoder.fit(training, spec);
    const matrix = encoder.encodeAll(training);
    expect(matrix.rows).toBe(4);
    expect(Array.from(matrix.data.subarray(encoder.width, 2 * encoder.width))).toEqual(
      Array.from(encoder.encode(training[1] ?? row({}))),
    );
  });

  test('rejects contradictory or dangling declarations before fitting', () => {
    expect(() => FeatureEncoder.fit(training, { bins: [{ feature: 'slack' }] })).toThrow(
      'invalid encoding spec: bins.0: bins for "slack" need exactly one of edges or quantiles',
    );
    expect(() => FeatureEncoder.fit(training, { bins: [{ feature: 'slack', edges: [5, 5] }] })).toThrow(
      'invalid encoding spec: bins.0.edges: bin edges for "slack" must be strictly increasing',
    );
    expect(() =>
      FeatureEncoder.fit(training, { interactions: [{ feature: 'slack', flag: 'nope' }] }),
    ).toThrow(
      'invalid encoding spec: interactions.0.flag: interaction uses text flag "nope", which is not declared in textFlags',
    );
    expect(() => FeatureEncoder.fit(training, { bins: [{ feature: 'lead', quantiles: 3 }] })).toThrow(
      'bins declared for "lead", which no training row has',
    );
    expect(() => FeatureEncoder.fit([], spec)).toThrow('needs at least one training row');
    expect(() => FeatureEncoder.fromJSON({ format: 2 })).toThrow(/^invalid encoder state: format: /);
  });
});
