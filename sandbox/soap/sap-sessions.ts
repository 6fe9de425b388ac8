/**
 * SAP's logical unit of work over stateful RFC-SOAP. BAPI_PO_CHANGE only buffers its change in the
 * caller's session (and locks the order, as SAP's enqueue does); BAPI_TRANSACTION_COMMIT in the
 * same session writes it. Until then nobody — not even the same session — reads the change, and
 * it is lost when the session ends: a logoff, an idle timeout, or a call made without the session
 * cookie, which runs in a session of its own that ends with the call.
 */
import { randomBytes } from 'node:crypto';
import type { PriorityCode } from '../hidden-rules.ts';

/** A buffered change to one order: the fields BAPI_PO_CHANGE set. */
export interface PendingChange {
  priority?: PriorityCode;
  notes?: string;
}

/** A session: its buffered changes (in call order) and the order versions it read. */
export interface SapSession {
  readonly id: string;
  /** False for the one-call session of a request without a session cookie. */
  readonly stateful: boolean;
  readonly pending: Map<string, PendingChange>;
  /** PO number → the `updated_at` BAPI_PO_GETDETAIL1 showed this session (the customer check's lock). */
  readonly readVersions: Map<string, string>;
  lastUsedAt: number;
}

/** The sessions of the sap-ecc personality. */
export interface SapSessionStore {
  /** Starts a stateful session. */
  open(): SapSession;
  /** A session for one call only; {@link end} it when the call is done. */
  oneCall(): SapSession;
  /** The live stateful session with this id (and marks it used), or null: unknown, ended or timed out. */
  find(id: string): SapSession | null;
  /** Ends a session: its buffered changes are dropped and its locks released. */
  end(session: SapSession): void;
  /** The other live session that holds a lock on the order (has a buffered change to it), or null. */
  lockHolder(poNumber: string, asking: SapSession): SapSession | null;
}

/** How long a stateful session lives without a call (SAP's ICF default for stateful sessions is similar). */
export const SAP_SESSION_IDLE_MS = 10 * 60_000;
/** The most stateful sessions kept; past it, the least recently used one ends. */
export const SAP_MAX_SESSIONS = 1000;

/** Creates the store; `now` is the clock for idle timeouts. */
export function createSapSessionStore(
  options: { idleMs?: number; maxSessions?: number; now?: () => number } = {},
): SapSessionStore {
  const idleMs = options.idleMs ?? SAP_SESSION_IDLE_MS;
  const maxSessions = options.maxSessions ?? SAP_MAX_SESSIONS;
  const now = options.now ?? Date.now;
  // Insertion order is recency: a used session is moved to the end.
  const sessions = new Map<string, SapSession>();

  const create = (stateful: boolean): SapSession => ({
    id: randomBytes(18).toString('base64url'),
    stateful,
    pending: new Map(),
    readVersions: new Map(),
    lastUsedAt: now(),
  });
  const end = (session: SapSession) => {
    session.pending.clear();
    session.readVersions.clear();
    sessions.delete(session.id);
  };
  const expired = (session: SapSession) => now() - session.lastUsedAt >= idleMs;

  return {
    open() {
      const session = create(true);
      sessions.set(session.id, session);
      for (const oldest of sessions.values()) {
        if (sessions.size <= maxSessions) break;
        end(oldest);
      }
      return session;
    },
    oneCall: () => create(false),
    find(id) {
      const session = sessions.get(id);
      if (session === undefined) return null;
      if (expired(session)) {
        end(session);
        return null;
      }
      session.lastUsedAt = now();
      sessions.delete(id);
      sessions.set(id, session);
      return session;
    },
    end,
    lockHolder(poNumber, asking) {
      for (const session of sessions.values()) {
        if (session === asking || !session.pending.has(poNumber)) continue;
        if (expired(session)) {
          end(session);
          continue;
        }
        return session;
      }
      return null;
    },
  };
}
