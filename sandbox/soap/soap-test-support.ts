/**
 * Helpers for the SOAP personalities' tests: raw envelopes over real HTTP, reading answers with the
 * sandbox's own XML reader, and a small NTLMv2 client (MS-NLMP) written independently of the
 * server's code paths where it matters — it builds its own messages. Not part of the sandbox's
 * public face.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { Agent, type Dispatcher, request } from 'undici';
import { ntHash } from './ntlm-v2.ts';
import { SOAP11_NAMESPACE } from './soap-envelope.ts';
import { childNamed, childrenNamed, parseXmlDocument, type XmlElement } from './xml-document.ts';

/** A SOAP 1.1 envelope around `body` (and `header`). */
export function envelope(body: string, header = ''): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="${SOAP11_NAMESPACE}">` +
    `${header === '' ? '' : `<soapenv:Header>${header}</soapenv:Header>`}<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`
  );
}

/** An HTTP answer to a SOAP call. */
export interface SoapAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The element inside `Body` (the response or the Fault), or null when the answer is no envelope. */
  body: XmlElement | null;
  /** The envelope's Header, or null. */
  header: XmlElement | null;
}

/** Posts `xml` to `url`, on `dispatcher` when given (to control which connection is used). */
export async function postSoap(
  url: string,
  xml: string,
  options: { headers?: Record<string, string>; dispatcher?: Dispatcher; contentType?: string } = {},
): Promise<SoapAnswer> {
  const answer = await request(url, {
    method: 'POST',
    headers: { 'content-type': options.contentType ?? 'text/xml; charset=utf-8', ...options.headers },
    body: xml,
    ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const text = await answer.body.text();
  return { status: answer.statusCode, headers: answer.headers, text, ...envelopeParts(text) };
}

function envelopeParts(text: string): { body: XmlElement | null; header: XmlElement | null } {
  if (!text.trimStart().startsWith('<')) return { body: null, header: null };
  try {
    const root = parseXmlDocument(text);
    const body = childNamed(root, 'Body', SOAP11_NAMESPACE);
    return { body: body?.children[0] ?? null, header: childNamed(root, 'Header', SOAP11_NAMESPACE) };
  } catch {
    // Not an envelope (an HTML 401 page, say): the test looks at the status and text instead.
    return { body: null, header: null };
  }
}

/** The element at a path of child names below `start`; throws naming the missing step. */
export function at(start: XmlElement | null, ...path: string[]): XmlElement {
  let current = start;
  for (const step of path) {
    if (current === null) break;
    current = childNamed(current, step);
  }
  if (current === null) throw new Error(`no element at ${path.join('/')}`);
  return current;
}

/** The trimmed text at a path below `start`. */
export function textAt(start: XmlElement | null, ...path: string[]): string {
  return at(start, ...path).text.trim();
}

/** The children named `name` of the element at a path. */
export function rowsAt(start: XmlElement | null, name: string, ...path: string[]): XmlElement[] {
  return childrenNamed(at(start, ...path), name);
}

/** A flat element's children as field → trimmed text. */
export function fields(element: XmlElement): Record<string, string> {
  return Object.fromEntries(element.children.map((child) => [child.local, child.text.trim()]));
}

/** A dispatcher with exactly one connection, so consecutive requests share it (NTLM is per connection). */
export function singleConnection(): Agent {
  return new Agent({ connections: 1, pipelining: 1, keepAliveTimeout: 30_000 });
}

/** An NTLM NEGOTIATE (type 1) token, base64, asking for Unicode, NTLM and extended session security. */
export function ntlmNegotiate(): string {
  const message = Buffer.alloc(32);
  message.write('NTLMSSP\0', 0, 'latin1');
  message.writeUInt32LE(1, 8);
  message.writeUInt32LE(0x00000001 | 0x00000004 | 0x00000200 | 0x00008000 | 0x00080000, 12);
  return message.toString('base64');
}

/** The server challenge and target info of a `WWW-Authenticate: NTLM <type 2>` header. */
export function readChallenge(header: string): {
  serverChallenge: Buffer;
  targetInfo: Buffer;
  flags: number;
} {
  const match = /^NTLM ([A-Za-z0-9+/=]+)$/.exec(header);
  if (match?.[1] === undefined) throw new Error(`not an NTLM challenge: ${header}`);
  const message = Buffer.from(match[1], 'base64');
  if (message.readUInt32LE(8) !== 2) throw new Error('not an NTLM type 2 message');
  const infoLength = message.readUInt16LE(40);
  const infoOffset = message.readUInt32LE(44);
  return {
    flags: message.readUInt32LE(20),
    serverChallenge: message.subarray(24, 32),
    targetInfo: message.subarray(infoOffset, infoOffset + infoLength),
  };
}

/** An NTLM AUTHENTICATE (type 3) token with an NTLMv2 response to `challengeHeader`. */
export function ntlmAuthenticate(
  challengeHeader: string,
  account: { domain: string; user: string; password: string },
  workstation = 'BUILD-01',
): string {
  const { serverChallenge, targetInfo, flags } = readChallenge(challengeHeader);
  const key = createHmac('md5', ntHash(account.password))
    .update(Buffer.from(account.user.toUpperCase() + account.domain, 'utf16le'))
    .digest();
  const timestamp = Buffer.alloc(8);
  timestamp.writeBigUInt64LE((BigInt(Date.now()) + 11_644_473_600_000n) * 10_000n);
  const blob = Buffer.concat([
    Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]),
    timestamp,
    randomBytes(8),
    Buffer.alloc(4),
    targetInfo,
    Buffer.alloc(4),
  ]);
  const proof = createHmac('md5', key).update(serverChallenge).update(blob).digest();
  const ntResponse = Buffer.concat([proof, blob]);
  const lmResponse = Buffer.alloc(24);
  const payload = [
    lmResponse,
    ntResponse,
    Buffer.from(account.domain, 'utf16le'),
    Buffer.from(account.user, 'utf16le'),
    Buffer.from(workstation, 'utf16le'),
    Buffer.alloc(0),
  ];
  const header = Buffer.alloc(64);
  header.write('NTLMSSP\0', 0, 'latin1');
  header.writeUInt32LE(3, 8);
  let offset = header.length;
  payload.forEach((part, index) => {
    const at = 12 + index * 8;
    header.writeUInt16LE(part.length, at);
    header.writeUInt16LE(part.length, at + 2);
    header.writeUInt32LE(offset, at + 4);
    offset += part.length;
  });
  header.writeUInt32LE(flags >>> 0, 60);
  return Buffer.concat([header, ...payload]).toString('base64');
}

/**
 * Authenticates `dispatcher`'s one connection to `url` with the NTLM handshake (two 401s, then
 * the call itself) and returns the answer to `xml`.
 */
export async function postWithNtlm(
  url: string,
  xml: string,
  account: { domain: string; user: string; password: string },
  dispatcher: Dispatcher,
): Promise<SoapAnswer> {
  const challenge = await postSoap(url, xml, {
    dispatcher,
    headers: { authorization: `NTLM ${ntlmNegotiate()}` },
  });
  const header = challenge.headers['www-authenticate'];
  if (challenge.status !== 401 || typeof header !== 'string') {
    throw new Error(`expected a 401 NTLM challenge, got ${challenge.status}`);
  }
  return postSoap(url, xml, {
    dispatcher,
    headers: { authorization: `NTLM ${ntlmAuthenticate(header, account)}` },
  });
}
