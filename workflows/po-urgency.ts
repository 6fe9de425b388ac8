import { poUrgencyTask, type UrgencyInput } from '../src/ai/tasks/po-urgency.ts';
import type { Priority } from '../src/canonical/priority.ts';
import type { WorkflowConfig } from '../src/config/schema.ts';
import { purchaseOrderEntity } from '../src/engine/entities.ts';
import { defineWorkflow, type WorkflowDefinition } from '../src/engine/workflow.ts';
import { profiles } from '../src/profiles/index.ts';

/**
 * po-urgency: classify open purchase orders as urgent / high / normal / low with the embedded model
 * (learned from the buyers' own priorities on closed orders) and write the priority back for the
 * labels the config names — by default only `urgent`, the escalations buyers must not miss.
 */
export function poUrgencyWorkflow(
  name: string,
  config: WorkflowConfig,
): WorkflowDefinition<UrgencyInput, Priority> {
  const writeLabels = new Set<Priority>(config.write.labels);
  return defineWorkflow<UrgencyInput, Priority>({
    name,
    description: config.description ?? 'Rank open purchase orders by urgency and write the priority back',
    connector: config.connector,
    profile: profiles[config.profile],
    entity: purchaseOrderEntity,
    source: config.source,
    history: config.history,
    task: poUrgencyTask,
    fields: ['priority'],
    toInput: (order, context) => ({
      order,
      supplier: context.suppliers.get(order.supplierId) ?? null,
      asOf: context.asOf,
    }),
    toExample: (order, context) =>
      order.priority === null
        ? null
        : {
            input: {
              order,
              supplier: context.suppliers.get(order.supplierId) ?? null,
              asOf: order.orderDate,
            },
            label: order.priority,
          },
    decide: (order, result) => {
      if (!writeLabels.has(result.label) || order.priority === result.label) return null;
      return {
        after: { priority: result.label },
        reason: `classified ${result.label} (was ${order.priority ?? 'unset'})`,
      };
    },
    policy: config.policy,
    batchSize: config.batchSize,
    applyConcurrency: config.applyConcurrency,
  });
}
