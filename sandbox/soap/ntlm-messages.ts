/**
 * NTLM messages on the wire (MS-NLMP §2.2.1): reading NEGOTIATE (type 1) and AUTHENTICATE (type 3)
 * messages and writing CHALLENGE (type 2) messages. Every length and offset a client sends is
 * checked against the message before it is read: these bytes come from anyone.
 */

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

/** The negotiate flags this server uses (MS-NLMP §2.2.2.5). */
export const NTLM_FLAGS = {
  unicode: 0x00000001,
  oem: 0x00000002,
  requestTarget: 0x00000004,
  ntlm: 0x00000200,
  alwaysSign: 0x00008000,
  targetTypeDomain: 0x00010000,
  extendedSessionSecurity: 0x00080000,
  targetInfo: 0x00800000,
  version: 0x02000000,
  bits128: 0x20000000,
  keyExchange: 0x40000000,
  bits56: 0x80000000,
} as const;

/** A message that is not a well-formed NTLM message of the expected type. */
export class NtlmMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NtlmMessageError';
  }
}

/** The message type of an NTLM token (1, 2 or 3), after checking its signature. */
export function ntlmMessageType(token: Buffer): number {
  if (token.length < 12 || !token.subarray(0, 8).equals(SIGNATURE)) {
    throw new NtlmMessageError('not an NTLM message (bad signature)');
  }
  return token.readUInt32LE(8);
}

/** A NEGOTIATE_MESSAGE: the flags the client asks for. */
export interface NegotiateMessage {
  flags: number;
}

export function readNegotiateMessage(token: Buffer): NegotiateMessage {
  if (ntlmMessageType(token) !== 1 || token.length < 16)
    throw new NtlmMessageError('expected an NTLM type 1 message');
  return { flags: token.readUInt32LE(12) };
}

/** An AUTHENTICATE_MESSAGE: the responses to our challenge and who the client says it is. */
export interface AuthenticateMessage {
  flags: number;
  lmResponse: Buffer;
  ntResponse: Buffer;
  domain: string;
  user: string;
  workstation: string;
}

function securityBuffer(token: Buffer, at: number, name: string): Buffer {
  if (at + 8 > token.length) throw new NtlmMessageError(`the ${name} field is cut off`);
  const length = token.readUInt16LE(at);
  const offset = token.readUInt32LE(at + 4);
  if (length === 0) return Buffer.alloc(0);
  if (offset + length > token.length)
    throw new NtlmMessageError(`the ${name} field points outside the message`);
  return token.subarray(offset, offset + length);
}

export function readAuthenticateMessage(token: Buffer): AuthenticateMessage {
  if (ntlmMessageType(token) !== 3) throw new NtlmMessageError('expected an NTLM type 3 message');
  if (token.length < 64) throw new NtlmMessageError('the type 3 message is too short');
  const flags = token.readUInt32LE(60);
  const text = (bytes: Buffer) =>
    flags & NTLM_FLAGS.unicode ? bytes.toString('utf16le') : bytes.toString('latin1');
  return {
    flags,
    lmResponse: Buffer.from(securityBuffer(token, 12, 'LmChallengeResponse')),
    ntResponse: Buffer.from(securityBuffer(token, 20, 'NtChallengeResponse')),
    domain: text(securityBuffer(token, 28, 'DomainName')),
    user: text(securityBuffer(token, 36, 'UserName')),
    workstation: text(securityBuffer(token, 44, 'Workstation')),
  };
}

/** AV_PAIR ids of the target info (MS-NLMP §2.2.2.1). */
const AV = {
  eol: 0,
  nbComputerName: 1,
  nbDomainName: 2,
  dnsComputerName: 3,
  dnsDomainName: 4,
  timestamp: 7,
} as const;

function avPair(id: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16LE(id, 0);
  head.writeUInt16LE(value.length, 2);
  return Buffer.concat([head, value]);
}

/** Windows FILETIME (100 ns since 1601-01-01) of a JavaScript time. */
function fileTime(ms: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64LE((BigInt(ms) + 11_644_473_600_000n) * 10_000n);
  return buffer;
}

/** What the server puts into its challenge. */
export interface ChallengeDetails {
  serverChallenge: Buffer;
  /** NetBIOS domain name, e.g. `CONTOSO`. */
  domain: string;
  /** NetBIOS computer name, e.g. `AX2012-AOS`. */
  computer: string;
  /** DNS domain, e.g. `contoso.local`. */
  dnsDomain: string;
  now: number;
}

/**
 * Writes a CHALLENGE_MESSAGE offering NTLMv2 (extended session security and target info, which
 * is what makes clients answer with NTLMv2), in Unicode, with a Windows version.
 */
export function writeChallengeMessage(details: ChallengeDetails): Buffer {
  const utf16 = (text: string) => Buffer.from(text, 'utf16le');
  const targetName = utf16(details.domain.toUpperCase());
  const targetInfo = Buffer.concat([
    avPair(AV.nbDomainName, utf16(details.domain.toUpperCase())),
    avPair(AV.nbComputerName, utf16(details.computer.toUpperCase())),
    avPair(AV.dnsDomainName, utf16(details.dnsDomain)),
    avPair(AV.dnsComputerName, utf16(`${details.computer.toLowerCase()}.${details.dnsDomain}`)),
    avPair(AV.timestamp, fileTime(details.now)),
    avPair(AV.eol, Buffer.alloc(0)),
  ]);
  const flags =
    NTLM_FLAGS.unicode |
    NTLM_FLAGS.requestTarget |
    NTLM_FLAGS.ntlm |
    NTLM_FLAGS.alwaysSign |
    NTLM_FLAGS.targetTypeDomain |
    NTLM_FLAGS.extendedSessionSecurity |
    NTLM_FLAGS.targetInfo |
    NTLM_FLAGS.version |
    NTLM_FLAGS.bits128 |
    NTLM_FLAGS.keyExchange |
    NTLM_FLAGS.bits56;
  const headerLength = 56;
  const header = Buffer.alloc(headerLength);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(2, 8);
  header.writeUInt16LE(targetName.length, 12);
  header.writeUInt16LE(targetName.length, 14);
  header.writeUInt32LE(headerLength, 16);
  header.writeUInt32LE(flags >>> 0, 20);
  details.serverChallenge.copy(header, 24, 0, 8);
  header.writeUInt16LE(targetInfo.length, 40);
  header.writeUInt16LE(targetInfo.length, 42);
  header.writeUInt32LE(headerLength + targetName.length, 44);
  // Version: Windows Server 2012 R2 (6.3, build 9600), NTLM revision 15.
  header.writeUInt8(6, 48);
  header.writeUInt8(3, 49);
  header.writeUInt16LE(9600, 50);
  header.writeUInt8(15, 55);
  return Buffer.concat([header, targetName, targetInfo]);
}
