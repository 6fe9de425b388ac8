import { describe, expect, test } from 'vitest';
import { createNtlmGuard } from './ntlm-guard.ts';
import { ntHash, ntlmV2Key, verifyNtlmV2Response } from './ntlm-v2.ts';
import { ntlmAuthenticate, ntlmNegotiate, readChallenge } from './soap-test-support.ts';

const account = { domain: 'CONTOSO', user: 'erpbridge', password: 'Sandbox-AX-2012' };

describe('NTLMv2 hashes (MS-NLMP §4.2 test vectors)', () => {
  test('the NT hash of "Password" and the NTOWFv2 key of User/Domain', () => {
    expect(ntHash('Password').toString('hex')).toBe('a4f49c406510bdcab6824ee7c30fd852');
    expect(ntlmV2Key('Password', 'User', 'Domain').toString('hex')).toBe('0c868a403bfd7a93a3001ef22ef02e3f');
  });

  test('NTLMv1 responses are refused', () => {
    expect(verifyNtlmV2Response(Buffer.alloc(24), Buffer.alloc(8), { ...account })).toEqual({
      kind: 'invalid',
      reason: 'NTLMv1 responses are not accepted',
    });
  });
});

describe('createNtlmGuard', () => {
  const handshake = (guard: ReturnType<typeof createNtlmGuard>, connection: object, password: string) => {
    const challenge = guard.check(connection, `NTLM ${ntlmNegotiate()}`);
    if (challenge.kind !== 'unauthorized') throw new Error('expected a challenge');
    return guard.check(connection, `NTLM ${ntlmAuthenticate(challenge.challenge, { ...account, password })}`);
  };

  test('challenges, then authenticates the connection, and only that connection', () => {
    const guard = createNtlmGuard(account);
    const connection = {};
    expect(guard.check(connection, undefined)).toMatchObject({ kind: 'unauthorized', challenge: 'NTLM' });
    const challenge = guard.check(connection, `NTLM ${ntlmNegotiate()}`);
    expect(challenge.kind).toBe('unauthorized');
    if (challenge.kind !== 'unauthorized') return;
    const { flags, serverChallenge } = readChallenge(challenge.challenge);
    expect(flags & 0x00080000).toBe(0x00080000);
    expect(serverChallenge).toHaveLength(8);
    const verdict = guard.check(connection, `NTLM ${ntlmAuthenticate(challenge.challenge, account)}`);
    expect(verdict).toEqual({ kind: 'authenticated', user: 'CONTOSO\\erpbridge' });
    expect(guard.check(connection, undefined)).toEqual({ kind: 'authenticated', user: 'CONTOSO\\erpbridge' });
    expect(guard.check({}, undefined).kind).toBe('unauthorized');
  });

  test('refuses a wrong password, an unknown user, and an answer without a challenge', () => {
    const guard = createNtlmGuard(account);
    expect(handshake(guard, {}, 'wrong')).toMatchObject({
      kind: 'unauthorized',
      reason: expect.stringContaining('wrong password'),
    });
    const other = createNtlmGuard({ ...account, user: 'someone' });
    expect(handshake(other, {}, account.password)).toMatchObject({
      reason: expect.stringContaining('unknown user'),
    });
    const challenge = guard.check({}, `NTLM ${ntlmNegotiate()}`);
    if (challenge.kind !== 'unauthorized') throw new Error('expected a challenge');
    expect(guard.check({}, `NTLM ${ntlmAuthenticate(challenge.challenge, account)}`)).toMatchObject({
      reason: expect.stringContaining('without a challenge'),
    });
  });

  test('refuses garbage tokens without throwing', () => {
    const guard = createNtlmGuard(account);
    expect(guard.check({}, 'NTLM AAAA')).toMatchObject({ kind: 'unauthorized', challenge: 'NTLM' });
    expect(
      guard.check({}, `NTLM ${Buffer.from('NTLMSSP\0\x03\0\0\0', 'latin1').toString('base64')}`),
    ).toMatchObject({
      kind: 'unauthorized',
    });
    expect(guard.check({}, 'Basic dXNlcjpwYXNz')).toMatchObject({ reason: 'not an NTLM authorization' });
  });
});
