/**
 * Windows authentication for the dynamics-ax personality, the way IIS does NTLM: it authenticates
 * a TCP connection, not a request. A request without credentials gets 401 `WWW-Authenticate: NTLM`;
 * the client's NEGOTIATE (type 1) gets 401 with a CHALLENGE (type 2) for that connection; its
 * AUTHENTICATE (type 3), on the same connection, is checked (NTLMv2 only) and, if right, the
 * request proceeds — and so does every later request on that keep-alive connection.
 */
import { randomBytes } from 'node:crypto';
import {
  NtlmMessageError,
  ntlmMessageType,
  readAuthenticateMessage,
  readNegotiateMessage,
  writeChallengeMessage,
} from './ntlm-messages.ts';
import { verifyNtlmV2Response } from './ntlm-v2.ts';
import type { WindowsAccount } from './personality.ts';

/** The verdict on one request. */
export type NtlmVerdict =
  | { kind: 'authenticated'; user: string }
  /** Answer 401 with this `WWW-Authenticate` value; `reason` is for the log, never for the client. */
  | { kind: 'unauthorized'; challenge: string; reason: string };

/** Checks requests against one Windows account, remembering each connection's state. */
export interface NtlmGuard {
  check(connection: object, authorization: string | undefined): NtlmVerdict;
}

/** How long a challenge waits for its AUTHENTICATE message. */
export const NTLM_CHALLENGE_TTL_MS = 60_000;

type ConnectionState =
  | { kind: 'challenged'; serverChallenge: Buffer; issuedAt: number }
  | { kind: 'authenticated'; user: string };

/** Creates a guard for `account`. `computer` and `dnsDomain` go into the challenge's target info. */
export function createNtlmGuard(
  account: WindowsAccount,
  options: { now?: () => number; computer?: string; dnsDomain?: string } = {},
): NtlmGuard {
  const now = options.now ?? Date.now;
  const computer = options.computer ?? 'AX2012-AOS';
  const dnsDomain = options.dnsDomain ?? `${account.domain.toLowerCase()}.local`;
  const states = new WeakMap<object, ConnectionState>();
  const refuse = (connection: object, reason: string): NtlmVerdict => {
    states.delete(connection);
    return { kind: 'unauthorized', challenge: 'NTLM', reason };
  };

  return {
    check(connection, authorization) {
      const state = states.get(connection);
      const match = /^NTLM\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
      if (match?.[1] === undefined) {
        if (state?.kind === 'authenticated') return { kind: 'authenticated', user: state.user };
        return refuse(
          connection,
          authorization === undefined ? 'no credentials' : 'not an NTLM authorization',
        );
      }
      const token = Buffer.from(match[1], 'base64');
      try {
        const type = ntlmMessageType(token);
        if (type === 1) {
          readNegotiateMessage(token);
          const serverChallenge = randomBytes(8);
          states.set(connection, { kind: 'challenged', serverChallenge, issuedAt: now() });
          const challenge = writeChallengeMessage({
            serverChallenge,
            domain: account.domain,
            computer,
            dnsDomain,
            now: now(),
          });
          return {
            kind: 'unauthorized',
            challenge: `NTLM ${challenge.toString('base64')}`,
            reason: 'challenged',
          };
        }
        if (type !== 3) return refuse(connection, `unexpected NTLM message type ${type}`);
        if (state?.kind !== 'challenged' || now() - state.issuedAt > NTLM_CHALLENGE_TTL_MS) {
          return refuse(connection, 'an AUTHENTICATE message without a challenge on this connection');
        }
        const message = readAuthenticateMessage(token);
        if (message.user.toLowerCase() !== account.user.toLowerCase()) {
          return refuse(connection, `unknown user ${message.domain}\\${message.user}`);
        }
        if (message.domain !== '' && message.domain.toLowerCase() !== account.domain.toLowerCase()) {
          return refuse(connection, `unknown domain ${message.domain}`);
        }
        const verdict = verifyNtlmV2Response(message.ntResponse, state.serverChallenge, {
          password: account.password,
          user: message.user,
          domain: message.domain,
        });
        if (verdict.kind === 'invalid')
          return refuse(connection, `${message.domain}\\${message.user}: ${verdict.reason}`);
        const user = `${account.domain.toUpperCase()}\\${message.user}`;
        states.set(connection, { kind: 'authenticated', user });
        return { kind: 'authenticated', user };
      } catch (error) {
        if (error instanceof NtlmMessageError) return refuse(connection, error.message);
        throw error;
      }
    },
  };
}
