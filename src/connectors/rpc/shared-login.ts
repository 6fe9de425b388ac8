import { ErpError } from '../../errors/index.ts';
import type { CallPurpose } from './model-rpc.ts';

/**
 * The credential of a dialect's connection (Tryton's session, Odoo's user id), obtained by one
 * login that every caller needing it at the same time shares.
 */
export interface SharedLogin<Credential> {
  /**
   * The current credential, logging in when there is none. A login the ERP refused (an `auth`
   * ErpError: wrong password, lockout) is remembered for the life of the connection and thrown
   * again without asking: every further attempt would count as another failure and lock the user
   * out, or prolong the lock. Other failures (network, timeout) are not remembered.
   */
  current(purpose: CallPurpose): Promise<Credential>;
  /**
   * Drops `stale` when the ERP no longer accepts it, so that the next {@link current} logs in
   * again. A credential a concurrent caller already replaced is left alone.
   */
  forget(stale: Credential): void;
  /** The credential in use, if any (its secrets must not be printed). */
  readonly value: Credential | undefined;
}

/** A {@link SharedLogin} over `login`, which does the dialect's login call. No I/O until the first `current`. */
export function sharedLogin<Credential>(
  login: (purpose: CallPurpose) => Promise<Credential>,
): SharedLogin<Credential> {
  let credential: Credential | undefined;
  let loggingIn: Promise<Credential> | undefined;
  let refused: ErpError | undefined;
  return {
    current(purpose) {
      if (credential !== undefined) return Promise.resolve(credential);
      if (refused !== undefined) return Promise.reject(refused);
      // The shared login carries no caller's signal: one caller giving up must not fail the others.
      loggingIn ??= login({ operation: purpose.operation })
        .then(
          (fresh) => {
            credential = fresh;
            return fresh;
          },
          (error: unknown) => {
            if (error instanceof ErpError && error.kind === 'auth') refused = error;
            throw error;
          },
        )
        .finally(() => {
          loggingIn = undefined;
        });
      return loggingIn;
    },
    forget(stale) {
      if (credential === stale) credential = undefined;
    },
    get value() {
      return credential;
    },
  };
}
