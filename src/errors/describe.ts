import { ConfigError } from './config-error.ts';
import { ErpError } from './erp-error.ts';

/**
 * One line a person can act on, for any error: what happened, where, and what to try.
 * Never a stack trace; the CLI prints this and exits non-zero.
 */
export function describeError(error: unknown): string {
  if (error instanceof ConfigError) {
    const where = error.location.trim();
    return where ? `${where}: ${error.message}` : error.message;
  }
  if (error instanceof ErpError) {
    const { context } = error;
    const parts = [`${error.kind}: ${error.message}`];
    const where = [context.method, context.url].filter(Boolean).join(' ');
    if (where) parts.push(`(${where})`);
    const record = [context.entity, context.key].filter(Boolean).join(' ');
    if (record) parts.push(`[${record}${context.field ? ` field ${context.field}` : ''}]`);
    if (context.hint) parts.push(`— ${context.hint}`);
    return parts.join(' ');
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
