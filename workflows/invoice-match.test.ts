import { describe, expect, it } from 'vitest';
import { labelOfDecision } from '../src/ai/tasks/invoice-match.ts';
import { WorkflowConfig } from '../src/config/schema.ts';
import { ConfigError } from '../src/errors/index.ts';
import { invoice } from '../src/matching/test-fixtures.ts';
import { exceptionText, invoiceMatchWorkflow } from './invoice-match.ts';
import { anomalyNote, priceAnomaliesWorkflow } from './price-anomalies.ts';

const config = (options: Record<string, unknown>) =>
  WorkflowConfig.parse({ connector: 'sandbox', task: 'invoice-match', options });

describe('invoice-match and price-anomalies workflows', () => {
  it('declare their entity and writable fields, with options at their defaults', () => {
    const matching = invoiceMatchWorkflow('invoice-match', config({}));
    expect(matching.entity.name).toBe('invoice');
    expect(matching.fields).toEqual(['matchStatus', 'exceptionReason']);
    expect(matching.entity.mapping(matching.profile).vendorEntity).toBe('invoices');
    const prices = priceAnomaliesWorkflow('prices', config({ minScore: 0.7 }));
    expect(prices.entity.mapping(prices.profile).vendorEntity).toBe('price_reviews');
    expect(prices.fields).toEqual(['anomalyNote']);
  });

  it('refuse a bad option with a ConfigError naming workflows.<name>.options.<key>', () => {
    const bad = () => invoiceMatchWorkflow('ap', config({ tolerances: { pricePct: -2 } }));
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/^workflows\.ap\.options\.tolerances\.pricePct: /);
    expect(() => invoiceMatchWorkflow('ap', config({ documents: 'tiff' }))).toThrow(
      /workflows\.ap\.options\.documents/,
    );
    expect(() => priceAnomaliesWorkflow('p', config({ minScore: 2 }))).toThrow(
      /workflows\.p\.options\.minScore/,
    );
    expect(() => priceAnomaliesWorkflow('p', config({ colour: 'red' }))).toThrow(/workflows\.p\.options/);
  });

  it('refuse a profile that maps no invoices, naming what it maps', () => {
    const workflow = invoiceMatchWorkflow(
      'ap',
      WorkflowConfig.parse({ connector: 'erp', task: 'invoice-match', profile: 'sap-ecc' }),
    );
    expect(() => workflow.entity.mapping(workflow.profile)).toThrow(/profile sap-ecc maps no invoice/);
  });

  it('write short exception texts and notes the ERP can keep', () => {
    expect(exceptionText('price_variance', 'line 10: unit price 5.00, order price 4.56')).toBe(
      'price variance: line 10: unit price 5.00, order price 4.56',
    );
    expect(exceptionText('duplicate', 'duplicate of invoice 5105600001 (INV-1)')).toBe(
      'duplicate of invoice 5105600001 (INV-1)',
    );
    const long = exceptionText('tax_error', 'x'.repeat(300));
    expect(long).toHaveLength(120);
    expect(long.endsWith('…')).toBe(true);
    const note = anomalyNote(
      'line 10: unit price 48.80 is 12× the median 4.23 of 223 earlier orders of item 10001654 (Stainless sheet 1.4301 1.5mm) from all suppliers',
      120,
    );
    expect(note).toBe(
      'PRICE CHECK: line 10: unit price 48.80 is 12× the median 4.23 of 223 earlier orders of item 10001654 from all suppliers',
    );
  });

  it('learn from people’s earlier decisions by the words their reasons start with', () => {
    expect(labelOfDecision(invoice({ matchStatus: 'matched' }))).toBe('matched');
    expect(
      labelOfDecision(invoice({ matchStatus: 'exception', exceptionReason: 'price variance: line 1' })),
    ).toBe('price_variance');
    expect(
      labelOfDecision(invoice({ matchStatus: 'exception', exceptionReason: 'duplicate of invoice 7' })),
    ).toBe('duplicate');
    expect(
      labelOfDecision(invoice({ matchStatus: 'exception', exceptionReason: 'call the supplier' })),
    ).toBeNull();
    expect(labelOfDecision(invoice())).toBeNull();
  });
});
