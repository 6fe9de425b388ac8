import type Database from 'better-sqlite3';
import { PRIORITY_CODES, type PriorityCode } from './hidden-rules.ts';
import type { IdempotencyStore } from './idempotency-store.ts';
import { blankPad } from './legacy-format.ts';
import type { PurchaseOrderRepository } from './purchase-order-repository.ts';
import { etagOf, ifMatchSatisfied, nextUpdatedAt } from './record-version.ts';
import { FIELD_WIDTHS } from './records.ts';

/** The fields a PATCH may set; every other field of a purchase order is read-only. */
export const WRITABLE_FIELDS = ['priority', 'notes'] as const;

/** A validated PATCH body. */
export interface PurchaseOrderChanges {
  priority?: PriorityCode;
  /** Already blank-padded to the field's width. */
  notes?: string;
}

/** The outcome of validating a PATCH body. */
export type PatchParse =
  | { kind: 'valid'; changes: PurchaseOrderChanges }
  | { kind: 'invalid'; field: string | null; message: string };

function isPriorityCode(value: unknown): value is PriorityCode {
  return PRIORITY_CODES.some((code) => code === value);
}

/**
 * Validates a PATCH body: a JSON object with at least one of `priority` (`"1"`..`"4"`, a string)
 * and `notes` (a string of at most 60 characters), and nothing else.
 */
export function parsePurchaseOrderPatch(body: unknown): PatchParse {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      kind: 'invalid',
      field: null,
      message: 'the body must be a JSON object such as {"priority":"1"}',
    };
  }
  const changes: PurchaseOrderChanges = {};
  for (const [field, value] of Object.entries(body)) {
    if (field === 'priority') {
      if (!isPriorityCode(value)) {
        return {
          kind: 'invalid',
          field,
          message: `priority must be one of the strings "1" (urgent), "2" (high), "3" (normal), "4" (low); got ${JSON.stringify(value)}`,
        };
      }
      changes.priority = value;
    } else if (field === 'notes') {
      if (typeof value !== 'string' || value.length > FIELD_WIDTHS.notes) {
        return {
          kind: 'invalid',
          field,
          message: `notes must be a string of at most ${FIELD_WIDTHS.notes} characters`,
        };
      }
      changes.notes = blankPad(value, FIELD_WIDTHS.notes);
    } else {
      return {
        kind: 'invalid',
        field,
        message: `field "${field}" is not writable; writable fields: ${WRITABLE_FIELDS.join(', ')}`,
      };
    }
  }
  if (changes.priority === undefined && changes.notes === undefined) {
    return {
      kind: 'invalid',
      field: null,
      message: `nothing to change; writable fields: ${WRITABLE_FIELDS.join(', ')}`,
    };
  }
  return { kind: 'valid', changes };
}

/** A PATCH as the route received it. */
export interface PatchRequest {
  poNumber: string;
  body: unknown;
  ifMatch: string | null;
  idempotencyKey: string | null;
}

/** What a PATCH came to; the route turns each kind into one HTTP response. */
export type PatchOutcome =
  | { kind: 'replayed'; statusCode: number; etag: string; body: string }
  | { kind: 'invalid'; field: string | null; message: string }
  | { kind: 'not_found' }
  | { kind: 'precondition_failed'; currentEtag: string }
  /** `applied` is false when the values were already as asked: nothing written, version unchanged. */
  | { kind: 'updated'; etag: string; body: string; applied: boolean };

/** What {@link createPurchaseOrderPatcher} needs. */
export interface PatcherDependencies {
  db: Database.Database;
  purchaseOrders: PurchaseOrderRepository;
  idempotency: IdempotencyStore;
  now?: () => number;
}

/**
 * Creates the PATCH operation. In one transaction it: answers a known Idempotency-Key with the
 * stored response; validates the body; finds the order; checks If-Match against the current ETag;
 * writes the changes with a strictly later `updated_at`; and stores the response under the key.
 */
export function createPurchaseOrderPatcher(
  dependencies: PatcherDependencies,
): (request: PatchRequest) => PatchOutcome {
  const { db, purchaseOrders, idempotency } = dependencies;
  const now = dependencies.now ?? Date.now;
  return db.transaction((request: PatchRequest): PatchOutcome => {
    if (request.idempotencyKey !== null) {
      const stored = idempotency.find(request.idempotencyKey);
      if (stored)
        return { kind: 'replayed', statusCode: stored.statusCode, etag: stored.etag, body: stored.body };
    }
    const parsed = parsePurchaseOrderPatch(request.body);
    if (parsed.kind === 'invalid') return parsed;
    const current = purchaseOrders.getState(request.poNumber);
    if (!current) return { kind: 'not_found' };
    const currentEtag = etagOf(current.updated_at);
    if (request.ifMatch !== null && !ifMatchSatisfied(request.ifMatch, currentEtag)) {
      return { kind: 'precondition_failed', currentEtag };
    }
    const priority = parsed.changes.priority ?? current.priority;
    const notes = parsed.changes.notes ?? current.notes;
    const applied = priority !== current.priority || notes !== current.notes;
    if (applied) {
      purchaseOrders.update(request.poNumber, {
        priority,
        notes,
        updated_at: nextUpdatedAt(current.updated_at, now()),
      });
    }
    const written = purchaseOrders.getJson(request.poNumber);
    if (!written) throw new Error(`purchase order ${request.poNumber} vanished while it was being written`);
    const etag = etagOf(written.updatedAt);
    const body = written.json;
    if (request.idempotencyKey !== null) {
      idempotency.remember(
        request.idempotencyKey,
        { poNumber: request.poNumber, statusCode: 200, etag, body },
        new Date(now()).toISOString(),
      );
    }
    return { kind: 'updated', etag, body, applied };
  });
}
