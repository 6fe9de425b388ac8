import type Database from 'better-sqlite3';
import type { IdempotencyStore } from '../idempotency-store.ts';
import { blankPad } from '../legacy-format.ts';
import type { PatchOutcome } from '../purchase-order-patch.ts';
import { etagOf, ifMatchSatisfied, nextUpdatedAt } from '../record-version.ts';
import type { InvoiceRepository } from './invoice-repository.ts';
import { INVOICE_FIELD_WIDTHS, MATCH_STATUS_CODES } from './records.ts';

/** A PATCH of one record as the route received it. */
export interface RecordPatchRequest {
  key: string;
  body: unknown;
  ifMatch: string | null;
  idempotencyKey: string | null;
}

type Parse<Changes> =
  | { kind: 'valid'; changes: Changes }
  | { kind: 'invalid'; field: string | null; message: string };

/** How one kind of record is patched: its writable fields, its state, its JSON. */
interface PatchTarget<State extends { updated_at: string }, Changes> {
  parse(body: unknown): Parse<Changes>;
  getState(key: string): State | null;
  /** The new state, or null when the changes leave it as it is. */
  merge(current: State, changes: Changes): Omit<State, 'updated_at'> | null;
  update(key: string, state: State): void;
  getJson(key: string): { json: string; updatedAt: string } | null;
  what: string;
}

/**
 * The purchase-order PATCH semantics for any record, in one transaction: a known Idempotency-Key
 * answers with the stored response; the body is validated; the record must exist; If-Match must
 * name its current ETag; the change is written with a strictly later `updated_at`; the response is
 * stored under the key (sandbox/purchase-order-patch.ts documents the same order).
 */
function createRecordPatcher<State extends { updated_at: string }, Changes>(
  db: Database.Database,
  idempotency: IdempotencyStore,
  target: PatchTarget<State, Changes>,
  now: () => number,
): (request: RecordPatchRequest) => PatchOutcome {
  return db.transaction((request: RecordPatchRequest): PatchOutcome => {
    if (request.idempotencyKey !== null) {
      const stored = idempotency.find(request.idempotencyKey);
      if (stored)
        return { kind: 'replayed', statusCode: stored.statusCode, etag: stored.etag, body: stored.body };
    }
    const parsed = target.parse(request.body);
    if (parsed.kind === 'invalid') return parsed;
    const current = target.getState(request.key);
    if (!current) return { kind: 'not_found' };
    const currentEtag = etagOf(current.updated_at);
    if (request.ifMatch !== null && !ifMatchSatisfied(request.ifMatch, currentEtag)) {
      return { kind: 'precondition_failed', currentEtag };
    }
    const merged = target.merge(current, parsed.changes);
    if (merged !== null) {
      const next = { ...current, ...merged, updated_at: nextUpdatedAt(current.updated_at, now()) };
      target.update(request.key, next);
    }
    const written = target.getJson(request.key);
    if (!written) throw new Error(`${target.what} ${request.key} vanished while it was being written`);
    const etag = etagOf(written.updatedAt);
    if (request.idempotencyKey !== null) {
      idempotency.remember(
        request.idempotencyKey,
        { poNumber: request.key, statusCode: 200, etag, body: written.json },
        new Date(now()).toISOString(),
      );
    }
    return { kind: 'updated', etag, body: written.json, applied: merged !== null };
  });
}

