import type { ByteInput } from '../byte-source.ts';
import type { EdiEvent, EdiInterchange } from '../edi/edi-model.ts';
import type { EnvelopeSyntax } from '../edi/envelope-reader.ts';
import { collectInterchanges, type EdiDialect, type ReadEdiOptions, readEdi } from '../edi/read-edi.ts';
import { X12Tokenizer } from './x12-tokenizer.ts';

/** X12's envelopes: ISA13/IEA02, GS06/GE02, ST02/SE02; every transaction set inside a GS group. */
export const X12_SYNTAX: EnvelopeSyntax = {
  standard: 'x12',
  interchange: { header: 'ISA', trailer: 'IEA', control: 13 },
  group: { header: 'GS', trailer: 'GE', control: 6 },
  message: { header: 'ST', trailer: 'SE', control: 2, type: 1 },
  groupsRequired: true,
  messageWord: 'transaction set',
};

const X12_DIALECT: EdiDialect = {
  syntax: X12_SYNTAX,
  tokenizer: (options) => new X12Tokenizer(options),
};

/**
 * The envelope events of an X12 file (850, 855, 856, 810, 997 …), transaction sets one at a time.
 *
 * @throws FormatError `control` when a count or control number disagrees (ISA/IEA, GS/GE, ST/SE),
 *   `truncated` when a trailer is missing, `malformed`, `too-long`, `encoding` — naming the segment
 *   index, its tag and line. With `control: 'report'` control problems become issues instead.
 * @example
 *   for await (const event of readX12('inbound/850.edi'))
 *     if (event.kind === 'message') handle(event.message);
 */
export function readX12(input: ByteInput, options: ReadEdiOptions = {}): AsyncGenerator<EdiEvent> {
  return readEdi(input, X12_DIALECT, options);
}

/** Every interchange of an X12 file as one model (see {@link readX12} for streaming). */
export function parseX12(input: ByteInput, options: ReadEdiOptions = {}): Promise<EdiInterchange[]> {
  return collectInterchanges(readX12(input, options));
}
