import type { ClassifyTask } from '../ai/contract.ts';
import { trainClassifier } from '../ai/embedded/classifier.ts';
import { type ClassificationReport, evaluateClassifications } from '../ai/eval/metrics.ts';
import type { Connection } from '../connectors/contract.ts';
import { extractMapped } from './extract.ts';
import { loadSuppliers } from './suppliers.ts';
import type { CanonicalRecord, WorkflowContext, WorkflowDefinition, WorkflowEntity } from './workflow.ts';

export interface EvaluationResult {
  /** How the labeled history was split: train on the older orders, test on the newest. */
  trainExamples: number;
  testExamples: number;
  trainedUntil: string | null;
  testFrom: string | null;
  report: ClassificationReport;
  /** History records the mapping could not read (skipped). */
  unreadable: number;
}

/**
 * Evaluates a workflow's embedded model honestly: trains on the older part of the ERP's labeled
 * history and tests on the newest `holdout` share, which the model never sees — the way it will
 * meet orders after it was trained.
 */
export async function evaluateWorkflow<Input, Label extends string, R extends CanonicalRecord>(
  workflow: WorkflowDefinition<Input, Label, R>,
  connection: Connection,
  options: { holdout?: number } = {},
): Promise<EvaluationResult> {
  const holdout = options.holdout ?? 0.2;
  if (!(holdout > 0 && holdout < 1)) throw new RangeError(`holdout must be between 0 and 1, got ${holdout}`);
  const context: WorkflowContext = {
    asOf: new Date().toISOString().slice(0, 10),
    suppliers: await loadSuppliers(connection, workflow.profile),
  };
  const history: R[] = [];
  let unreadable = 0;
  for await (const page of extractMapped(connection, workflow.entity.mapping(workflow.profile), {
    filter: workflow.history.filter,
    pageSize: 1000,
  })) {
    unreadable += page.rejects.length;
    history.push(...page.records);
  }
  const dateOf = workflow.entity.date ?? (() => '');
  history.sort((a, b) => dateOf(a).localeCompare(dateOf(b)) || a.id.localeCompare(b.id));
  const labeled = history.flatMap((order) => {
    const example = workflow.toExample(order, context);
    return example ? [{ order, example }] : [];
  });
  const cut = Math.floor(labeled.length * (1 - holdout));
  const train = labeled.slice(0, cut);
  const test = labeled.slice(cut);
  if (test.length === 0)
    throw new RangeError(`only ${labeled.length} labeled records: too few to hold any back`);
  const task: ClassifyTask<Input, Label> = workflow.task;
  const classifier = trainClassifier(
    task,
    train.map(({ example }) => example),
  );
  const predictions = classifier.predictAll(test.map(({ example }) => task.features(example.input)));
  const report = evaluateClassifications(
    test.map(({ example }) => example.label),
    predictions.map((prediction) => prediction.label),
    task.labels,
  );
  return {
    trainExamples: train.length,
    testExamples: test.length,
    trainedUntil: dateOrNull(workflow.entity, train.at(-1)?.order),
    testFrom: dateOrNull(workflow.entity, test[0]?.order),
    report,
    unreadable,
  };
}

function dateOrNull<R extends CanonicalRecord>(
  entity: WorkflowEntity<R>,
  record: R | undefined,
): string | null {
  return record && entity.date ? entity.date(record) : null;
}
