import { InvoiceDocumentFields } from '../../matching/document-fields.ts';
import type { ExtractTask, RuleExtraction } from '../contract.ts';

/** What the invoice extract task reads: the document's text (a PDF's text extracted first). */
export interface InvoiceDocumentInput {
  /** The invoice's id, for messages. */
  invoiceId: string;
  text: string;
}

type NumberStyle = 'comma-decimal' | 'dot-decimal';

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
  mär: 3,
  mai: 5,
  okt: 10,
  dez: 12,
};

/** Labels suppliers print, in English and German, each as a pattern for the start of a line. */
const LABELS = {
  number:
    /^\s*(?:invoice\s*(?:no\.?|number|#)|rechnungs?\s*(?:nummer|nr\.?)|facture\s*n[o°]\.?)\s*:?\s*(.+?)\s*$/im,
  date: /^\s*(?:invoice\s*date|rechnungsdatum|datum|date)\s*:?\s*(.+?)\s*$/im,
  order:
    /^\s*(?:your\s*order(?:\s*no\.?)?|p\.?\s*o\.?\s*(?:no\.?|number)|purchase\s*order(?:\s*no\.?)?|ihre\s*bestellung|bestell(?:nummer|ung))\s*:?\s*(.+?)\s*$/im,
  currency: /^\s*(?:currency|w(?:ae|ä)hrung)\s*:?\s*([A-Za-z]{3})\b/im,
  net: /^\s*(?:net\s*amount|subtotal|nettobetrag|netto)\s*:?\s*(?:[A-Z]{3}\s*)?(-?[\d.,]+)\s*$/im,
  tax: /^\s*(?:vat|tax|mwst\.?|ust\.?)\s*([\d.,]+)\s*%\s*:?\s*(?:[A-Z]{3}\s*)?(-?[\d.,]+)\s*$/im,
  gross:
    /^\s*(?:total\s*due|total|rechnungsbetrag|gesamtbetrag|bruttobetrag)\s*:?\s*(?:([A-Z]{3})\s*)?:?\s*(-?[\d.,]+)\s*$/im,
} as const;

/** pos, item, description, quantity, unit, unit price, amount — parsed from the right. */
const LINE =
  /^\s*(\d{1,4})\s+(\d{3,18})\s+(.+?)\s+(-?[\d.,]+)\s+([A-Za-z]{1,4})\s+(-?[\d.,]+)\s+(-?[\d.,]+)\s*$/;

/** German documents write `1.234,56`; the rest here `1,234.56` or `1234.56`. */
function numberStyleOf(text: string): NumberStyle {
  return /\b(?:rechnung|mwst|nettobetrag|bestellung|menge|einzelpreis)\b/i.test(text)
    ? 'comma-decimal'
    : 'dot-decimal';
}

/** Parses a number in the document's style, or null when it is not one. */
export function parseDocumentNumber(text: string, style: NumberStyle): number | null {
  const trimmed = text.trim();
  const pattern =
    style === 'comma-decimal'
      ? /^-?\d{1,3}(?:\.\d{3})*(?:,\d+)?$|^-?\d+(?:,\d+)?$/
      : /^-?\d{1,3}(?:,\d{3})*(?:\.\d+)?$|^-?\d+(?:\.\d+)?$/;
  if (!pattern.test(trimmed)) return null;
  const normalised =
    style === 'comma-decimal' ? trimmed.replaceAll('.', '').replace(',', '.') : trimmed.replaceAll(',', '');
  const value = Number(normalised);
  return Number.isFinite(value) ? value : null;
}

function isoDate(year: number, month: number, day: number): string | null {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return null;
  return date.toISOString().slice(0, 10);
}

/** `2026-03-06`, `06.03.2026`, `06 Mar 2026`, `20260306` → ISO; null for anything else. */
export function parseDocumentDate(text: string): string | null {
  const value = text.trim();
  let match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match) return isoDate(Number(match[1]), Number(match[2]), Number(match[3]));
  match = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(value);
  if (match) return isoDate(Number(match[3]), Number(match[2]), Number(match[1]));
  match = /^(\d{1,2})\.?\s+([A-Za-zä]{3})[a-zä]*\.?\s+(\d{4})$/.exec(value);
  if (match) {
    const month = MONTHS[(match[2] ?? '').toLowerCase()];
    return month === undefined ? null : isoDate(Number(match[3]), month, Number(match[1]));
  }
  match = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (match) return isoDate(Number(match[1]), Number(match[2]), Number(match[3]));
  return null;
}

/**
 * The embedded extractor: reads an invoice document's text by its labels ("Invoice No",
 * "Rechnungsnummer", "VAT 19%", "Total due", …) and its table lines (position, item, description,
 * quantity, unit, unit price, amount — parsed from the right, so descriptions may hold anything).
 * Works on the aligned text print and on a PDF's extracted text alike (whitespace is not relied on).
 * Confidence is the share of the header fields found, lowered when the lines do not add up to the
 * net amount.
 */
export function extractInvoiceFields(text: string): RuleExtraction {
  const style = numberStyleOf(text);
  const found: string[] = [];
  const missing: string[] = [];
  const capture = (name: string, pattern: RegExp, group = 1): string | null => {
    const value = pattern.exec(text)?.[group] ?? null;
    (value === null ? missing : found).push(name);
    return value;
  };
  const amount = (value: string | null) => (value === null ? null : parseDocumentNumber(value, style));

  const number = capture('invoice number', LABELS.number);
  const dateText = capture('invoice date', LABELS.date);
  const order = capture('order', LABELS.order);
  const currencyText = capture('currency', LABELS.currency);
  const net = amount(capture('net amount', LABELS.net));
  const taxMatch = LABELS.tax.exec(text);
  (taxMatch ? found : missing).push('VAT');
  const grossMatch = LABELS.gross.exec(text);
  (grossMatch ? found : missing).push('total');

  const lines = [];
  for (const row of text.split(/\r?\n/)) {
    const match = LINE.exec(row);
    if (!match) continue;
    const [, , itemId = '', description = '', quantity = '', uom = '', unitPrice = '', lineAmount = ''] =
      match;
    const values = [quantity, unitPrice, lineAmount].map((value) => parseDocumentNumber(value, style));
    const [parsedQuantity, parsedPrice, parsedAmount] = values;
    if (parsedQuantity == null || parsedPrice == null || parsedAmount == null) continue;
    lines.push({
      itemId: itemId.replace(/^0+(?=\d)/, ''),
      description: description.trim(),
      quantity: parsedQuantity,
      uom: uom.toUpperCase(),
      unitPrice: parsedPrice,
      amount: parsedAmount,
    });
  }
  const fields = {
    invoiceNumber: number,
    invoiceDate: dateText === null ? null : parseDocumentDate(dateText),
    purchaseOrderId: order === null ? null : order.replace(/\s+/g, '').replace(/^0+(?=\d)/, ''),
    currency: currencyText?.toUpperCase() ?? grossMatch?.[1]?.toUpperCase() ?? null,
    netAmount: net,
    taxRate: taxMatch ? parseDocumentNumber(taxMatch[1] ?? '', style) : null,
    taxAmount: taxMatch ? parseDocumentNumber(taxMatch[2] ?? '', style) : null,
    grossAmount: grossMatch ? parseDocumentNumber(grossMatch[2] ?? '', style) : null,
    lines,
  };
  let confidence = found.length / (found.length + missing.length);
  const notes: string[] = [];
  if (lines.length === 0) {
    confidence *= 0.5;
    notes.push('no table lines found');
  } else if (net !== null) {
    const sum = lines.reduce((total, line) => total + line.amount, 0);
    if (Math.abs(sum - net) > 0.011 * lines.length) {
      confidence *= 0.8;
      notes.push(`lines add up to ${sum.toFixed(2)}, not the net ${net.toFixed(2)}`);
    }
  }
  if (dateText !== null && fields.invoiceDate === null) notes.push(`unreadable date "${dateText}"`);
  const explanation = [
    `${style} document; found ${found.join(', ') || 'nothing'}`,
    missing.length > 0 ? `missing ${missing.join(', ')}` : '',
    `${lines.length} line${lines.length === 1 ? '' : 's'}`,
    ...notes,
  ]
    .filter((part) => part !== '')
    .join('; ');
  return { fields, confidence: Math.round(confidence * 1000) / 1000, explanation };
}

/**
 * The `extract` task for invoice documents: the fields of {@link InvoiceDocumentFields} from the
 * document's text. The embedded provider runs {@link extractInvoiceFields}; an LLM provider gets
 * the text (and only the text) with the instructions.
 */
export const invoiceExtractTask: ExtractTask<InvoiceDocumentInput, typeof InvoiceDocumentFields> = {
  name: 'invoice-extract',
  schema: InvoiceDocumentFields,
  instructions: [
    'Read the supplier invoice below and return its fields exactly as printed.',
    'invoiceNumber: the supplier’s invoice number as printed (keep separators and leading zeros).',
    'invoiceDate: ISO date YYYY-MM-DD. purchaseOrderId: the buyer’s order number, digits only.',
    'Amounts and prices as plain numbers (German documents write 1.234,56 for 1234.56).',
    'taxRate in percent (19 for 19 %). lines: every table line with item number, description,',
    'quantity, unit, unit price and line amount. Use null for a field the document does not show.',
  ].join('\n'),
  promptVersion: 1,
  maxBatch: 1,
  describe: (input) => ({ text: input.text }),
  rules: (input) => extractInvoiceFields(input.text),
};
