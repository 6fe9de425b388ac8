import { randomBytes, randomUUID } from 'node:crypto';
import type { AuditLog } from '../../audit/index.ts';
import type { ApiToken, Role, Store } from '../../store/contract.ts';
import { hashPassword, newSecret, secretHash, verifyPassword } from './credentials.ts';
import type { Caller } from './roles.ts';

/** How long a console session lasts without a new login. */
export const SESSION_HOURS = 12;

/** A name for a person or system: what the audit log shows as the actor. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** Creates an API token for `name` with `role`; returns the secret, which is stored only as a hash. */
export async function createApiToken(
  store: Store,
  audit: AuditLog,
  request: { name: string; role: Role; createdBy: string },
): Promise<{ token: string; record: ApiToken }> {
  checkName(request.name);
  const token = newSecret('ebt');
  const record: ApiToken = {
    id: `tok_${randomUUID()}`,
    name: request.name,
    role: request.role,
    tokenHash: secretHash(token),
    createdAt: new Date().toISOString(),
    createdBy: request.createdBy,
    lastUsedAt: null,
    revokedAt: null,
  };
  await store.addApiToken(record);
  await audit.record(
    'access.token-created',
    null,
    { id: record.id, name: record.name, role: record.role },
    request.createdBy,
  );
  return { token, record };
}

/** Creates a console user, or gives an existing one a new role and password. */
export async function saveUser(
  store: Store,
  audit: AuditLog,
  request: { name: string; role: Role; password: string; savedBy: string },
): Promise<void> {
  checkName(request.name);
  if (request.password.length < 12) {
    throw new AccessRefused('invalid', 'a console password needs at least 12 characters');
  }
  const now = new Date().toISOString();
  const existing = await store.getUser(request.name);
  await store.putUser({
    name: request.name,
    role: request.role,
    passwordHash: await hashPassword(request.password),
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  });
  await audit.record('access.user-saved', null, { name: request.name, role: request.role }, request.savedBy);
}

/** The caller a bearer token speaks for, or undefined for an unknown or revoked one. */
export async function callerOfToken(store: Store, token: string): Promise<Caller | undefined> {
  const found = await store.useApiToken(secretHash(token), new Date().toISOString());
  if (!found) return undefined;
  return { name: found.name, role: found.role, via: 'token', csrfToken: null, sessionIdHash: null };
}

/** The caller a session cookie speaks for, or undefined for an unknown or expired one. */
export async function callerOfSession(store: Store, sessionId: string): Promise<Caller | undefined> {
  const idHash = secretHash(sessionId);
  const session = await store.getSession(idHash, new Date().toISOString());
  if (!session) return undefined;
  const user = await store.getUser(session.userName);
  if (!user) return undefined;
  return {
    name: user.name,
    role: user.role,
    via: 'session',
    csrfToken: session.csrfToken,
    sessionIdHash: idHash,
  };
}

/**
 * Checks a console login and opens a session: returns the session id for the cookie (stored only
 * as a hash) and the caller. A wrong user and a wrong password answer alike.
 */
export async function logIn(
  store: Store,
  audit: AuditLog,
  credentials: { user: string; password: string },
): Promise<{ sessionId: string; caller: Caller; expiresAt: Date }> {
  const user = await store.getUser(credentials.user);
  const ok = user !== undefined && (await verifyPassword(credentials.password, user.passwordHash));
  if (!user || !ok) {
    await audit.record('access.login-failed', null, { user: credentials.user.slice(0, 64) }, 'anonymous');
    throw new AccessRefused('unauthorized', 'wrong user name or password');
  }
  const sessionId = newSecret('ebs');
  const csrfToken = randomBytes(24).toString('base64url');
  const now = new Date();
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000);
  const idHash = secretHash(sessionId);
  await store.addSession({
    idHash,
    userName: user.name,
    csrfToken,
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
  });
  await audit.record('access.login', null, { user: user.name }, user.name);
  return {
    sessionId,
    caller: { name: user.name, role: user.role, via: 'session', csrfToken, sessionIdHash: idHash },
    expiresAt,
  };
}

/** A request the access rules refuse, with the HTTP meaning and a message for the person. */
export class AccessRefused extends Error {
  override readonly name = 'AccessRefused';
  constructor(
    readonly reason: 'unauthorized' | 'forbidden' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

function checkName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new AccessRefused(
      'invalid',
      `name "${name.slice(0, 80)}" is not allowed: 1–64 letters, digits, dot, dash, underscore or @, starting with a letter or digit`,
    );
  }
}
