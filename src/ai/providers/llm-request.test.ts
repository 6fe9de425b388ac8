import { describe, expect, it } from 'vitest';
import type { ClassifyTask } from '../contract.ts';
import { classifyMessages, describeInputs, repairMessages, responseFormat } from './llm-request.ts';

interface Invoice {
  number: string;
  amount: number;
  iban: string;
}

const task: ClassifyTask<Invoice, 'pay' | 'hold'> = {
  name: 'invoice-hold',
  labels: ['pay', 'hold'],
  featureVersion: 1,
  features: (invoice) => ({ numeric: { amount: invoice.amount }, text: '' }),
  instructions: '  Hold invoices that look wrong.  ',
  describe: (invoice) => ({ number: invoice.number, amount: invoice.amount }),
};

const invoices: Invoice[] = [
  { number: 'INV-1', amount: 10, iban: 'DE00 SECRET' },
  { number: 'INV-2', amount: 20, iban: 'DE01 SECRET' },
];

describe('describeInputs', () => {
  it('sends the position as id and exactly the described fields', () => {
    expect(describeInputs(task, invoices)).toEqual([
      { id: '0', json: '{"id":"0","number":"INV-1","amount":10}' },
      { id: '1', json: '{"id":"1","number":"INV-2","amount":20}' },
    ]);
  });

  it('refuses a described field named id instead of letting it shadow ours', () => {
    const clashing = { ...task, describe: (invoice: Invoice) => ({ id: invoice.number }) };
    expect(() => describeInputs(clashing, invoices)).toThrow(
      expect.objectContaining({
        name: 'ErpError',
        kind: 'permanent',
        message: 'task "invoice-hold": describe() returned a field named "id"',
        context: expect.objectContaining({ key: '0', field: 'id' }),
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
    expect(() => describeInputs(failing, invoices)).toThrow(
      expect.objectContaining({
        kind: 'permanent',
        message: 'task "invoice-hold": describe() failed for input 1: no supplier',
      }),
    );
  });

  it('refuses a described value that JSON cannot carry', () => {
    const bigint = { ...task, describe: () => ({ amount: 10n }) };
    expect(() => describeInputs(bigint, invoices)).toThrow(
      expect.objectContaining({
        kind: 'permanent',
        message: 'task "invoice-hold": describe() returned a value that is not JSON',
        context: expect.objectContaining({ key: '0' }),
      }),
    );
  });
});

describe('classifyMessages', () => {
  const batch = describeInputs(task, invoices);
  const jsonSchema = { type: 'object' };

  it('puts instructions and labels in the system message and the inputs in the user message', () => {
    const [system, user] = classifyMessages(task, batch, 'json_schema', jsonSchema);
    expect(system?.content).toMatch(
      /^Hold invoices that look wrong\.\n\nAllowed labels: "pay", "hold"\.\n\n/,
    );
    expect(system?.content).not.toContain('JSON Schema:');
    expect(user).toEqual({
      role: 'user',
      content: '[{"id":"0","number":"INV-1","amount":10},{"id":"1","number":"INV-2","amount":20}]',
    });
  });

  it('spells the schema out in json_object mode', () => {
    const [system] = classifyMessages(task, batch, 'json_object', jsonSchema);
    expect(system?.content).toContain('The JSON object must match this JSON Schema: {"type":"object"}');
  });

  it('appends the rejected answer and the problems for the repair', () => {
    const original = classifyMessages(task, batch, 'json_schema', jsonSchema);
    const repair = repairMessages(original, '{"results":[]}', 'results: no result for ids "0", "1"', batch);
    expect(repair.slice(0, 2)).toEqual(original);
    expect(repair[2]).toEqual({ role: 'assistant', content: '{"results":[]}' });
    expect(repair[3]?.content).toBe(
      'Your answer was rejected:\nresults: no result for ids "0", "1"\n\n' +
        'Answer again with the complete, corrected JSON object: exactly one result for each of the ids "0", "1", ' +
        'with labels only from the allowed labels.',
    );
  });
});

describe('responseFormat', () => {
  it('sends the schema strictly in json_schema mode and only asks for JSON in json_object mode', () => {
    expect(responseFormat('json_schema', { type: 'object' })).toEqual({
      type: 'json_schema',
      json_schema: { name: 'classification_results', strict: true, schema: { type: 'object' } },
    });
    expect(responseFormat('json_object', { type: 'object' })).toEqual({ type: 'json_object' });
  });
});
