import type { FastifyReply } from 'fastify';
import { errorBody } from '../http-errors.ts';
import type { PatchOutcome } from '../purchase-order-patch.ts';

export const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Sends what a PATCH came to, the same way for every writable entity: a replay with its stored
 * answer, 422 naming the field, 404, 412 with the current ETag, or the updated record.
 *
 * @param what the record in words, e.g. `purchase order 4500000012`.
 * @param onApplied called when the PATCH changed the record (the request log marks it applied).
 */
export function sendPatchOutcome(
  reply: FastifyReply,
  outcome: PatchOutcome,
  what: string,
  onApplied: () => void,
): void {
  switch (outcome.kind) {
    case 'replayed':
      reply
        .code(outcome.statusCode)
        .header('etag', outcome.etag)
        .header('idempotent-replayed', 'true')
        .type(JSON_TYPE)
        .send(outcome.body);
      return;
    case 'invalid':
      reply.code(422).send(errorBody('validation', outcome.message, { field: outcome.field }));
      return;
    case 'not_found':
      reply.code(404).send(errorBody('not_found', `${what} does not exist`));
      return;
    case 'precondition_failed':
      reply.code(412).send(
        errorBody('precondition_failed', `${what} changed since it was read; read it again`, {
          current_etag: outcome.currentEtag,
        }),
      );
      return;
    case 'updated':
      if (outcome.applied) onApplied();
      reply.header('etag', outcome.etag).type(JSON_TYPE).send(outcome.body);
      return;
  }
}
