import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  answerJsonSchema,
  answerSchema,
  checkEnvelope,
  closeObjects,
  formatIssuePath,
  formatIssues,
  toClassification,
} from './llm-answer.ts';
import { strictSchemaProblem } from './testing/fake-openai-server.ts';

const labels = ['urgent', 'normal', 'low'] as const;

function answer(results: unknown[]): string {
  return JSON.stringify({ results });
}

const result = (id: string, label = 'normal') => ({ id, label, confidence: 0.6, explanation: 'why' });

describe('checkEnvelope', () => {
  it('returns each asked-for id’s result with its place in the answer', () => {
    const checked = checkEnvelope(answer([result('2', 'low'), result('0', 'urgent'), result('1')]), [
      '0',
      '1',
      '2',
    ]);
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.records.get('0')).toEqual({ index: 1, record: result('0', 'urgent') });
    expect(checked.records.get('2')).toEqual({ index: 0, record: result('2', 'low') });
  });

  it('rejects an empty or non-JSON answer as a whole', () => {
    expect(checkEnvelope(null, ['0'])).toEqual({
      ok: false,
      issues: [{ path: [], message: 'the answer was empty' }],
    });
    const checked = checkEnvelope('```json\n{}\n```', ['0']);
    expect(checked.ok).toBe(false);
    if (!checked.ok)
      expect(formatIssues(checked.issues)).toMatch(/^\(answer\): the answer is not valid JSON \(/);
  });

  it('wants exactly one result per id: none missing, none unknown, none twice', () => {
    const checked = checkEnvelope(answer([result('0'), result('0'), result('7')]), ['0', '1', '2']);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(formatIssues(checked.issues)).toBe(
      'results[1].id: id "0" is answered twice\n' +
        'results[2].id: id "7" was not asked for\n' +
        'results: no result for ids "1", "2"',
    );
  });

  it('rejects a wrong shape, and leaves what each result holds to the task kind', () => {
    expect(checkEnvelope('[]', ['0'])).toMatchObject({ ok: false, issues: [{ path: [] }] });
    expect(checkEnvelope(answer([{ label: 'low' }]), ['0'])).toMatchObject({
      ok: false,
      issues: [{ path: ['results', 0, 'id'], message: 'Invalid input: expected string, received undefined' }],
    });
    expect(checkEnvelope(answer([{ id: '0', label: 'panic' }]), ['0']).ok).toBe(true);
  });
});

describe('answerJsonSchema', () => {
  it('is a strict-mode schema with the labels as an enum and confidence bounded', () => {
    const jsonSchema = answerJsonSchema(answerSchema(labels));
    expect(strictSchemaProblem(jsonSchema, [])).toBeUndefined();
    expect(jsonSchema).toEqual({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: {
        results: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              label: { type: 'string', enum: ['urgent', 'normal', 'low'] },
              confidence: { type: 'number', minimum: 0, maximum: 1 },
              explanation: { type: 'string' },
            },
            required: ['id', 'label', 'confidence', 'explanation'],
            additionalProperties: false,
          },
        },
      },
      required: ['results'],
      additionalProperties: false,
    });
  });

  it('closes nested objects and nullable fields of an extract schema for strict mode', () => {
    const fields = z.object({
      invoiceNumber: z.string(),
      supplier: z.object({ id: z.enum(['S-1', 'S-2']).nullable(), name: z.string() }),
      lines: z.array(z.object({ amount: z.number() })),
    });
    const jsonSchema = answerJsonSchema(z.object({ results: z.array(z.object({ id: z.string(), fields })) }));
    expect(strictSchemaProblem(jsonSchema, [])).toBeUndefined();
    expect(JSON.stringify(jsonSchema)).toContain('"enum":["S-1","S-2"]');
  });

  it('closeObjects makes every property required and forbids others, at any depth', () => {
    expect(
      closeObjects({
        type: 'object',
        properties: { a: { type: 'object', properties: { b: { type: 'string' } } } },
      }),
    ).toEqual({
      type: 'object',
      properties: {
        a: {
          type: 'object',
          properties: { b: { type: 'string' } },
          additionalProperties: false,
          required: ['b'],
        },
      },
      additionalProperties: false,
      required: ['a'],
    });
  });
});

describe('formatIssuePath', () => {
  it('reads like a property access', () => {
    expect(formatIssuePath([])).toBe('(answer)');
    expect(formatIssuePath(['results'])).toBe('results');
    expect(formatIssuePath(['results', 3, 'label'])).toBe('results[3].label');
  });
});

describe('toClassification', () => {
  it('gives the chosen label its confidence and the others an equal share of the rest', () => {
    expect(
      toClassification({ label: 'urgent', confidence: 0.7, explanation: '9 days late' }, labels, 'llm:m'),
    ).toEqual({
      label: 'urgent',
      confidence: 0.7,
      probabilities: { urgent: 0.7, normal: expect.closeTo(0.15, 10), low: expect.closeTo(0.15, 10) },
      explanation: '9 days late',
      model: 'llm:m',
    });
  });

  it('handles a task with a single label', () => {
    const decision = toClassification(
      { label: 'only', confidence: 0.4, explanation: 'x' },
      ['only'],
      'llm:m',
    );
    expect(decision.probabilities).toEqual({ only: 0.4 });
  });
});
