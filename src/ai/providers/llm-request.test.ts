import { describe, expect, it } from 'vitest';
import type { ClassifyTask } from '../contract.ts';
import {
  batchMessages,
  PLACEHOLDER_NOTE,
  prepareRecords,
  repairMessages,
  responseFormat,
  systemMessage,
} from './llm-request.ts';

interface Invoice {
  number: string;
  amount: number;
  iban: string;
  contact: string;
  note: string;
}

const task: ClassifyTask<Invoice, 'pay' | 'hold'> = {
  name: 'invoice-hold',
  labels: ['pay', 'hold'],
  featureVersion: 1,
  features: (invoice) => ({ numeric: { amount: invoice.amount }, text: '' }),
  instructions: '  Hold invoices that look wrong.  ',
  describe: (invoice) => ({
    number: invoice.number,
    amount: invoice.amount,
    contact: invoice.contact,
    note: invoice.note,
  }),
  personFields: ['contact'],
};

const invoices: Invoice[] = [
  {
    number: 'INV-1',
    amount: 10,
    iban: 'DE00 SECRET',
    contact: 'Eva Lind',
    note: 'ask Lind, eva@lind.example',
  },
  { number: 'INV-2', amount: 20, iban: 'DE01 SECRET', contact: 'Bo Ek', note: 'ok' },
];

describe('prepareRecords', () => {
  it('sends the position as id and only the allowed fields, with personal data behind placeholders', () => {
    const [first, second] = prepareRecords(task, invoices, ['number', 'amount', 'note']);
    expect(first?.json).toBe('{"id":"0","number":"INV-1","amount":10,"note":"ask «NAME_1», «EMAIL_1»"}');
    expect(first?.fieldsJson).toBe('{"number":"INV-1","amount":10,"note":"ask «NAME_1», «EMAIL_1»"}');
    expect(first?.withheld).toEqual(['contact']);
    expect(first?.vault.original('«NAME_1»')).toBe('Eva Lind');
    expect(first?.vault.original('«EMAIL_1»')).toBe('eva@lind.example');
    expect(second?.json).toBe('{"id":"1","number":"INV-2","amount":20,"note":"ok"}');
  });

  it('redacts an allowed person field whole', () => {
    const [first] = prepareRecords(task, invoices, ['contact']);
    expect(first?.json).toBe('{"id":"0","contact":"«NAME_1»"}');
  });

  it('refuses a described field named id instead of letting it shadow ours', () => {
    const shadowing = { ...task, describe: (invoice: Invoice) => ({ id: invoice.number }) };
    expect(() => prepareRecords(shadowing, invoices, ['id'])).toThrow(
      expect.objectContaining({
        kind: 'permanent',
        message: 'task "invoice-hold": describe() returned a field named "id"',
      }),
    );
  });

  it('turns a describe() that throws into an ErpError naming the input', () => {
    const failing = {
      ...task,
      describe: (invoice: Invoice) => {
        if (invoice.number === 'INV-2') throw new Error('no supplier');
        return { number: invoice.number };
      },
    };
    expect(() => prepareRecords(failing, invoices, ['number'])).toThrow(
      expect.objectContaining({ message: 'task "invoice-hold": describe() failed for input 1: no supplier' }),
    );
  });

  it('refuses a described value that JSON cannot carry', () => {
    const bad = { ...task, describe: () => ({ number: 1n }) };
    expect(() => prepareRecords(bad, invoices, ['number'])).toThrow(
      expect.objectContaining({
        message: 'task "invoice-hold": describe() returned a value that is not JSON',
      }),
    );
  });
});

describe('messages', () => {
  const batch = prepareRecords(task, invoices, ['number', 'amount']);
  const parts = {
    instructions: task.instructions,
    allowed: ['Allowed labels: "pay", "hold".'],
    answerShape: 'Answer so.',
  };

  it('puts instructions, allowed values and the placeholder note in the system message, inputs in the user message', () => {
    const system = systemMessage(parts, 'json_schema', { type: 'object' });
    expect(system).toBe(
      'Hold invoices that look wrong.\n\nAllowed labels: "pay", "hold".\n\n' +
        `The user message is a JSON array of inputs, each with an "id". Answer so.\n\n${PLACEHOLDER_NOTE}`,
    );
    expect(batchMessages(system, batch)[1]).toEqual({
      role: 'user',
      content: '[{"id":"0","number":"INV-1","amount":10},{"id":"1","number":"INV-2","amount":20}]',
    });
  });

  it('spells the schema out in json_object mode', () => {
    expect(systemMessage(parts, 'json_object', { type: 'object' })).toContain(
      'The JSON object must match this JSON Schema: {"type":"object"}',
    );
  });

  it('appends the rejected answer and the problems for the repair, of the batch or of some ids', () => {
    const original = batchMessages('system', batch);
    const whole = repairMessages(
      original,
      '{"results":[]}',
      'results: no result for ids "0", "1"',
      ['0', '1'],
      true,
    );
    expect(whole.slice(0, 2)).toEqual(original);
    expect(whole[2]).toEqual({ role: 'assistant', content: '{"results":[]}' });
    expect(whole[3]?.content).toBe(
      'Your answer was rejected:\nresults: no result for ids "0", "1"\n\n' +
        'Answer again with the complete, corrected JSON object: exactly one result for each of the ids "0", "1", ' +
        'with values only from the allowed ones.',
    );
    const some = repairMessages(original, '{}', 'results[1].label: …', ['1'], false);
    expect(some[3]?.content).toContain(
      'Answer again with a corrected JSON object holding results only for the ids "1"',
    );
  });
});

describe('responseFormat', () => {
  it('sends the schema strictly in json_schema mode and only asks for JSON in json_object mode', () => {
    expect(responseFormat('json_schema', 'classification_results', { type: 'object' })).toEqual({
      type: 'json_schema',
      json_schema: { name: 'classification_results', strict: true, schema: { type: 'object' } },
    });
    expect(responseFormat('json_object', 'classification_results', { type: 'object' })).toEqual({
      type: 'json_object',
    });
  });
});
