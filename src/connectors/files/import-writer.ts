import { posix } from 'node:path';
import { describeError, ErpError } from '../../errors/index.ts';
import { FormatError } from '../../formats/format-error.ts';
import type { VendorRecord, WriteResult } from '../contract.ts';
import { type FileTransport, TransportError } from './file-transport.ts';
import type { FilesConfig, FilesEntity, FilesWrite } from './files-config.ts';
import type { FilesState, StoredRecord } from './files-state.ts';
import { type ImportFile, type ImportLine, renderImportFile } from './import-file.ts';
import { fillTemplate } from './name-pattern.ts';
import { type ResultLine, readResultFile } from './result-file.ts';
import { isStable, observe, type Sighting } from './stability.ts';

/**
 * Writes through the ERP's batch import, honestly: a change is applied only when the ERP's result
 * file says so.
 *
 * `write` puts the change into the entity's pending batch and waits. A batch becomes an import file
 * when it holds `batch.maxChanges` changes or its first change has waited `batch.maxWaitMs` (apply
 * runs `applyConcurrency` writes at once, so they share a file). The file is written atomically
 * (temporary name, fsync, rename) under a name derived from its content. Then the writer polls for
 * the result file; each line of it settles its change: `applied` confirms it in the connector's
 * state (so `get`, and apply's read-back, see the new value and version at once), a rejection
 * fails the write with the ERP's reason (`conflict` for a stale version, `permanent` otherwise),
 * and a change the result does not mention fails as `permanent`.
 *
 * When no result comes within `resultTimeoutMs`, the writer withdraws the import file if the ERP
 * has not taken it yet (nothing was applied), and otherwise reports the outcome as unknown; either
 * way a `transient` error, after which apply re-reads and decides. Results arriving later still
 * update the state. A batch sent again with the same changes has the same name: the writer then
 * waits for (or reads) that file's result instead of dropping a second copy.
 */

export interface ImportWriterOptions {
  transport: FileTransport;
  state: FilesState;
  config: FilesConfig;
  connector: string;
  /** Told of a failure in the background (polling for results, withdrawing a file). */
  onProblem?: (message: string) => void;
  now?: () => number;
}

export interface ImportWriter {
  /** Sends one change of `entityName` (which has `write`) and waits for the ERP's result. */
  write(entityName: string, line: ImportLine, signal?: AbortSignal): Promise<WriteResult>;
  close(): Promise<void>;
}

interface Waiter {
  line: ImportLine;
  resolve(result: WriteResult): void;
  reject(error: unknown): void;
  settled: boolean;
}

interface PendingBatch {
  waiters: Waiter[];
  timer: NodeJS.Timeout | undefined;
}

/** An import file written (or found) and waiting for its result. */
interface Outstanding {
  entityName: string;
  file: ImportFile;
  resultPath: string;
  waiters: Waiter[];
  deadline: number;
  sighting: Sighting | undefined;
  /** Past its deadline: nobody waits, but a late result still updates the state. */
  late: boolean;
  /** False while the file is being written: the poller leaves it alone until then. */
  sent: boolean;
}