function isObject(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

/** A validated invoice PATCH: the match status code and/or the reason, already blank-padded. */
export interface InvoiceChanges {
  match_status?: string;
  exception_reason?: string;
}

const STATUS_CODES: readonly string[] = [MATCH_STATUS_CODES.matched, MATCH_STATUS_CODES.exception, ' ', ''];

/**
 * Validates an invoice PATCH body: `match_status` (`"M"` matched, `"X"` exception, `" "` or `""` to
 * reopen) and/or `exception_reason` (at most 120 characters), nothing else.
 */
export function parseInvoicePatch(body: unknown): Parse<InvoiceChanges> {
  if (!isObject(body)) {
    return {
      kind: 'invalid',
      field: null,
      message: 'the body must be a JSON object such as {"match_status":"M"}',
    };
  }
  const changes: InvoiceChanges = {};
  for (const [field, value] of Object.entries(body)) {
    if (field === 'match_status') {
      if (typeof value !== 'string' || !STATUS_CODES.includes(value)) {
        return {
          kind: 'invalid',
          field,
          message: `match_status must be "M" (matched), "X" (exception) or " " (open); got ${JSON.stringify(value)}`,
        };
      }
      changes.match_status = value === '' ? ' ' : value;
    } else if (field === 'exception_reason') {
      if (typeof value !== 'string' || value.length > INVOICE_FIELD_WIDTHS.exceptionReason) {
        return {
          kind: 'invalid',
          field,
          message: `exception_reason must be a string of at most ${INVOICE_FIELD_WIDTHS.exceptionReason} characters`,
        };
      }
      changes.exception_reason = blankPad(value, INVOICE_FIELD_WIDTHS.exceptionReason);
    } else {
      return {
        kind: 'invalid',
        field,
        message: `field "${field}" is not writable; writable fields: match_status, exception_reason`,
      };
    }
  }
  if (changes.match_status === undefined && changes.exception_reason === undefined) {
    return {
      kind: 'invalid',
      field: null,
      message: 'nothing to change; writable fields: match_status, exception_reason',
    };
  }
  return { kind: 'valid', changes };
}

/** Validates a price-review PATCH body: `review_note`, at most 120 characters. */
export function parsePriceReviewPatch(body: unknown): Parse<{ review_note: string }> {
  if (!isObject(body)) {
    return {
      kind: 'invalid',
      field: null,
      message: 'the body must be a JSON object such as {"review_note":"..."}',
    };
  }
  const [extra] = Object.keys(body).filter((field) => field !== 'review_note');
  if (extra !== undefined) {
    return {
      kind: 'invalid',
      field: extra,
      message: `field "${extra}" is not writable; writable fields: review_note`,
    };
  }
  const note = body.review_note;
  if (typeof note !== 'string' || note.length > INVOICE_FIELD_WIDTHS.reviewNote) {
    return {
      kind: 'invalid',
      field: 'review_note',
      message: `review_note must be a string of at most ${INVOICE_FIELD_WIDTHS.reviewNote} characters`,
    };
  }
  return { kind: 'valid', changes: { review_note: blankPad(note, INVOICE_FIELD_WIDTHS.reviewNote) } };
}

/** The PATCH operations of the accounts-payable records. */
export interface AccountsPayablePatchers {
  invoice: (request: RecordPatchRequest) => PatchOutcome;
  priceReview: (request: RecordPatchRequest) => PatchOutcome;
}

/** Creates the invoice and price-review PATCH operations, sharing the sandbox's idempotency keys. */
export function createAccountsPayablePatchers(dependencies: {
  db: Database.Database;
  repository: InvoiceRepository;
  idempotency: IdempotencyStore;
  now?: () => number;
}): AccountsPayablePatchers {
  const { db, repository, idempotency } = dependencies;
  const now = dependencies.now ?? Date.now;
  return {
    invoice: createRecordPatcher(
      db,
      idempotency,
      {
        what: 'invoice',
        parse: parseInvoicePatch,
        getState: repository.getInvoiceState,
        getJson: repository.getInvoice,
        update: repository.updateInvoice,
        merge(current, changes) {
          const next = {
            match_status: changes.match_status ?? current.match_status,
            exception_reason: changes.exception_reason ?? current.exception_reason,
          };
          const same =
            next.match_status === current.match_status && next.exception_reason === current.exception_reason;
          return same ? null : next;
        },
      },
      now,
    ),
    priceReview: createRecordPatcher(
      db,
      idempotency,
      {
        what: 'price review',
        parse: parsePriceReviewPatch,
        getState: repository.getPriceReviewState,
        getJson: repository.getPriceReview,
        update: repository.updatePriceReview,
        merge: (current, changes) => (changes.review_note === current.review_note ? null : changes),
      },
      now,
    ),
  };
}
