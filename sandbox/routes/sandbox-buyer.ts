import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PRIORITY_CODE_OF, type UrgencyLabel, withLabelNoise } from '../hidden-rules.ts';
import { errorBody } from '../http-errors.ts';
import { createPrng } from '../prng.ts';
import type { PurchaseOrderRepository } from '../purchase-order-repository.ts';
import { nextUpdatedAt } from '../record-version.ts';

/**
 * What the simulated buyers do: act on `share` of the open orders (a seeded draw per order), and
 * on each set the priority the hidden rules give it — or, with probability 1 − `accuracy`, a
 * neighbouring one (urgent↔high, high↔normal, normal↔low), the mistakes real buyers make.
 * `confirm: 'save'` (the default) saves an order whose priority is already right, moving its
 * version as any save in an ERP screen does; `'skip'` leaves such an order untouched.
 */
export const BuyerRequest = z.strictObject({
  share: z.number().min(0).max(1),
  accuracy: z.number().min(0).max(1),
  seed: z.number().int().nonnegative().default(1),
  confirm: z.enum(['save', 'skip']).default('save'),
});
export type BuyerRequest = z.infer<typeof BuyerRequest>;

/** One order a buyer acted on. */
export interface BuyerDecision {
  poNumber: string;
  /** The hidden-rule label. */
  truth: UrgencyLabel;
  /** What the buyer set. */
  label: UrgencyLabel;
  /** Whether the priority changed (else the order was saved as it was, or skipped). */
  changed: boolean;
}

export interface SandboxBuyerDependencies {
  purchaseOrders: PurchaseOrderRepository;
  /** The hidden-rule labels of the open orders. */
  truthLabels: () => Record<string, UrgencyLabel>;
  now?: () => number;
}

/**
 * `POST /_sandbox/buyer {"share":0.6,"accuracy":0.97}`: buyers set priorities on open orders after
 * the fact, from the hidden truth with a controllable error rate — what a shadow run is later
 * compared with. Each write is an ordinary one: the priority and a strictly later `updated_at`
 * (the ETag), exactly as a PATCH writes it. Answers with the counts and every decision
 * (`{acted, changed, confirmed, mistakes, decisions}`), for tests to check a report against.
 * Outside `/api`, without auth, like every `/_sandbox` route.
 */
export function registerSandboxBuyerRoute(app: FastifyInstance, dependencies: SandboxBuyerDependencies) {
  const now = dependencies.now ?? Date.now;
  app.post('/_sandbox/buyer', (request, reply) => {
    const parsed = BuyerRequest.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const key = issue?.path.map(String).join('.') ?? '';
      const message =
        issue === undefined || key === ''
          ? 'the body must be {"share": 0..1, "accuracy": 0..1, "seed"?: n, "confirm"?: "save"|"skip"}'
          : `${key}: ${issue.message}`;
      reply.code(400).send(errorBody('bad_request', message, { key }));
      return;
    }
    reply.send(actAsBuyers(dependencies, parsed.data, now));
  });
}

/** Runs the buyers over the open orders in PO-number order; deterministic for a seed. */
export function actAsBuyers(
  dependencies: Pick<SandboxBuyerDependencies, 'purchaseOrders' | 'truthLabels'>,
  request: BuyerRequest,
  now: () => number = Date.now,
) {
  const { purchaseOrders } = dependencies;
  const prng = createPrng(request.seed);
  const truth = dependencies.truthLabels();
  const decisions: BuyerDecision[] = [];
  let confirmed = 0;
  for (const poNumber of Object.keys(truth).sort()) {
    const label = truth[poNumber];
    // Three draws per order whatever happens, so one order's outcome never shifts another's.
    const acts = prng.next() < request.share;
    const chosen = label === undefined ? undefined : withLabelNoise(label, prng, 1 - request.accuracy);
    if (!acts || label === undefined || chosen === undefined) continue;
    const state = purchaseOrders.getState(poNumber);
    if (!state) continue;
    const priority = PRIORITY_CODE_OF[chosen];
    const changed = priority !== state.priority;
    if (!changed && request.confirm === 'skip') continue;
    purchaseOrders.update(poNumber, {
      priority,
      notes: state.notes,
      updated_at: nextUpdatedAt(state.updated_at, now()),
    });
    if (!changed) confirmed++;
    decisions.push({ poNumber, truth: label, label: chosen, changed });
  }
  return {
    acted: decisions.length,
    changed: decisions.length - confirmed,
    confirmed,
    mistakes: decisions.filter((decision) => decision.label !== decision.truth).length,
    decisions,
  };
}
