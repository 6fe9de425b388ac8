/**
 * NTLMv2 response verification (MS-NLMP §3.3.2). The NT hash is MD4 over the UTF-16LE password
 * (js-md4: OpenSSL 3 no longer offers MD4 by default); everything after it is HMAC-MD5 from
 * node:crypto. NTLMv1 responses (24 bytes) are refused, as a Windows server with
 * LmCompatibilityLevel 5 refuses them.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';

type Md4 = (message: Uint8Array) => ArrayBuffer;

// js-md4 ships no types; take its `arrayBuffer` function and check it is one.
function loadMd4(): Md4 {
  const loaded: unknown = createRequire(import.meta.url)('js-md4');
  const arrayBuffer =
    typeof loaded === 'function' || (typeof loaded === 'object' && loaded !== null)
      ? Object.getOwnPropertyDescriptor(loaded, 'arrayBuffer')?.value
      : undefined;
  if (typeof arrayBuffer !== 'function') throw new Error('js-md4 does not export arrayBuffer()');
  return (message) => {
    const digest: unknown = arrayBuffer(message);
    if (!(digest instanceof ArrayBuffer)) throw new Error('js-md4 arrayBuffer() returned no ArrayBuffer');
    return digest;
  };
}

const md4 = loadMd4();

/** NTOWFv1: MD4(UTF-16LE(password)), the "NT hash". */
export function ntHash(password: string): Buffer {
  return Buffer.from(md4(Buffer.from(password, 'utf16le')));
}

/** NTOWFv2: HMAC-MD5(NT hash, UTF-16LE(UPPERCASE(user) + domain)) — the domain as the client sent it. */
export function ntlmV2Key(password: string, user: string, domain: string): Buffer {
  return createHmac('md5', ntHash(password))
    .update(Buffer.from(user.toUpperCase() + domain, 'utf16le'))
    .digest();
}

/** Why a response was refused. */
export type NtlmV2Check = { kind: 'valid' } | { kind: 'invalid'; reason: string };

/**
 * Checks an NTLMv2 NtChallengeResponse: NTProofStr (16 bytes) followed by the client's blob;
 * NTProofStr must be HMAC-MD5(NTOWFv2, server challenge ‖ blob).
 */
export function verifyNtlmV2Response(
  ntResponse: Buffer,
  serverChallenge: Buffer,
  credentials: { password: string; user: string; domain: string },
): NtlmV2Check {
  if (ntResponse.length === 24) return { kind: 'invalid', reason: 'NTLMv1 responses are not accepted' };
  if (ntResponse.length < 16 + 28) return { kind: 'invalid', reason: 'the NTLMv2 response is too short' };
  const proof = ntResponse.subarray(0, 16);
  const blob = ntResponse.subarray(16);
  if (blob[0] !== 1 || blob[1] !== 1)
    return { kind: 'invalid', reason: 'the NTLMv2 blob has an unknown version' };
  const key = ntlmV2Key(credentials.password, credentials.user, credentials.domain);
  const expected = createHmac('md5', key).update(serverChallenge).update(blob).digest();
  return timingSafeEqual(proof, expected) ? { kind: 'valid' } : { kind: 'invalid', reason: 'wrong password' };
}
