import { describe, expect, it } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import { allowFields, checkSomethingAllowed, requireAllowlist } from './allowlist.ts';

describe('allowFields', () => {
  const record = {
    notes: 'rush',
    notesInternal: 'margin 40%',
    buyer: 'Eva',
    supplier: { name: 'Acme', iban: 'DE89…' },
    lines: [
      { description: 'bolts', unitPrice: 1.2 },
      { description: 'nuts', unitPrice: 0.4 },
    ],
  };

  it('keeps exactly the named fields and paths, and lists what it held back', () => {
    expect(allowFields(record, ['notes', 'supplier.name', 'lines.description'])).toEqual({
      sent: {
        notes: 'rush',
        supplier: { name: 'Acme' },
        lines: [{ description: 'bolts' }, { description: 'nuts' }],
      },
      withheld: ['notesInternal', 'buyer', 'supplier.iban', 'lines.unitPrice'],
    });
  });

  it('sends a named object whole', () => {
    expect(allowFields(record, ['supplier']).sent).toEqual({ supplier: { name: 'Acme', iban: 'DE89…' } });
  });
});

describe('failing closed', () => {
  it('refuses a call without an allowlist, or with an empty one', () => {
    expect(() => requireAllowlist(undefined, 'po-urgency', 'po-urgency')).toThrow(ErpError);
    expect(() => requireAllowlist([], 'po-urgency', undefined)).toThrow(
      'task "po-urgency": no field may be sent to the LLM because the field allowlist is empty; nothing was sent',
    );
    expect(requireAllowlist(['notes'], 'po-urgency', undefined)).toEqual(['notes']);
  });

  it('refuses a record none of whose fields is allowed', () => {
    const allowed = allowFields({ buyer: 'Eva' }, ['notes']);
    expect(() => checkSomethingAllowed(allowed, ['notes'], 'po-urgency', '3')).toThrow(
      'task "po-urgency": none of the fields described for input 3 (buyer) is in the allowlist (notes); nothing was sent',
    );
  });
});
