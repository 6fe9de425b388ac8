import type { Classification, ClassifyTask, Example } from '../ai/contract.ts';
import type { PurchaseOrder } from '../canonical/purchase-order.ts';
import type { Supplier } from '../canonical/supplier.ts';
import type { Profile } from '../profiles/contract.ts';
import type { FieldValues } from './change.ts';
import type { PolicyConfig } from './policy.ts';

/** What a workflow's functions may look at besides the record: fixed when the run starts. */
export interface WorkflowContext {
  /** The date decisions are made as of (YYYY-MM-DD); stored with the run so a resume decides alike. */
  asOf: string;
  suppliers: ReadonlyMap<string, Supplier>;
}

/** A write a workflow wants: the canonical fields to set, and why. */
export interface ProposedChange {
  after: FieldValues;
  reason: string;
}

/**
 * A workflow over purchase orders: read them, ask an AI task, decide a change per record.
 * The engine does the rest (persisting, policy, approval, apply, audit), identically for YAML and
 * TypeScript workflows.
 */
export interface WorkflowDefinition<Input = unknown, Label extends string = string> {
  name: string;
  description: string;
  /** Name of the connector (under `connectors:` in erpbridge.yaml) to read and write through. */
  connector: string;
  profile: Profile;
  /** Vendor filter for the records to decide on, e.g. `{ status: 'open' }`. */
  source: { filter: Record<string, string | number | boolean>; incremental?: boolean };
  /** Vendor filter for labeled history the embedded model learns from. */
  history: { filter: Record<string, string | number | boolean> };
  task: ClassifyTask<Input, Label>;
  toInput(order: PurchaseOrder, context: WorkflowContext): Input;
  /** A labeled example from a historic record, or null when it teaches nothing. */
  toExample(order: PurchaseOrder, context: WorkflowContext): Example<Input, Label> | null;
  /** The change to propose for this record given the AI's answer, or null for none. */
  decide(
    order: PurchaseOrder,
    result: Classification<Label>,
    context: WorkflowContext,
  ): ProposedChange | null;
  /** The canonical fields `decide` may change; `before` is taken from these. */
  fields: readonly (keyof PurchaseOrder)[];
  policy: PolicyConfig;
  batchSize: number;
  applyConcurrency: number;
}

/**
 * Declares a workflow in TypeScript. Validates what can be validated before any I/O.
 *
 * @example
 * export default defineWorkflow({ name: 'po-urgency', task: poUrgencyTask, decide: (order, r) => ... })
 */
export function defineWorkflow<Input, Label extends string>(
  definition: WorkflowDefinition<Input, Label>,
): WorkflowDefinition<Input, Label> {
  if (!/^[a-z][a-z0-9-]*$/.test(definition.name)) {
    throw new Error(`workflow name "${definition.name}" must be lower-case letters, digits and dashes`);
  }
  if (definition.fields.length === 0) {
    throw new Error(`workflow ${definition.name} declares no writable fields`);
  }
  return definition;
}
