import { ROLES, type Role } from '../../store/contract.ts';

export { ROLES, type Role };

/** Whether `role` may do what `needed` may: viewer < operator < approver < admin. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** Who is calling: the person or system a token or session speaks for. */
export interface Caller {
  name: string;
  role: Role;
  via: 'token' | 'session';
  /** For a session: the token every mutating request must echo in `X-CSRF-Token`. */
  csrfToken: string | null;
  /** For a session: its id hash, to end it on logout. */
  sessionIdHash: string | null;
}
