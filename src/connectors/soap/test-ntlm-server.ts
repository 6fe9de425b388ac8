import { Buffer } from 'node:buffer';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A minimal NTLM-speaking HTTP server for the SOAP client's NTLM test, on 127.0.0.1: it answers
 * 401 `WWW-Authenticate: NTLM`, takes the client's Type 1 (negotiate), sends a Type 2 (challenge)
 * and checks the Type 3 (authenticate): same connection, expected user and domain, and an NTLMv2
 * response computed from the expected password. Enough to prove the handshake end to end; the
 * sandbox's SOAP personalities implement a fuller server separately.
 */

export interface NtlmMessageSeen {
  type: 1 | 3;
  /** The Authorization header as received. */
  header: string;
  /** Type 1: the workstation and domain it names (OEM); Type 3: user, domain, workstation (UTF-16). */
  user?: string;
  domain: string;
  workstation: string;
}

export interface TestNtlmServer {
  url: string;
  messages: NtlmMessageSeen[];
  /** SOAP requests that arrived authenticated. */
  authenticated: number;
  close(): Promise<void>;
}

const SIGNATURE = Buffer.from('NTLMSSP\0', 'ascii');
const FLAGS = 0x00000001 | 0x00000200 | 0x00080000 | 0x00800000; // unicode, NTLM, NTLM2 key, target info

export async function startTestNtlmServer(
  credentials: { user: string; domain: string; password: string },
  answer: string,
): Promise<TestNtlmServer> {
  const challenges = new WeakMap<Socket, Buffer>();
  const server: TestNtlmServer = { url: '', messages: [], authenticated: 0, close: async () => {} };
  const http = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.on('end', () => {
      const header = request.headers.authorization ?? '';
      const token = /^NTLM (.+)$/.exec(header)?.[1];
      const message = token === undefined ? undefined : Buffer.from(token, 'base64');
      if (message === undefined || !message.subarray(0, 8).equals(SIGNATURE)) {
        response.writeHead(401, { 'www-authenticate': 'NTLM', connection: 'keep-alive' }).end();
        return;
      }
      if (message.readUInt32LE(8) === 1) {
        server.messages.push({
          type: 1,
          header,
          domain: securityBuffer(message, 16, 'latin1'),
          workstation: securityBuffer(message, 24, 'latin1'),
        });
        const challenge = randomBytes(8);
        challenges.set(request.socket, challenge);
        response
          .writeHead(401, {
            'www-authenticate': `NTLM ${type2(challenge).toString('base64')}`,
            connection: 'keep-alive',
          })
          .end();
        return;
      }
      const seen: NtlmMessageSeen = {
        type: 3,
        header,
        user: securityBuffer(message, 36, 'utf16le'),
        domain: securityBuffer(message, 28, 'utf16le'),
        workstation: securityBuffer(message, 44, 'utf16le'),
      };
      server.messages.push(seen);
      const challenge = challenges.get(request.socket);
      const valid =
        challenge !== undefined &&
        seen.user === credentials.user &&
        seen.domain === credentials.domain &&
        validNtlmV2(rawBuffer(message, 20), challenge, credentials);
      if (!valid) {
        response.writeHead(401, { 'www-authenticate': 'NTLM' }).end();
        return;
      }
      server.authenticated++;
      response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(answer);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  if (typeof address !== 'object' || address === null) throw new Error('the NTLM server has no port');
  server.url = `http://127.0.0.1:${address.port}`;
  server.close = () =>
    new Promise<void>((resolve) => {
      http.closeAllConnections();
      http.close(() => resolve());
    });
  return server;
}

/** A Type 2 message: no target name, an empty target info block, the challenge. */
function type2(challenge: Buffer): Buffer {
  const message = Buffer.alloc(52);
  SIGNATURE.copy(message, 0);
  message.writeUInt32LE(2, 8);
  message.writeUInt32LE(48, 16); // empty target name at 48
  message.writeUInt32LE(FLAGS, 20);
  challenge.copy(message, 24);
  message.writeUInt16LE(4, 40); // target info: just the terminator, at 48
  message.writeUInt16LE(4, 42);
  message.writeUInt32LE(48, 44);
  return message;
}

function rawBuffer(message: Buffer, at: number): Buffer {
  const length = message.readUInt16LE(at);
  const offset = message.readUInt32LE(at + 4);
  return message.subarray(offset, offset + length);
}

function securityBuffer(message: Buffer, at: number, encoding: 'latin1' | 'utf16le'): string {
  return rawBuffer(message, at).toString(encoding);
}

/** NTLMv2: NTProofStr = HMAC-MD5(HMAC-MD5(MD4(password), USER + domain), challenge + blob). */
function validNtlmV2(
  response: Buffer,
  challenge: Buffer,
  credentials: { user: string; domain: string; password: string },
): boolean {
  if (response.length <= 24) return false;
  const ntHash = md4(Buffer.from(credentials.password, 'utf16le'));
  const key = createHmac('md5', ntHash)
    .update(Buffer.from(credentials.user.toUpperCase() + credentials.domain, 'utf16le'))
    .digest();
  const proof = createHmac('md5', key)
    .update(Buffer.concat([challenge, response.subarray(16)]))
    .digest();
  return proof.equals(response.subarray(0, 16));
}

/**
 * MD4 (RFC 1320), which NTLM hashes passwords with. OpenSSL 3 no longer offers it to Node's
 * crypto, and a test helper should not need a dependency for forty lines.
 */
export function md4(input: Buffer): Buffer {
  const length = input.length;
  const padded = Buffer.alloc((((length + 8) >> 6) + 1) * 64);
  input.copy(padded);
  padded[length] = 0x80;
  padded.writeUInt32LE((length * 8) >>> 0, padded.length - 8);
  padded.writeUInt32LE(Math.floor(length / 0x20000000), padded.length - 4);
  const state = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  const rotl = (value: number, shift: number) => (value << shift) | (value >>> (32 - shift));
  const rounds: [(x: number, y: number, z: number) => number, number, number[], number[]][] = [
    [
      (x, y, z) => (x & y) | (~x & z),
      0,
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
      [3, 7, 11, 19],
    ],
    [
      (x, y, z) => (x & y) | (x & z) | (y & z),
      0x5a827999,
      [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15],
      [3, 5, 9, 13],
    ],
    [
      (x, y, z) => x ^ y ^ z,
      0x6ed9eba1,
      [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15],
      [3, 9, 11, 15],
    ],
  ];
  for (let block = 0; block < padded.length; block += 64) {
    const words = Array.from({ length: 16 }, (_, index) => padded.readUInt32LE(block + index * 4));
    const [a0 = 0, b0 = 0, c0 = 0, d0 = 0] = state;
    let [a, b, c, d] = [a0, b0, c0, d0];
    for (const [mix, constant, order, shifts] of rounds) {
      order.forEach((wordIndex, step) => {
        const shift = shifts[step % 4] ?? 0;
        const next = rotl((a + mix(b, c, d) + (words[wordIndex] ?? 0) + constant) | 0, shift);
        [a, b, c, d] = [d, next, b, c];
      });
    }
    state[0] = (a0 + a) | 0;
    state[1] = (b0 + b) | 0;
    state[2] = (c0 + c) | 0;
    state[3] = (d0 + d) | 0;
  }
  const digest = Buffer.alloc(16);
  for (const [index, word] of state.entries()) digest.writeInt32LE(word, index * 4);
  return digest;
}
