import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { DocumentLayout, InvoiceDocumentContent } from './records.ts';

/**
 * Renders what a supplier printed as the document accounts payable received: plain text, or a PDF
 * (pdf-lib, Courier, one page per 60 lines) whose text a reader must extract. Three layouts, as
 * suppliers differ: English (`1,234.56`, `06 Mar 2026`), German (`1.234,56`, `06.03.2026`) and an
 * old dot-matrix print (`1234.56`, `2026-03-06`, capitals).
 */

type NumberStyle = 'en' | 'de' | 'plain';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function grouped(whole: number, separator: string): string {
  return String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}

/** A value in `unit`ths (`cents` = 100) with `decimals` shown, in the layout's number style. */
function formatNumber(value: number, unit: number, decimals: number, style: NumberStyle): string {
  const sign = value < 0 ? '-' : '';
  const absolute = Math.abs(value);
  const whole = Math.floor(absolute / unit);
  const fraction = String(absolute % unit)
    .padStart(String(unit).length - 1, '0')
    .slice(0, decimals);
  const wholeText =
    style === 'en' ? grouped(whole, ',') : style === 'de' ? grouped(whole, '.') : String(whole);
  if (decimals === 0) return `${sign}${wholeText}`;
  return `${sign}${wholeText}${style === 'de' ? ',' : '.'}${fraction}`;
}

function money(cents: number, style: NumberStyle): string {
  return formatNumber(cents, 100, 2, style);
}

function unitPrice(micro: number, style: NumberStyle): string {
  return formatNumber(micro, 10_000, micro % 100 === 0 ? 2 : 4, style);
}

function quantity(milli: number, style: NumberStyle): string {
  const decimals = milli % 1000 === 0 ? 0 : milli % 100 === 0 ? 1 : 3;
  return formatNumber(milli, 1000, decimals, style);
}

function dateText(iso: string, layout: DocumentLayout): string {
  const [year, month, day] = iso.split('-');
  if (layout === 'de') return `${day}.${month}.${year}`;
  if (layout === 'en') return `${day} ${MONTHS[Number(month) - 1]} ${year}`;
  return iso;
}

function rate(basis: number, style: NumberStyle): string {
  return formatNumber(basis, 100, basis % 100 === 0 ? 0 : 2, style);
}

const LABELS = {
  en: {
    title: 'INVOICE',
    number: 'Invoice No:',
    date: 'Invoice Date:',
    order: 'Your Order No:',
    currency: 'Currency:',
    header: 'Pos  Item        Description                         Qty    Unit  Unit Price        Amount',
    net: 'Net amount:',
    tax: (percent: string) => `VAT ${percent}%:`,
    gross: 'Total due:',
    footer: 'Payment terms: 30 days net. Please quote the invoice number with your payment.',
  },
  de: {
    title: 'RECHNUNG',
    number: 'Rechnungsnummer:',
    date: 'Rechnungsdatum:',
    order: 'Ihre Bestellung:',
    currency: 'Waehrung:',
    header: 'Pos  Artikel     Bezeichnung                       Menge    ME   Einzelpreis        Betrag',
    net: 'Nettobetrag:',
    tax: (percent: string) => `MwSt ${percent} %:`,
    gross: 'Rechnungsbetrag:',
    footer: 'Zahlbar innerhalb von 30 Tagen ohne Abzug.',
  },
  plain: {
    title: '*** INVOICE ***',
    number: 'INVOICE NO.',
    date: 'DATE',
    order: 'P.O. NO.',
    currency: 'CURRENCY',
    header: 'POS  ITEM        DESCRIPTION                         QTY    UOM       PRICE        AMOUNT',
    net: 'SUBTOTAL',
    tax: (percent: string) => `TAX ${percent}%`,
    gross: 'TOTAL',
    footer: 'TERMS NET 30',
  },
} as const;

/** The document as text lines, the same lines the PDF draws. */
export function invoiceDocumentLines(content: InvoiceDocumentContent): string[] {
  const layout = content.layout;
  const style: NumberStyle = layout;
  const labels = LABELS[layout];
  const caps = (text: string) => (layout === 'plain' ? text.toUpperCase() : text);
  const field = (label: string, value: string) => `${label.padEnd(18)}${value}`;
  const total = (label: string, value: string) => `${' '.repeat(50)}${label.padEnd(20)}${value.padStart(18)}`;
  const lines = [
    caps(content.supplierName),
    caps(`Country: ${content.supplierCountry}`),
    '',
    `${' '.repeat(60)}${labels.title}`,
    field(labels.number, content.invoiceNumber),
    field(labels.date, dateText(content.invoiceDate, layout)),
    field(labels.order, content.poNumber),
    field(labels.currency, content.currency),
    '',
    labels.header,
  ];
  for (const line of content.lines) {
    lines.push(
      [
        String(line.position).padStart(3),
        `  ${line.itemNo.padEnd(10)}`,
        `  ${caps(line.description).slice(0, 32).padEnd(32)}`,
        quantity(line.quantityMilli, style).padStart(9),
        `  ${line.uom.padEnd(4)}`,
        unitPrice(line.unitPriceMicro, style).padStart(12),
        money(line.amountCents, style).padStart(14),
      ].join(''),
    );
  }
  lines.push(
    '',
    total(labels.net, money(content.netCents, style)),
    total(labels.tax(rate(content.taxRateBasis, style)), money(content.taxCents, style)),
    total(`${labels.gross} ${content.currency}`, money(content.grossCents, style)),
    '',
    labels.footer,
  );
  return lines;
}

/** The document as plain text (`text/plain`), one line per printed line. */
export function renderInvoiceText(content: InvoiceDocumentContent): string {
  return `${invoiceDocumentLines(content).join('\n')}\n`;
}

const LINES_PER_PAGE = 60;

/**
 * The document as a PDF: each printed line one text run in Courier 8 pt on A4. Deterministic: the
 * document dates are the invoice date, so the same invoice always gives the same bytes.
 */
export async function renderInvoicePdf(content: InvoiceDocumentContent): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const date = new Date(`${content.invoiceDate}T00:00:00Z`);
  pdf.setCreationDate(date);
  pdf.setModificationDate(date);
  pdf.setProducer('erpbridge sandbox');
  pdf.setCreator('erpbridge sandbox');
  pdf.setTitle(`Invoice ${content.invoiceNumber}`);
  const font = await pdf.embedFont(StandardFonts.Courier);
  const lines = invoiceDocumentLines(content);
  for (let start = 0; start < lines.length; start += LINES_PER_PAGE) {
    const page = pdf.addPage([595.28, 841.89]);
    let y = 800;
    for (const line of lines.slice(start, start + LINES_PER_PAGE)) {
      if (line !== '') page.drawText(line, { x: 36, y, size: 8, font });
      y -= 12;
    }
  }
  return pdf.save();
}
