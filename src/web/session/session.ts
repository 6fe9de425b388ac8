import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ROLES, type Role, type Session } from '../api/types.ts';

export const SessionContext = createContext<Session | null>(null);

/** The signed-in person; the app renders screens only inside a session. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}

/** Whether `role` may do what `needed` may (roles grow: viewer < operator < approver < admin). */
export function hasRole(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
