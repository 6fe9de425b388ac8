import { describe, expect, it } from 'vitest';
import {
  isValidIban,
  personNames,
  RedactionVault,
  redactFields,
  redactText,
  restorePlaceholders,
} from './redaction.ts';

function redact(text: string, names: string[] = []): { text: string; vault: RedactionVault } {
  const vault = new RedactionVault();
  return { text: redactText(text, vault, names), vault };
}

describe('redactText', () => {
  it('hides emails, phone numbers, IBANs, accounts and tax ids behind numbered placeholders', () => {
    const { text, vault } = redact(
      'Mail ap@acme.example or sales@acme.example, call +49 30 1234 5678 or (555) 123-4567. ' +
        'IBAN DE89 3704 0044 0532 0130 00, Kontonummer 0532013000, VAT DE123456789, EIN 12-3456789.',
    );
    expect(text).toBe(
      'Mail «EMAIL_1» or «EMAIL_2», call «PHONE_1» or «PHONE_2». ' +
        'IBAN «IBAN_1», Kontonummer «ACCOUNT_1», VAT «TAX_ID_1», EIN «TAX_ID_2».',
    );
    expect(vault.counts()).toEqual({ EMAIL: 2, PHONE: 2, IBAN: 1, ACCOUNT: 1, TAX_ID: 2 });
  });

  it('gives the same value the same placeholder within a record', () => {
    expect(redact('ap@acme.example, again ap@acme.example').text).toBe('«EMAIL_1», again «EMAIL_1»');
  });

  it('hides names after titles and labels, and known names wherever they appear', () => {
    expect(redact('Contact: John Smith. Ask Frau Müller. Regards, Peter').text).toBe(
      // Numbered in the order the detectors run: titles before labels.
      'Contact: «NAME_2». Ask Frau «NAME_1». Regards, «NAME_3»',
    );
    expect(redact('line down, call Eva Lind +49 30 1234567, ask Mr. Ek').text).toBe(
      'line down, call «NAME_2» «PHONE_1», ask Mr. «NAME_1»',
    );
    expect(redact('Schmidt says the line is down; Maria Schmidt will call', ['Maria Schmidt']).text).toBe(
      '«NAME_1» says the line is down; «NAME_1» will call',
    );
  });

  it('leaves order numbers, dates, amounts, GL accounts and ordinary words alone', () => {
    const text =
      'PO 4500000012 due 2026-11-02 (02.11.2026), 12.500,00 EUR, account 6100, ein Auftrag 12345, ' +
      'Contact: Purchasing, part 12-3456789, tin cans 123456';
    expect(redact(text).text).toBe(text);
  });

  it('accepts an IBAN only with a valid check sum, unless it is labelled', () => {
    expect(isValidIban('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(isValidIban('GB82 WEST 1234 5698 7654 33')).toBe(false);
    expect(redact('ref GB82 WEST 1234 5698 7654 33').text).toBe('ref GB82 WEST 1234 5698 7654 33');
    expect(redact('IBAN: GB82 WEST 1234 5698 7654 33').text).toBe('IBAN: «IBAN_1»');
  });
});

describe('redactFields and restorePlaceholders', () => {
  it('redacts every string at any depth, takes names from person fields, and restores the answer', () => {
    const described = {
      buyer: 'Maria Schmidt',
      notes: 'Schmidt: call +49 30 1234 5678',
      amount: 4711.5,
      lines: [{ text: 'send to maria@acme.example' }],
    };
    const vault = new RedactionVault();
    const redacted = redactFields(described, vault, personNames(described, ['buyer']));
    expect(redacted).toEqual({
      buyer: '«NAME_1»',
      notes: '«NAME_1»: call «PHONE_1»',
      amount: 4711.5,
      lines: [{ text: 'send to «EMAIL_1»' }],
    });
    const answer = { explanation: '«NAME_1» reported a stop; «EMAIL_9» is unknown', fields: ['«PHONE_1»'] };
    expect(restorePlaceholders(answer, vault)).toEqual({
      explanation: 'Maria Schmidt reported a stop; «EMAIL_9» is unknown',
      fields: ['+49 30 1234 5678'],
    });
  });
});
