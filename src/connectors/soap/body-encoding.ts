import { Buffer } from 'node:buffer';

/**
 * Turning an answer's bytes into text in the encoding the ERP used. Old SAP and AX installations
 * still answer in ISO-8859-1 or windows-1252; decoding those as UTF-8 would turn every umlaut into
 * U+FFFD. Order: a byte order mark, the Content-Type charset, the XML declaration's encoding, UTF-8.
 */

/** The text of a body as the HTTP client delivered it (bytes or, already, a string). Pure. */
export function decodeBody(data: unknown, contentType: string | undefined): string {
  if (typeof data === 'string') return data;
  const bytes = toBuffer(data);
  if (bytes === undefined) return '';
  const label = bomEncoding(bytes) ?? charsetOf(contentType) ?? declaredEncoding(bytes) ?? 'utf-8';
  return decode(bytes, label);
}

function toBuffer(data: unknown): Buffer | undefined {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

function bomEncoding(bytes: Buffer): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** The charset parameter of a Content-Type: `text/xml; charset="ISO-8859-1"` → `ISO-8859-1`. */
export function charsetOf(contentType: string | undefined): string | undefined {
  return /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1];
}

/** The encoding an XML declaration names, read from the first bytes as ASCII. */
function declaredEncoding(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, 200).toString('latin1');
  return /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
}

function decode(bytes: Buffer, label: string): string {
  if (/^utf-?8$/i.test(label)) {
    // Node's own UTF-8 decoding (the same U+FFFD for broken bytes), about twice TextDecoder's speed
    // on megabyte answers; a BOM is dropped as TextDecoder drops it.
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    return bytes.toString('utf8', bom);
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label);
  } catch {
    // An encoding label the WHATWG list does not know: UTF-8 is what the ERP most likely meant.
    decoder = new TextDecoder('utf-8');
  }
  // TextDecoder drops a leading BOM of its own encoding; other garbage becomes U+FFFD, never an error.
  return decoder.decode(bytes);
}
