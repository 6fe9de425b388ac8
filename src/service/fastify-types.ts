import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Caller, Role } from './auth/roles.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role a caller needs; routes without one and without `public` need `viewer`. */
    role?: Role;
    /** No caller needed (health, login, the console's files, webhooks that sign instead). */
    public?: boolean;
  }
  interface FastifyRequest {
    /** Who is calling; null on public routes. */
    caller: Caller | null;
  }
}

/** The service's Fastify instance, typed by its zod schemas. */
export type ServiceApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;
