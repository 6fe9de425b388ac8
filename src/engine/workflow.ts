import type { z } from 'zod';
import type { Classification, ClassifyProvider, ClassifyTask, Example } from '../ai/contract.ts';
import type { PurchaseOrder } from '../canonical/purchase-order.ts';
import type { Supplier } from '../canonical/supplier.ts';
import type { EntityMapping, Profile } from '../profiles/contract.ts';
import type { FieldValues } from './change.ts';
import type { ModelInfo } from './engine.ts';
import type { PolicyConfig } from './policy.ts';

/** What a workflow's functions may look at besides the record: fixed when the run starts. */
export interface WorkflowContext {
  /** The date decisions are made as of (YYYY-MM-DD); stored with the run so a resume decides alike. */
  asOf: string;
  suppliers: ReadonlyMap<string, Supplier>;
  /** What the workflow's `reference` loaded when the run started (undefined without one). */
  reference?: unknown;
  /** The model answering this run, when the provider prepared one (the embedded provider does). */
  model?: ModelInfo | null;
}

/** Every canonical record a workflow decides on has an id and the ERP's concurrency token. */
export interface CanonicalRecord {
  id: string;
  version: string | null;
}

/**
 * The canonical entity a workflow reads and writes: how to reach it through a profile, and the
 * schema an edited value must pass. `purchaseOrderEntity` (entities.ts) is the one po-urgency uses.
 */
export interface WorkflowEntity<R extends CanonicalRecord> {
  /** Canonical name, stored as `Change.entity` (e.g. `purchaseOrder`, `invoice`). */
  name: string;
  /** A zod object of any shape; an edited field is checked against its entry. */
  schema: z.ZodObject;
  /** The profile's mapping for this entity; throws naming the profile when it has none. */
  mapping(profile: Profile): EntityMapping<R>;
  /** The money a change on this record is about, for four-eyes limits; null when none. */
  amount?(record: R): number | null;
  /** The record's business date (YYYY-MM-DD), for splitting history by time in evaluation. */
  date?(record: R): string;
}

/** Reads canonical records of any entity the profile maps, through the workflow's connection. */
export interface ReferenceReader {
  records<T extends CanonicalRecord>(
    entity: WorkflowEntity<T>,
    filter?: Record<string, string | number | boolean>,
  ): Promise<T[]>;
  suppliers: ReadonlyMap<string, Supplier>;
  asOf: string;
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
export interface WorkflowDefinition<
  Input = unknown,
  Label extends string = string,
  R extends CanonicalRecord = PurchaseOrder,
> {
  name: string;
  description: string;
  /** Name of the connector (under `connectors:` in erpbridge.yaml) to read and write through. */
  connector: string;
  profile: Profile;
  /** The entity it decides on; purchase orders for po-urgency. */
  entity: WorkflowEntity<R>;
  /** Vendor filter for the records to decide on, e.g. `{ status: 'open' }`. */
  source: { filter: Record<string, string | number | boolean>; incremental?: boolean };
  /** Vendor filter for labeled history the embedded model learns from. */
  history: { filter: Record<string, string | number | boolean> };
  task: ClassifyTask<Input, Label>;
  /**
   * Reference data read once when a run starts (open orders and goods receipts to match invoices
   * against, master data); handed to `toInput` and `decide` as `context.reference`.
   */
  reference?: (read: ReferenceReader) => Promise<unknown>;
  /**
   * Answers a batch itself (rules, matching, extraction) instead of the engine asking the
   * configured provider to classify with `task`. Same count and order as `inputs`.
   */
  answer?: (
    inputs: readonly Input[],
    ai: { provider: ClassifyProvider; context: WorkflowContext },
  ) => Promise<Classification<Label>[]>;
  toInput(record: R, context: WorkflowContext): Input;
  /** A labeled example from a historic record, or null when it teaches nothing. */
  toExample(record: R, context: WorkflowContext): Example<Input, Label> | null;
  /** The change to propose for this record given the AI's answer, or null for none. */
  decide(record: R, result: Classification<Label>, context: WorkflowContext): ProposedChange | null;
  /** The canonical fields `decide` may change; `before` is taken from these. */
  fields: readonly (keyof R & string)[];
  policy: PolicyConfig;
  /**
   * The policy for one run, when it depends on what the run found (e.g. gl-coding's
   * `autoThreshold: model`, the threshold the answering model chose on its own validation);
   * absent, `policy` holds.
   */
  policyFor?(context: WorkflowContext): PolicyConfig;
  batchSize: number;
  applyConcurrency: number;
}

/** A workflow of any input, labels and entity, as the engine and the runtime hold them. */
// biome-ignore lint/suspicious/noExplicitAny: the engine is generic over every workflow's own types
export type AnyWorkflow = WorkflowDefinition<any, any, any>;

/**
 * Declares a workflow in TypeScript. Validates what can be validated before any I/O.
 *
 * @example
 * export default defineWorkflow({ name: 'po-urgency', task: poUrgencyTask, decide: (order, r) => ... })
 */
export function defineWorkflow<Input, Label extends string, R extends CanonicalRecord = PurchaseOrder>(
  definition: WorkflowDefinition<Input, Label, R>,
): WorkflowDefinition<Input, Label, R> {
  if (!/^[a-z][a-z0-9-]*$/.test(definition.name)) {
    throw new Error(`workflow name "${definition.name}" must be lower-case letters, digits and dashes`);
  }
  if (definition.fields.length === 0) {
    throw new Error(`workflow ${definition.name} declares no writable fields`);
  }
  return definition;
}
