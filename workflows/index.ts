import type { WorkflowConfig, WorkflowTask } from '../src/config/schema.ts';
import type { AnyWorkflow } from '../src/engine/workflow.ts';
import { glCodingWorkflow } from './gl-coding.ts';
import { invoiceMatchWorkflow } from './invoice-match.ts';
import { poUrgencyWorkflow } from './po-urgency.ts';
import { priceAnomaliesWorkflow } from './price-anomalies.ts';

/** Builds a workflow from its entry under `workflows:` in erpbridge.yaml. */
export type WorkflowFactory = (name: string, config: WorkflowConfig) => AnyWorkflow;

/**
 * The bundled workflows by `task:`. A factory validates its own `options` and throws a
 * `ConfigError` naming `workflows.<name>.options.<key>` for a bad one.
 */
export const workflowFactories: Partial<Record<WorkflowTask, WorkflowFactory>> = {
  'po-urgency': poUrgencyWorkflow,
  'gl-coding': glCodingWorkflow,
  'invoice-match': invoiceMatchWorkflow,
  'price-anomalies': priceAnomaliesWorkflow,
};