/** Creates the writer; its poll timer runs only while results are awaited. */
export function createImportWriter(options: ImportWriterOptions): ImportWriter {
  const { transport, state, config, connector } = options;
  const now = options.now ?? Date.now;
  const pending = new Map<string, PendingBatch>();
  const outstanding = new Map<string, Outstanding>();
  let poller: NodeJS.Timeout | undefined;
  let polling = false;
  let closed = false;

  const entityOf = (name: string): { entity: FilesEntity; write: FilesWrite } => {
    const entity = config.entities[name];
    if (entity?.write === undefined) throw new Error(`entity ${name} is not writable`);
    return { entity, write: entity.write };
  };

  const settle = (waiter: Waiter, outcome: { result: WriteResult } | { error: unknown }) => {
    if (waiter.settled) return;
    waiter.settled = true;
    if ('result' in outcome) waiter.resolve(outcome.result);
    else waiter.reject(outcome.error);
  };

  /** Turns the entity's pending batch into an import file; never throws (its changes fail instead). */
  const flush = (entityName: string): void => {
    const batch = pending.get(entityName);
    if (batch === undefined) return;
    pending.delete(entityName);
    if (batch.timer !== undefined) clearTimeout(batch.timer);
    const waiters = batch.waiters.filter((waiter) => !waiter.settled);
    if (waiters.length === 0) return;
    send(entityName, waiters).catch((error: unknown) => {
      for (const waiter of waiters) settle(waiter, { error });
    });
  };

  const send = async (entityName: string, waiters: Waiter[]): Promise<void> => {
    const { entity, write } = entityOf(entityName);
    const file = renderImportFile(
      entityName,
      entity,
      write,
      config.csv,
      waiters.map((waiter) => waiter.line),
    );
    const importPath = posix.join(write.dir, file.name);
    const resultPath = posix.join(
      write.results.dir,
      fillTemplate(write.results.fileName, { file: file.name }),
    );
    const known = outstanding.get(file.name);
    if (known !== undefined) {
      // The same changes again (a retry after an unknown outcome): wait for the same result.
      known.waiters.push(...waiters);
      known.late = false;
      known.deadline = Math.max(known.deadline, now() + write.resultTimeoutMs);
      return;
    }
    // Registered before the first await, so the same batch flushed meanwhile joins this one.
    const entry: Outstanding = {
      entityName,
      file,
      resultPath,
      waiters,
      deadline: now() + write.resultTimeoutMs,
      sighting: undefined,
      late: false,
      sent: false,
    };
    outstanding.set(file.name, entry);
    try {
      const answered = (await transport.stat(resultPath)) !== null;
      const waiting = answered || (await transport.stat(importPath)) !== null;
      if (!waiting) await transport.writeAtomic(importPath, file.content);
    } catch (error) {
      if (!(error instanceof TransportError && error.failure === 'exists')) {
        outstanding.delete(file.name);
        const failure = new ErpError(
          'transient',
          `cannot write import file ${transport.describe}/${importPath}: ${describeError(error)}`,
          {
            connector,
            entity: entityName,
            file: importPath,
            cause: error,
            hint: `check that ${write.dir} exists on the exchange and is writable`,
          },
        );
        for (const waiter of entry.waiters) settle(waiter, { error: failure });
        return;
      }
    }
    entry.sent = true;
    startPolling();
  };

  const startPolling = () => {
    if (poller !== undefined || closed) return;
    poller = setInterval(
      () => {
        if (polling) return;
        polling = true;
        pollResults()
          .catch((error: unknown) => {
            // Tried again next tick; the writes waiting time out if it keeps failing.
            report(`polling for results: ${describeError(error)}`);
          })
          .finally(() => {
            polling = false;
          });
      },
      Math.min(config.inbound.pollMs, 1000),
    );
    poller.unref();
  };
  let lastProblem: string | undefined;
  const report = (problem: string) => {
    if (problem === lastProblem) return;
    lastProblem = problem;
    options.onProblem?.(`connector ${connector}: ${problem}`);
  };

  const pollResults = async (): Promise<void> => {
    for (const [name, entry] of [...outstanding]) {
      if (closed) return;
      if (!entry.sent) continue;
      const { write } = entityOf(entry.entityName);
      const found = await transport.stat(entry.resultPath);
      const at = now();
      if (found !== null) {
        const sightings = observe(
          entry.sighting === undefined ? new Map() : new Map([[found.name, entry.sighting]]),
          [found],
          at,
        );
        entry.sighting = sightings.get(found.name);
        const window = write.results.stableMs ?? config.inbound.stableMs;
        if (entry.sighting !== undefined && isStable(entry.sighting, at, window)) {
          outstanding.delete(name);
          await settleFromResult(entry);
          continue;
        }
      }
      if (!entry.late && at >= entry.deadline) await timeOut(entry);
    }
    if (outstanding.size === 0 && poller !== undefined) {
      clearInterval(poller);
      poller = undefined;
    }
  };

  const settleFromResult = async (entry: Outstanding): Promise<void> => {
    const { entity, write } = entityOf(entry.entityName);
    const keyColumn = write.keyColumn ?? entity.keyField;
    let lines: ResultLine[];
    try {
      lines = await readResultFile(transport.read(entry.resultPath), {
        source: posix.basename(entry.resultPath),
        csv: config.csv,
        write,
        keyColumn,
        versionColumn: entity.versionField,
      });
    } catch (error) {
      const reason = error instanceof FormatError ? error.message : describeError(error);
      const failure = new ErpError(
        'transient',
        `the ERP's result for ${entry.file.name} cannot be read (${reason}); the outcome is unknown`,
        {
          connector,
          entity: entry.entityName,
          file: entry.resultPath,
          ...(error instanceof FormatError && error.position.line !== undefined
            ? { line: error.position.line }
            : {}),
          cause: error,
          hint: 'read the record again before writing again',
        },
      );
      for (const waiter of entry.waiters) settle(waiter, { error: failure });
      return;
    }
    // The n-th line of a key in the import answers to the n-th result line of that key. Waiters
    // are matched by what they asked, not by object: a batch sent again brings its own waiters.
    const byKey = new Map<string, ResultLine[]>();
    for (const line of lines) byKey.set(line.key, [...(byKey.get(line.key) ?? []), line]);
    const aboutFile = lines.filter((line) => line.key === '' && !line.applied).map((line) => line.message);
    const waiting = new Map<string, Waiter[]>();
    for (const waiter of entry.waiters) {
      const same = lineIdentity(waiter.line);
      waiting.set(same, [...(waiting.get(same) ?? []), waiter]);
    }
    for (const line of entry.file.lines) {
      const result = byKey.get(line.key)?.shift();
      const waiters = waiting.get(lineIdentity(line)) ?? [];
      waiting.delete(lineIdentity(line));
      const outcome = lineOutcome(entry, line, result, aboutFile);
      for (const waiter of waiters) settle(waiter, outcome);
    }
  };

  /** What one import line came to, by its result line; an applied line is confirmed in the state. */
  const lineOutcome = (
    entry: Outstanding,
    line: ImportLine,
    result: ResultLine | undefined,
    aboutFile: readonly string[],
  ): { result: WriteResult } | { error: ErpError } => {
    const { entity, write } = entityOf(entry.entityName);
    const resultFile = posix.basename(entry.resultPath);
    const where = { connector, entity: entry.entityName, key: line.key, file: entry.resultPath };
    if (result?.applied === true) {
      try {
        const stored = state.confirm({
          entity: entry.entityName,
          key: line.key,
          fromVersion: write.versionColumn === null ? null : line.ifVersion,
          toVersion: result.version,
          fields: { ...line.fields },
          versionField: entity.versionField,
        });
        return { result: { record: stored === undefined ? null : toVendorRecord(stored) } };
      } catch (cause) {
        return {
          error: new ErpError(
            'transient',
            `${resultFile}:${result.line}: the ERP applied ${entry.entityName} ${line.key}, but the connector could not note it: ${describeError(cause)}`,
            {
              ...where,
              line: result.line,
              cause,
              hint: 'read the record again; the next export shows it',
            },
          ),
        };
      }
    }
    if (result === undefined) {
      const why = aboutFile.length > 0 ? `; about the whole file it says: ${aboutFile.join('; ')}` : '';
      return {
        error: new ErpError(
          'permanent',
          `${resultFile}: the ERP's result has no line for ${entry.entityName} ${line.key}${why}`,
          {
            ...where,
            hint: `the change was not confirmed; see ${entry.file.name} in the ERP's import log`,
          },
        ),
      };
    }
    const conflict = write.results.conflictReasons.includes(result.reason);
    const reason = result.reason === '' ? '' : ` (${result.reason})`;
    return {
      error: new ErpError(
        conflict ? 'conflict' : 'permanent',
        `${resultFile}:${result.line}: the ERP rejected ${entry.entityName} ${line.key}: ${result.message}${reason}`,
        {
          ...where,
          line: result.line,
          ...(conflict
            ? {}
            : { hint: 'the ERP refused the change; fix what its message names, then plan again' }),
        },
      ),
    };
  };

  const timeOut = async (entry: Outstanding): Promise<void> => {
    const { write } = entityOf(entry.entityName);
    const importPath = posix.join(write.dir, entry.file.name);
    const withdrawnDir = posix.join(write.dir, write.withdrawnDir);
    let withdrawn = false;
    try {
      await transport.mkdir(withdrawnDir);
      await transport.rename(importPath, posix.join(withdrawnDir, entry.file.name));
      withdrawn = true;
    } catch (error) {
      if (!(error instanceof TransportError && error.failure === 'not-found')) {
        report(`withdrawing ${importPath}: ${describeError(error)}`);
      }
    }
    const waited = `${write.resultTimeoutMs} ms`;
    const failure = withdrawn
      ? new ErpError(
          'transient',
          `the ERP did not take import file ${entry.file.name} within ${waited}; withdrawn to ${withdrawnDir}, nothing was applied`,
          {
            connector,
            entity: entry.entityName,
            file: importPath,
            hint: `is the ERP's import job running and reading ${write.dir}? Raise write.resultTimeoutMs if it runs less often`,
          },
        )
      : new ErpError(
          'transient',
          `the ERP took import file ${entry.file.name} but wrote no result within ${waited}; the outcome is unknown`,
          {
            connector,
            entity: entry.entityName,
            file: entry.resultPath,
            hint: 'read the record again before writing again; a late result is still taken into account',
          },
        );
    for (const waiter of entry.waiters) settle(waiter, { error: failure });
    entry.waiters = [];
    if (withdrawn) outstanding.delete(entry.file.name);
    else entry.late = true;
  };

  return {
    write(entityName, line, signal) {
      if (closed)
        return Promise.reject(
          new ErpError('transient', `connector ${connector} is closed`, {
            connector,
            entity: entityName,
            key: line.key,
          }),
        );
      const { write } = entityOf(entityName);
      signal?.throwIfAborted();
      return new Promise<WriteResult>((resolve, reject) => {
        const waiter: Waiter = { line, resolve, reject, settled: false };
        const onAbort = () => settle(waiter, { error: signal?.reason });
        signal?.addEventListener('abort', onAbort, { once: true });
        const cleanup = () => signal?.removeEventListener('abort', onAbort);
        waiter.resolve = (result) => {
          cleanup();
          resolve(result);
        };
        waiter.reject = (error) => {
          cleanup();
          reject(error);
        };
        let batch = pending.get(entityName);
        if (batch === undefined) {
          batch = { waiters: [], timer: undefined };
          pending.set(entityName, batch);
        }
        batch.waiters.push(waiter);
        if (batch.waiters.length >= write.batch.maxChanges) {
          flush(entityName);
        } else if (batch.timer === undefined) {
          batch.timer = setTimeout(() => flush(entityName), write.batch.maxWaitMs);
        }
      });
    },

    async close() {
      if (closed) return;
      closed = true;
      if (poller !== undefined) clearInterval(poller);
      const failure = new ErpError(
        'transient',
        `connector ${connector} closed while changes waited for the ERP's result`,
        { connector },
      );
      for (const batch of pending.values()) {
        if (batch.timer !== undefined) clearTimeout(batch.timer);
        for (const waiter of batch.waiters) settle(waiter, { error: failure });
      }
      pending.clear();
      for (const entry of outstanding.values())
        for (const waiter of entry.waiters) settle(waiter, { error: failure });
      outstanding.clear();
    },
  };
}

/** A stored record as the connection hands it out. */
export function toVendorRecord(record: StoredRecord): VendorRecord {
  return { key: record.key, version: record.version, data: record.data };
}

/** What a change asked for, as one string: two waiters with the same identity wait for the same line. */
function lineIdentity(line: ImportLine): string {
  return JSON.stringify([
    line.key,
    line.reference ?? null,
    line.ifVersion,
    Object.entries(line.fields).sort(),
  ]);
}
