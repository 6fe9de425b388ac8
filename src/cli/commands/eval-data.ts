import type { DatedExample } from '../../ai/eval/compare.ts';
import { type LabeledFile, readLabeledFile } from '../../ai/eval/labeled-file.ts';
import type { Connection } from '../../connectors/contract.ts';
import { extractMapped } from '../../engine/extract.ts';
import { referenceReader } from '../../engine/reference.ts';
import { loadSuppliers } from '../../engine/suppliers.ts';
import type {
  AnyWorkflow,
  CanonicalRecord,
  ReferenceReader,
  WorkflowContext,
  WorkflowEntity,
} from '../../engine/workflow.ts';
import { isErpError } from '../../errors/index.ts';

/**
 * The columns a labelled file of a bundled workflow must have, and which one holds the label,
 * as its profile's vendor fields name them (the sandbox's: what `erpbridge sandbox` serves).
 */
export const FILE_COLUMNS: Readonly<Record<string, { label: string; required: readonly string[] }>> = {
  'gl-coding': {
    label: 'gl_code',
    required: ['trans_date', 'merchant', 'amount', 'vat_desc', 'directorate', 'cc_code', 'cc_desc'],
  },
  'po-urgency': {
    label: 'priority',
    required: ['po_number', 'supplier_id', 'order_date', 'need_by', 'total_amount', 'currency', 'status'],
  },
};

/** A record read for evaluation and the example it teaches (none when unlabelled). */
export interface ReadRecord {
  record: CanonicalRecord;
  date: string;
  /** The vendor fields it was mapped from. */
  data: Record<string, unknown>;
}

/**
 * Checks a labelled file's columns for a workflow: the label column (`--label`, else the
 * workflow's own) and the fields its mapping reads. Returns the file with the label copied into
 * the column the mapping reads it from. Throws an Error naming the file and the missing column.
 */
export function checkColumns(file: LabeledFile, task: string, labelColumn: string | undefined): LabeledFile {
  const expected = FILE_COLUMNS[task];
  const label = labelColumn ?? expected?.label;
  if (label !== undefined && !file.columns.includes(label)) {
    throw new Error(
      `${file.file}: no label column "${label}" (columns: ${file.columns.join(', ')})${labelColumn === undefined ? '; name it with --label' : ''}`,
    );
  }
  const missing = (expected?.required ?? []).filter((column) => !file.columns.includes(column));
  if (missing.length > 0) {
    throw new Error(
      `${file.file} line 1: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} that ${task} reads (columns: ${file.columns.join(', ')})`,
    );
  }
  if (label === undefined || expected === undefined || label === expected.label) return file;
  return {
    ...file,
    rows: file.rows.map((row) => ({ ...row, data: { ...row.data, [expected.label]: row.data[label] } })),
  };
}

/**
 * Maps a labelled file's rows through the workflow's profile mapping, as records read from the
 * ERP would be. A row the mapping cannot read is an Error naming the file, line and column.
 */
export function recordsFromFile(workflow: AnyWorkflow, file: LabeledFile): ReadRecord[] {
  const mapping = workflow.entity.mapping(workflow.profile);
  const dateOf = workflow.entity.date;
  return file.rows.map((row) => {
    const key =
      typeof row.data.line_id === 'string' && row.data.line_id !== '' ? row.data.line_id : `L${row.line}`;
    let record: CanonicalRecord;
    try {
      record = mapping.toCanonical({ key, version: null, data: row.data });
    } catch (error) {
      const field = isErpError(error) ? error.context.field : undefined;
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`${file.file} line ${row.line}${field ? `, column ${field}` : ''}: ${message}`, {
        cause: error,
      });
    }
    return { record, date: dateOf ? dateOf(record) : '', data: row.data };
  });
}

/** The labelled history of the workflow as the ERP holds it (its `history.filter`), oldest first. */
export async function recordsFromErp(workflow: AnyWorkflow, connection: Connection): Promise<ReadRecord[]> {
  const records: ReadRecord[] = [];
  const dateOf = workflow.entity.date;
  for await (const page of extractMapped(connection, workflow.entity.mapping(workflow.profile), {
    filter: workflow.history.filter,
    pageSize: 1000,
  })) {
    for (const record of page.records) records.push({ record, date: dateOf ? dateOf(record) : '', data: {} });
  }
  return records;
}

/** The examples of records (unlabelled ones teach nothing and are counted). */
export function examplesOf(
  workflow: AnyWorkflow,
  records: readonly ReadRecord[],
  context: WorkflowContext,
): { examples: DatedExample<unknown>[]; unlabelled: number } {
  const examples: DatedExample<unknown>[] = [];
  let unlabelled = 0;
  for (const { record, date } of records) {
    const example = workflow.toExample(record, context);
    if (example === null) unlabelled++;
    else examples.push({ example, date });
  }
  return { examples, unlabelled };
}

