import { extname } from 'node:path';
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
import { exportedRows, hasExportMeta } from '../../shadow/labeled-data.ts';

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

/** The label column of a file `labels export` wrote, unless `--label` names another. */
export const EXPORTED_LABEL_COLUMN = 'label';

/**
 * Whether a labelled file is one `erpbridge labels export` wrote rather than records in the
 * profile's vendor fields: it has the export's `_meta` (jsonl) or `_recordId` (csv) column, or —
 * exported with `--no-meta` — its label column and none of the vendor columns the workflow reads.
 */
export function isLabelsExport(file: LabeledFile, task: string, labelColumn: string | undefined): boolean {
  if (hasExportMeta(file.columns)) return true;
  const vendor = FILE_COLUMNS[task]?.required ?? [];
  return (
    vendor.length > 0 &&
    file.columns.includes(labelColumn ?? EXPORTED_LABEL_COLUMN) &&
    !vendor.some((column) => file.columns.includes(column))
  );
}

/** A file `labels export` wrote, as examples: how many rows had no label, and none a date. */
export interface ExportedExamples {
  examples: DatedExample<unknown>[];
  unlabelled: number;
  /** Rows without the date of the decision (a file exported with `--no-meta`). */
  undated: number;
}

/**
 * The rows of a file `labels export` wrote as examples, used as they are: the input is what went
 * to the AI for that record, the label what the person chose, the date the day they decided
 * (`_at`). Rows with an empty label teach nothing and are counted. Errors name the file and line:
 * a row labelled for a field the workflow does not write, or whose input the task cannot read.
 */
export function examplesFromExport(
  workflow: AnyWorkflow,
  file: LabeledFile,
  labelColumn: string | undefined,
): ExportedExamples {
  const format = extname(file.file).toLowerCase() === '.csv' ? 'csv' : 'jsonl';
  const label = labelColumn ?? EXPORTED_LABEL_COLUMN;
  const result: ExportedExamples = { examples: [], unlabelled: 0, undated: 0 };
  for (const row of exportedRows(file, format, label)) {
    const where = `${file.file} line ${row.line}`;
    if (row.field !== null && !workflow.fields.includes(row.field)) {
      throw new Error(
        `${where}: labels of field ${row.field}, but workflow ${workflow.name} writes ${workflow.fields.join(', ')}`,
      );
    }
    if (row.label === null) {
      result.unlabelled++;
      continue;
    }
    if (typeof row.label !== 'string' && typeof row.label !== 'number') {
      throw new Error(`${where}, column ${label}: a label is text, got ${JSON.stringify(row.label)}`);
    }
    try {
      workflow.task.features(row.input);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`${where}: not an input of task ${workflow.task.name} (${reason})`, { cause: error });
    }
    const date = row.at?.slice(0, 10) ?? '';
    if (date !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      throw new Error(`${where}, column _at: expected a date and time, got ${JSON.stringify(row.at)}`);
    }
    if (date === '') result.undated++;
    result.examples.push({ example: { input: row.input, label: String(row.label) }, date });
  }
  return result;
}

/** What one labelled file gives an evaluation: vendor records to map, or exported examples. */
type FileData =
  | { kind: 'records'; file: string; records: ReadRecord[] }
  | ({ kind: 'examples'; file: string } & ExportedExamples);

/**
 * Reads one labelled file for an evaluation: a file `labels export` wrote (see
 * {@link isLabelsExport}) as examples, anything else as records in the profile's vendor fields.
 */
export function readEvaluationFile(workflow: AnyWorkflow, path: string, label: string | undefined): FileData {
  const file = readLabeledFile(path);
  if (isLabelsExport(file, workflow.task.name, label)) {
    return { kind: 'examples', file: path, ...examplesFromExport(workflow, file, label) };
  }
  const checked = checkColumns(file, workflow.task.name, label);
  return { kind: 'records', file: path, records: recordsFromFile(workflow, checked) };
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
 * `data` (on or after `splitDate`). Each file is records in the profile's vendor fields or a file
 * `erpbridge labels export` wrote (its rows are used as the examples they are). The workflow's
 * reference data (a chart of accounts) is read from the same place as the history. Errors name
 * the file, line and column.
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
  const data = readEvaluationFile(workflow, options.data, options.label);
  if (splitDate !== undefined) requireDates(data, '--split-date');
  let history: FileData;
  let historySource: string;
  if (options.train !== undefined) {
    history = before(readEvaluationFile(workflow, options.train, options.label), splitDate);
    historySource = `${options.train}${splitDate ? ` before ${splitDate}` : ''}`;
  } else if (splitDate !== undefined) {
    history = before(data, splitDate);
    historySource = `${options.data} before ${splitDate}`;
  } else if (options.erp !== undefined) {
    history = { kind: 'records', file: 'the ERP', records: await recordsFromErp(workflow, options.erp) };
    historySource = `the ERP’s history (connector ${workflow.connector}, filter ${JSON.stringify(workflow.history.filter)})`;
  } else {
    throw new Error('an evaluation needs history to learn from: a training file, a split date, or the ERP');
  }
  // The history's newest part chooses each threshold, so it must be in time order.
  requireDates(history, 'the history');
  const test = onOrAfter(data, splitDate);

  const fromErp = options.train === undefined && splitDate === undefined && options.erp !== undefined;
  const context: WorkflowContext = {
    asOf,
    suppliers: fromErp && options.erp ? await loadSuppliers(options.erp, workflow.profile) : new Map(),
  };
  if (workflow.reference) {
    const historyRecords = history.kind === 'records' ? history.records : [];
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
  const historyExamples = examplesOfData(workflow, history, context);
  const testExamples = examplesOfData(workflow, test, context);
  if (historyExamples.length === 0) throw new Error(`no labelled records to learn from in ${historySource}`);
  const testSource = `${options.data}${splitDate ? ` on or after ${splitDate}` : ''}`;
  if (testExamples.length === 0) throw new Error(`no labelled records to test on in ${testSource}`);
  return {
    history: historyExamples,
    test: testExamples,
    source: { history: historySource, test: testSource, splitDate: splitDate ?? null },
  };
}

/** The part of a file dated before `splitDate` (all of it without one). */
function before(data: FileData, splitDate: string | undefined): FileData {
  if (splitDate === undefined) return data;
  return data.kind === 'records'
    ? { ...data, records: data.records.filter((record) => record.date < splitDate) }
    : { ...data, examples: data.examples.filter((item) => item.date < splitDate) };
}

/** The part of a file dated on or after `splitDate` (all of it without one). */
function onOrAfter(data: FileData, splitDate: string | undefined): FileData {
  if (splitDate === undefined) return data;
  return data.kind === 'records'
    ? { ...data, records: data.records.filter((record) => record.date >= splitDate) }
    : { ...data, examples: data.examples.filter((item) => item.date >= splitDate) };
}

/** Refuses exported rows without dates where time order matters, saying how to get them. */
function requireDates(data: FileData, purpose: string): void {
  if (data.kind !== 'examples' || data.undated === 0) return;
  throw new Error(
    `${data.file}: ${data.undated} row${data.undated === 1 ? ' has' : 's have'} no date (_at), which ${purpose} needs to order rows in time; export it again without --no-meta`,
  );
}

function examplesOfData(
  workflow: AnyWorkflow,
  data: FileData,
  context: WorkflowContext,
): DatedExample<unknown>[] {
  return data.kind === 'records' ? examplesOf(workflow, data.records, context).examples : data.examples;
}
