import { join, resolve } from 'node:path';
import iconv from 'iconv-lite';
import { describeError, ErpError } from '../../errors/index.ts';
import type {
  Connection,
  ConnectorContext,
  ReadQuery,
  RecordPage,
  TestResult,
  VendorRecord,
  WriteRequest,
  WriteResult,
} from '../contract.ts';
import { TransportError } from './file-transport.ts';
import type { FilesConfig, FilesEntity, FilesWrite } from './files-config.ts';
import { type FilesState, openFilesState } from './files-state.ts';
import {
  type ImportLine,
  type ImportValue,
  renderImportFile,
  unwritableError,
  unwritableValue,
} from './import-file.ts';
import { createImportWriter, toVendorRecord } from './import-writer.ts';
import { createInbox } from './inbox.ts';
import { createLocalTransport } from './local-transport.ts';
import { connectSftpTransport } from './sftp-transport.ts';

/**
 * A `files` connection: reads answer from the exports the inbox has taken in (kept in the
 * connector's state), writes go out as import files and count only when the ERP's result file
 * confirms them. See inbox.ts and import-writer.ts for the two halves.
 */

/** Where the connector keeps its state when `stateDir` is not set, relative to the config file's folder. */
export function defaultStateDir(connector: string): string {
  return join('.erpbridge', 'files', connector);
}