/**
 * A reference reader over records read from a file: the workflow's own entity reads those
 * records; another entity (a chart of accounts) reads the same rows through its own mapping, the
 * rows it cannot read left out, one record per id.
 */
export function fileReferenceReader(
  workflow: AnyWorkflow,
  records: readonly ReadRecord[],
  rows: readonly Record<string, unknown>[],
  asOf: string,
): ReferenceReader {
  return {
    suppliers: new Map(),
    asOf,
    async records<T extends CanonicalRecord>(entity: WorkflowEntity<T>): Promise<T[]> {
      if (entity.name === workflow.entity.name) {
        // The records are of the workflow's entity, which is the one asked for.
        return records.map(({ record }) => record as T);
      }
      let mapping: ReturnType<WorkflowEntity<T>['mapping']>;
      try {
        mapping = entity.mapping(workflow.profile);
      } catch {
        // The profile maps no such entity: a file holds none of it either.
        return [];
      }
      const byId = new Map<string, T>();
      rows.forEach((data, i) => {
        try {
          const record = mapping.toCanonical({ key: String(i), version: null, data });
          if (!byId.has(record.id)) byId.set(record.id, record);
        } catch {
          // A row that is not a record of this entity (no account code on an uncoded line) is skipped.
        }
      });
      return [...byId.values()];
    },
  };
}

/** Labelled history and test records for an evaluation, and where each came from. */
export interface EvaluationData {
  history: DatedExample<unknown>[];
  test: DatedExample<unknown>[];
  source: { history: string; test: string; splitDate: string | null };
}

/**
 * Reads what an evaluation learns from and tests on: `train` (or, with `splitDate` and no
 * `train`, the part of `data` before it; or, with neither, the ERP's history through `erp`) and
 * `data` (on or after `splitDate`). The workflow's reference data (a chart of accounts) is read
 * from the same place as the history. Errors name the file, line and column.
 */
export async function evaluationData(
  workflow: AnyWorkflow,
  options: {
    data: string;
    train?: string;
    splitDate?: string;
    label?: string;
    erp?: Connection;
    asOf?: string;
  },
): Promise<EvaluationData> {
  const { splitDate } = options;
  const asOf = options.asOf ?? new Date().toISOString().slice(0, 10);
  const dataFile = checkColumns(readLabeledFile(options.data), workflow.task.name, options.label);
  const dataRecords = recordsFromFile(workflow, dataFile);
  const before = (record: ReadRecord) => splitDate === undefined || record.date < splitDate;
  const onOrAfter = (record: ReadRecord) => splitDate === undefined || record.date >= splitDate;
  let historyRecords: ReadRecord[];
  let historySource: string;
  if (options.train !== undefined) {
    const trainFile = checkColumns(readLabeledFile(options.train), workflow.task.name, options.label);
    historyRecords = recordsFromFile(workflow, trainFile).filter(before);
    historySource = `${options.train}${splitDate ? ` before ${splitDate}` : ''}`;
  } else if (splitDate !== undefined) {
    historyRecords = dataRecords.filter(before);
    historySource = `${options.data} before ${splitDate}`;
  } else if (options.erp !== undefined) {
    historyRecords = await recordsFromErp(workflow, options.erp);
    historySource = `the ERP’s history (connector ${workflow.connector}, filter ${JSON.stringify(workflow.history.filter)})`;
  } else {
    throw new Error('an evaluation needs history to learn from: a training file, a split date, or the ERP');
  }
  const testRecords = dataRecords.filter(onOrAfter);

  const fromErp = options.train === undefined && splitDate === undefined && options.erp !== undefined;
  const context: WorkflowContext = {
    asOf,
    suppliers: fromErp && options.erp ? await loadSuppliers(options.erp, workflow.profile) : new Map(),
  };
  if (workflow.reference) {
    const reader =
      fromErp && options.erp
        ? referenceReader(options.erp, workflow.profile, context.suppliers, asOf)
        : fileReferenceReader(
            workflow,
            historyRecords,
            historyRecords.map((record) => record.data),
            asOf,
          );
    context.reference = await workflow.reference(reader);
  }
  const history = examplesOf(workflow, historyRecords, context);
  const test = examplesOf(workflow, testRecords, context);
  if (history.examples.length === 0) throw new Error(`no labelled records to learn from in ${historySource}`);
  const testSource = `${options.data}${splitDate ? ` on or after ${splitDate}` : ''}`;
  if (test.examples.length === 0) throw new Error(`no labelled records to test on in ${testSource}`);
  return {
    history: history.examples,
    test: test.examples,
    source: { history: historySource, test: testSource, splitDate: splitDate ?? null },
  };
}
