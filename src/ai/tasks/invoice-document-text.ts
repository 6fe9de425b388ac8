import { extractText, getDocumentProxy } from 'unpdf';
import type { InvoiceDocument } from '../../canonical/invoice.ts';
import { ErpError } from '../../errors/index.ts';

/**
 * The text of an invoice document: a text document as it is, a PDF's text extracted with unpdf
 * (pdf.js), page by page, each text line on its own line. A PDF that cannot be read is a
 * `validation` ErpError naming the invoice and the file.
 */
export async function invoiceDocumentText(document: InvoiceDocument): Promise<string> {
  if (document.mediaType === 'text/plain') return document.content;
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>> | undefined;
  try {
    pdf = await getDocumentProxy(new Uint8Array(Buffer.from(document.content, 'base64')));
    const { text } = await extractText(pdf, { mergePages: false });
    return text.join('\n');
  } catch (error) {
    throw new ErpError(
      'validation',
      `cannot read the PDF ${document.fileName || '(unnamed)'} of invoice ${document.id}: ${error instanceof Error ? error.message : String(error)}`,
      { entity: 'invoice_documents', key: document.id, field: 'content', cause: error },
    );
  } finally {
    await pdf?.destroy();
  }
}
