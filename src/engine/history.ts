import type { Example } from '../ai/contract.ts';
import type { Connection } from '../connectors/contract.ts';
import { extractMapped } from './extract.ts';
import type { CanonicalRecord, WorkflowContext, WorkflowDefinition } from './workflow.ts';

/**
 * Reads the ERP's labeled history for a workflow and turns it into training examples, page by page.
 * Records the mapping cannot read are skipped and counted; the model learns from the rest.
 */
export async function loadHistoryExamples<Input, Label extends string, R extends CanonicalRecord>(
  workflow: WorkflowDefinition<Input, Label, R>,
  connection: Connection,
  context: WorkflowContext,
): Promise<{ examples: Example<Input, Label>[]; unreadable: number }> {
  const examples: Example<Input, Label>[] = [];
  let unreadable = 0;
  const pages = extractMapped(connection, workflow.entity.mapping(workflow.profile), {
    filter: workflow.history.filter,
    pageSize: 1000,
  });
  for await (const page of pages) {
    unreadable += page.rejects.length;
    for (const order of page.records) {
      const example = workflow.toExample(order, context);
      if (example) examples.push(example);
    }
  }
  return { examples, unreadable };
}
