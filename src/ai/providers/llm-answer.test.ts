import { describe, expect, it } from 'vitest';
import {
  answerJsonSchema,
  answerSchema,
  checkAnswer,
  formatIssuePath,
  formatIssues,
  toClassifications,
} from './llm-answer.ts';
import { strictSchemaProblem } from './testing/fake-openai-server.ts';

const labels = ['urgent', 'normal', 'low'] as const;
const schema = answerSchema(labels);

function answer(results: unknown[]): string {
  return JSON.stringify({ results });
}

const result = (id: string, label = 'normal', confidence = 0.6) => ({
  id,
  label,
  confidence,
  explanation: 'why',
});

describe('checkAnswer', () => {
  it('returns the results in the order of the ids asked for', () => {
    const checked = checkAnswer(answer([result('2', 'low'), result('0', 'urgent'), result('1')]), schema, [
      '0',
      '1',
      '2',
    ]);
    expect(checked).toEqual({
      ok: true,
      results: [result('0', 'urgent'), result('1'), result('2', 'low')],
    });
  });

  it('rejects an empty or non-JSON answer as a whole', () => {
    expect(checkAnswer(null, schema, ['0'])).toEqual({
      ok: false,
      issues: [{ path: [], message: 'the answer was empty' }],
    });
    const checked = checkAnswer('```json\n{}\n```', schema, ['0']);
    expect(checked.ok).toBe(false);
    if (!checked.ok)
      expect(formatIssues(checked.issues)).toMatch(/^\(answer\): the answer is not valid JSON \(/);
  });

  it('names the path of a label that is not allowed and a confidence out of range', () => {
    const checked = checkAnswer(answer([result('0', 'panic'), result('1', 'low', -0.1)]), schema, ['0', '1']);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(formatIssues(checked.issues)).toBe(
      'results[0].label: Invalid option: expected one of "urgent"|"normal"|"low"\n' +
        'results[1].confidence: Too small: expected number to be >=0',
    );
  });

  it('wants exactly one result per id: none missing, none unknown, none twice', () => {
    const checked = checkAnswer(answer([result('0'), result('0'), result('7')]), schema, ['0', '1', '2']);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(formatIssues(checked.issues)).toBe(
      'results[1].id: id "0" is answered twice\n' +
        'results[2].id: id "7" was not asked for\n' +
        'results: no result for ids "1", "2"',
    );
  });

  it('rejects a missing field and a wrong shape', () => {
    const checked = checkAnswer(
      JSON.stringify({ results: [{ id: '0', label: 'low', confidence: 0.5 }] }),
      schema,
      ['0'],
    );
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.issues[0]?.path).toEqual(['results', 0, 'explanation']);
    expect(checkAnswer('[]', schema, ['0'])).toMatchObject({ ok: false, issues: [{ path: [] }] });
  });
});

describe('answerJsonSchema', () => {
  it('is a strict-mode schema with the labels as an enum and confidence bounded', () => {
    const jsonSchema = answerJsonSchema(schema);
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
});

describe('formatIssuePath', () => {
  it('reads like a property access', () => {
    expect(formatIssuePath([])).toBe('(answer)');
    expect(formatIssuePath(['results'])).toBe('results');
    expect(formatIssuePath(['results', 3, 'label'])).toBe('results[3].label');
  });
});

describe('toClassifications', () => {
  it('gives the chosen label its confidence and the others an equal share of the rest', () => {
    const [decision] = toClassifications(
      [{ id: '0', label: 'urgent', confidence: 0.7, explanation: '9 days late' }],
      labels,
      'llm:m',
    );
    expect(decision).toEqual({
      label: 'urgent',
      confidence: 0.7,
      probabilities: { urgent: 0.7, normal: expect.closeTo(0.15, 10), low: expect.closeTo(0.15, 10) },
      explanation: '9 days late',
      model: 'llm:m',
    });
  });

  it('handles a task with a single label', () => {
    const [decision] = toClassifications(
      [{ id: '0', label: 'only', confidence: 0.4, explanation: '' }],
      ['only'],
      'llm:m',
    );
    expect(decision?.probabilities).toEqual({ only: 0.4 });
  });
});