/** Opens the transport and the state, takes up leftovers of a crash, and starts watching the inbox. */
export async function connectFiles(config: FilesConfig, context: ConnectorContext): Promise<Connection> {
  const connector = context.name;
  const where = `connectors.${connector}`;
  const { inbound } = config;
  // Relative paths (a local root, the state folder) are the config file's, as for the store.
  const base = context.baseDir ?? process.cwd();
  const localRoot = config.transport.kind === 'local' ? resolve(base, config.transport.root) : undefined;
  const transport =
    config.transport.kind === 'sftp'
      ? await connectSftpTransport(config.transport, connector)
      : createLocalTransport(localRoot ?? base);
  let state: FilesState;
  try {
    state = openFilesState(resolve(base, config.stateDir ?? defaultStateDir(connector)), connector);
  } catch (error) {
    await transport.close();
    throw error;
  }
  const onProblem = (message: string) => process.stderr.write(`${message}\n`);
  const inbox = createInbox({
    transport,
    state,
    config,
    connector,
    onProblem,
    ...(localRoot === undefined ? {} : { localPath: resolve(localRoot, inbound.dir) }),
  });
  const writer = createImportWriter({ transport, state, config, connector, onProblem });

  const inboxError = (error: unknown): unknown =>
    error instanceof TransportError
      ? new ErpError('transient', error.message, {
          connector,
          file: error.path,
          cause: error,
          hint: `check ${where}.transport and that ${inbound.dir} exists on the exchange`,
        })
      : error;

  try {
    await inbox.start();
  } catch (error) {
    await inbox.close();
    await transport.close();
    state.close();
    throw inboxError(error);
  }
  // Gets wait for the first look at the inbox; later ones rely on the watcher keeping up.
  let firstLook: Promise<void> | undefined;
  const lookedOnce = (): Promise<void> => {
    firstLook ??= inbox.drain().catch((error: unknown) => {
      firstLook = undefined;
      throw inboxError(error);
    });
    return firstLook;
  };

  const entityFor = (name: string, key?: string): FilesEntity => {
    const entity = Object.hasOwn(config.entities, name) ? config.entities[name] : undefined;
    if (entity === undefined) {
      throw new ErpError(
        'permanent',
        `unknown entity "${name}"; connector ${connector} knows ${Object.keys(config.entities).join(', ')}`,
        {
          connector,
          entity: name,
          hint: `declare it under ${where}.entities`,
        },
      );
    }
    if (key === '') {
      throw new ErpError('validation', `an empty key names no ${name} record`, {
        connector,
        entity: name,
        field: entity.keyField,
      });
    }
    return entity;
  };

  async function* read(query: ReadQuery): AsyncGenerator<RecordPage, void, undefined> {
    query.signal?.throwIfAborted();
    const entity = entityFor(query.entity);
    const pageSize = query.pageSize ?? 500;
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new ErpError('validation', `pageSize must be a positive integer, not ${pageSize}`, {
        connector,
        field: 'pageSize',
      });
    }
    const filter = query.filter ?? {};
    const badField = Object.keys(filter).find((field) => field.includes('"'));
    if (badField !== undefined) {
      throw new ErpError('validation', `no ${query.entity} field is called ${badField}`, {
        connector,
        entity: query.entity,
        field: badField,
      });
    }
    let after = query.resumeFrom === undefined ? '' : parseCursor(query.resumeFrom);
    try {
      await inbox.drain(query.signal);
    } catch (error) {
      if (query.signal?.aborted) throw query.signal.reason;
      throw inboxError(error);
    }
    if (!state.hasExport(query.entity)) {
      throw new ErpError(
        'transient',
        `no export of ${query.entity} has arrived in ${transport.describe}/${inbound.dir} yet (files named ${entity.files})`,
        {
          connector,
          entity: query.entity,
          hint: `is the ERP's export job running? Files still being written wait up to ${where}.inbound.waitForFilesMs`,
        },
      );
    }
    const total = state.count(query.entity, filter);
    for (;;) {
      query.signal?.throwIfAborted();
      const rows = state.page(query.entity, filter, after, pageSize + 1);
      const records = rows.slice(0, pageSize).map(toVendorRecord);
      const last = records.at(-1);
      const more = rows.length > pageSize && last !== undefined;
      yield { records, total, rejects: [], cursor: more ? JSON.stringify({ after: last.key }) : null };
      if (!more) return;
      after = last.key;
    }
  }

  const parseCursor = (cursor: string): string => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(cursor);
    } catch {
      parsed = undefined;
    }
    const after = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'after') : undefined;
    if (typeof after !== 'string') {
      throw new ErpError('validation', 'resumeFrom is not a cursor this connector made', {
        connector,
        field: 'resumeFrom',
      });
    }
    return after;
  };

  const get = async (entityName: string, key: string, signal?: AbortSignal): Promise<VendorRecord | null> => {
    signal?.throwIfAborted();
    entityFor(entityName, key);
    await lookedOnce();
    const stored = state.get(entityName, key);
    return stored === undefined ? null : toVendorRecord(stored);
  };

  /** The import line of a change, checked against the entity's import layout before anything is sent. */
  const importLineOf = (
    request: WriteRequest,
  ): { layout: FilesWrite; entity: FilesEntity; line: ImportLine } => {
    const entity = entityFor(request.entity, request.key);
    const { write: layout } = entity;
    if (layout === undefined) {
      throw new ErpError('permanent', `entity ${request.entity} is read-only in connector ${connector}`, {
        connector,
        entity: request.entity,
        key: request.key,
        hint: `add ${where}.entities.${request.entity}.write if the ERP imports changes to it`,
      });
    }
    const fields: Record<string, ImportValue> = {};
    for (const [field, value] of Object.entries(request.fields)) {
      if (!layout.columns.includes(field)) {
        throw new ErpError(
          'validation',
          `${request.entity} ${request.key}: the import takes ${layout.columns.join(', ')}, not ${field}`,
          {
            connector,
            entity: request.entity,
            key: request.key,
            field,
            hint: `add it to ${where}.entities.${request.entity}.write.columns if the ERP's import layout has it`,
          },
        );
      }
      const why = unwritableValue(value, config.csv.encoding);
      if (why !== undefined) throw unwritableError(connector, request.entity, request.key, field, why);
      if (
        value === null ||
        typeof value === 'string' ||
        typeof value === 'number' ||
        typeof value === 'boolean'
      ) {
        fields[field] = value;
      }
    }
    const line: ImportLine = {
      key: request.key,
      fields,
      ifVersion: layout.versionColumn === null ? null : (request.ifVersion ?? null),
      reference: layout.referenceColumn === undefined ? undefined : request.idempotencyKey,
    };
    return { layout, entity, line };
  };

  const write = async (request: WriteRequest): Promise<WriteResult> =>
    writer.write(request.entity, importLineOf(request).line, request.signal);

  /** The import file this change alone would make (`plan --wire`); in a run it shares a batch. */
  const describeWrite = (request: WriteRequest): string => {
    const { layout, entity, line } = importLineOf(request);
    const file = renderImportFile(request.entity, entity, layout, config.csv, [line]);
    const text = iconv.decode(file.content, config.csv.encoding);
    return `${transport.describe}/${layout.dir}/${file.name} (one line of a batch; result awaited in ${layout.results.dir}/)\n${text}`;
  };

  const test = async (): Promise<TestResult> => {
    try {
      const folders = new Set([inbound.dir]);
      for (const entity of Object.values(config.entities)) {
        if (entity.write !== undefined) {
          folders.add(entity.write.dir);
          folders.add(entity.write.results.dir);
        }
      }
      const counts: string[] = [];
      for (const folder of folders) counts.push(`${folder} (${(await transport.list(folder)).length} files)`);
      const loaded = Object.keys(config.entities).map(
        (name) => `${name} ${state.hasExport(name) ? state.count(name, {}) : 'none yet'}`,
      );
      return {
        ok: true,
        message: `${transport.describe}: ${counts.join(', ')}; records: ${loaded.join(', ')}`,
      };
    } catch (error) {
      return { ok: false, message: describeError(inboxError(error)) };
    }
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      try {
        await inbox.close();
        await writer.close();
      } finally {
        await transport.close();
        state.close();
      }
    })();
    return closing;
  };

  return { read, get, write, test, close, describeWrite };
}
