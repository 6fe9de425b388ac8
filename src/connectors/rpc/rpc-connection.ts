import { describeError, ErpError, type ErrorContext } from '../../errors/index.ts';
import type {
  Connection,
  ConnectorContext,
  ReadQuery,
  RecordPage,
  RecordReject,
  TestResult,
  VendorRecord,
  WriteRequest,
  WriteResult,
} from '../contract.ts';
import type { Operation } from '../rest/http-errors.ts';
import { afterClause, allOf, FilterProblem, filterClauses } from './domain.ts';
import type { CallPurpose, ModelRpc, WriteGuard } from './model-rpc.ts';
import { createOdooRpc } from './odoo-rpc.ts';
import type { Domain, RpcConfig, RpcEntity } from './rpc-config.ts';
import { asRpcValue, RpcDateTime, type RpcStruct, type RpcValue, setMember } from './rpc-values.ts';
import { createTrytonRpc } from './tryton-rpc.ts';

/**
 * The rpc connection: the connector contract over {@link ModelRpc}.
 *
 * - **read**: `search_count` once, then `search_read` pages ordered by id, each continuing after
 *   the last id of the page before (`[id, '>', last]`), so records created or deleted during a read
 *   neither repeat nor vanish, and a cursor is just that id. Child records (order lines) are read
 *   with one more call per page and embedded under their key.
 * - **get**: `search_read` on the key (a missing record is `null`; reading a missing id directly
 *   makes Tryton answer with an access error).
 * - **write**: only the fields the entity's `write.fields` list; with `ifVersion`, the version is
 *   checked just before (precheck) and sent in the context for the ERP to check inside its
 *   transaction; a transition (Tryton's state buttons) is called, and the state read back.
 */

/** The version fields and context key of each dialect, when the entity does not name its own. */
const DEFAULT_VERSION = {
  // `_timestamp` is what Tryton compares; `write_date` adds the microseconds it lacks on SQLite.
  tryton: { fields: ['_timestamp', 'write_date'], contextKey: '_timestamp', precheck: true },
  odoo: { fields: ['write_date'], contextKey: '__last_update', precheck: true },
} as const satisfies Record<RpcConfig['dialect'], NonNullable<RpcEntity['version']>>;

/** Opens an rpc connection. Does no I/O: the login happens with the first call. */
export function connectRpc(config: RpcConfig, context: ConnectorContext): Connection {
  const rpc: ModelRpc =
    config.dialect === 'tryton' ? createTrytonRpc(config, context.name) : createOdooRpc(config, context.name);
  const where = `connectors.${context.name}`;
  const baseContext = (purpose: Omit<CallPurpose, 'signal'>, method: string): ErrorContext => ({
    connector: context.name,
    method,
    url: config.baseUrl,
    ...(purpose.entity === undefined ? {} : { entity: purpose.entity }),
    ...(purpose.key === undefined ? {} : { key: purpose.key }),
  });

  const entityFor = (name: string, operation: Operation, key?: string): RpcEntity => {
    const entity = Object.hasOwn(config.entities, name) ? config.entities[name] : undefined;
    if (entity !== undefined) return entity;
    throw new ErpError(
      'permanent',
      `unknown entity "${name}"; this connector knows ${Object.keys(config.entities).join(', ')}`,
      {
        ...baseContext({ operation, entity: name, ...(key === undefined ? {} : { key }) }, operation),
        hint: `declare it under ${where}.entities`,
      },
    );
  };

  const versionOf = (entity: RpcEntity) => entity.version ?? DEFAULT_VERSION[config.dialect];

  const fieldsOf = (entity: RpcEntity): string[] => [
    ...new Set(['id', entity.keyField, ...entity.fields, ...versionOf(entity).fields]),
  ];

  const versionToken = (entity: RpcEntity, data: RpcStruct): string | null => {
    const parts = versionOf(entity).fields.map((field) => tokenOf(data[field]));
    return parts.every((part) => part === '') ? null : JSON.stringify(parts);
  };

  const keyOf = (entity: RpcEntity, data: RpcStruct): string | undefined => {
    const value = data[entity.keyField];
    if (typeof value === 'number' && Number.isInteger(value)) return String(value);
    if (typeof value === 'string' && value !== '') return value;
    return undefined;
  };

  /** The domain that finds the record with `key`, or a validation error for a key that cannot be one. */
  const keyDomain = (entity: RpcEntity, key: string, purpose: CallPurpose): Domain => {
    if (entity.keyField !== 'id') {
      if (key === '') throw invalidKey(entity, key, purpose, 'an empty key names no record');
      return [[entity.keyField, '=', key]];
    }
    if (!/^[1-9]\d{0,15}$/.test(key)) throw invalidKey(entity, key, purpose, 'ids are positive integers');
    return [['id', '=', Number(key)]];
  };

  const invalidKey = (entity: RpcEntity, key: string, purpose: CallPurpose, why: string) =>
    new ErpError('validation', `"${key}" is not a key of ${purpose.entity}: ${why}`, {
      ...baseContext(purpose, `${entity.model}.search_read`),
      field: entity.keyField,
    });

  /** Reads each child entity of `rows` with one call and embeds the children under their key. */
  const embedChildren = async (entity: RpcEntity, rows: RpcStruct[], purpose: CallPurpose): Promise<void> => {
    const ids = rows.map((row) => row.id).filter((id): id is number => typeof id === 'number');
    for (const [name, child] of Object.entries(entity.children)) {
      const byParent = new Map<number, RpcStruct[]>();
      if (ids.length > 0) {
        const children = await rpc.searchRead(
          child.model,
          [[child.inverse, 'in', ids]],
          { offset: 0, limit: null, order: [['id', 'ASC']] },
          [...new Set(['id', child.inverse, ...child.fields])],
          purpose,
        );
        for (const row of children) {
          const parent = parentId(row[child.inverse]);
          if (parent === undefined) continue;
          const list = byParent.get(parent) ?? [];
          list.push(row);
          byParent.set(parent, list);
        }
      }
      for (const row of rows)
        setMember(row, name, typeof row.id === 'number' ? (byParent.get(row.id) ?? []) : []);
    }
  };

  const toPage = (entity: RpcEntity, entityName: string, rows: RpcStruct[], pageNumber: number) => {
    const records: VendorRecord[] = [];
    const rejects: RecordReject[] = [];
    rows.forEach((row, index) => {
      const key = keyOf(entity, row);
      if (key !== undefined) {
        records.push({ key, version: versionToken(entity, row), data: row });
        return;
      }
      rejects.push({
        index,
        data: row,
        error: new ErpError(
          'validation',
          `${entityName} record ${index} on page ${pageNumber} (${entity.model} id ${String(row.id)}) has no usable key field "${entity.keyField}"`,
          {
            ...baseContext({ operation: 'read', entity: entityName }, `${entity.model}.search_read`),
            field: entity.keyField,
          },
        ),
      });
    });
    return { records, rejects };
  };

  const baseDomain = (
    entity: RpcEntity,
    extra: Domain[],
    purpose: CallPurpose,
    filter?: ReadQuery['filter'],
  ) => {
    try {
      return allOf(config.dialect, [entity.domain, filterClauses(entity, filter), ...extra]);
    } catch (error) {
      if (!(error instanceof FilterProblem)) throw error;
      throw new ErpError('validation', `${purpose.entity}: ${error.message}`, {
        ...baseContext(purpose, `${entity.model}.search_read`),
        field: error.key,
        hint: `declare it under ${where}.entities.${purpose.entity ?? ''}.filters`,
      });
    }
  };

  async function* read(query: ReadQuery): AsyncGenerator<RecordPage, void, undefined> {
    query.signal?.throwIfAborted();
    const entity = entityFor(query.entity, 'read');
    const purpose: CallPurpose = { operation: 'read', entity: query.entity, signal: query.signal };
    const pageSize = query.pageSize ?? config.pageSize;
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new ErpError('validation', `pageSize must be a positive integer, not ${pageSize}`, {
        ...baseContext(purpose, `${entity.model}.search_read`),
        field: 'pageSize',
      });
    }
    const domain = baseDomain(entity, [], purpose, query.filter);
    let after = query.resumeFrom === undefined ? 0 : parseCursor(query.resumeFrom, entity, purpose);
    const total = await rpc.searchCount(entity.model, domain, purpose);
    const fields = fieldsOf(entity);
    for (let pageNumber = 1; ; pageNumber++) {
      const rows = await rpc.searchRead(
        entity.model,
        allOf(config.dialect, [domain, after > 0 ? afterClause(after) : []]),
        { offset: 0, limit: pageSize, order: [['id', 'ASC']] },
        fields,
        purpose,
      );
      if (rows.length === 0 && pageNumber > 1) return;
      await embedChildren(entity, rows, purpose);
      const last = Math.max(after, ...rows.map((row) => (typeof row.id === 'number' ? row.id : 0)));
      const more = rows.length === pageSize && last > after;
      yield {
        ...toPage(entity, query.entity, rows, pageNumber),
        total,
        cursor: more ? JSON.stringify({ after: last }) : null,
      };
      if (!more) return;
      after = last;
    }
  }

  const parseCursor = (cursor: string, entity: RpcEntity, purpose: CallPurpose): number => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(cursor);
    } catch {
      parsed = undefined;
    }
    const after = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'after') : undefined;
    if (typeof after === 'number' && Number.isInteger(after) && after >= 0) return after;
    throw new ErpError('validation', 'resumeFrom is not a cursor this connector made', {
      ...baseContext(purpose, `${entity.model}.search_read`),
      field: 'resumeFrom',
    });
  };

  /** The row of `key` with its children, or null. */
  const fetchRow = async (
    entity: RpcEntity,
    key: string,
    purpose: CallPurpose,
  ): Promise<RpcStruct | null> => {
    const domain = baseDomain(entity, [keyDomain(entity, key, purpose)], purpose);
    const rows = await rpc.searchRead(
      entity.model,
      domain,
      { offset: 0, limit: 2, order: [['id', 'ASC']] },
      fieldsOf(entity),
      purpose,
    );
    if (rows.length > 1) {
      throw new ErpError(
        'permanent',
        `${purpose.entity} key "${key}" matches more than one ${entity.model} record`,
        {
          ...baseContext(purpose, `${entity.model}.search_read`),
          field: entity.keyField,
          hint: `${where}.entities.${purpose.entity ?? ''}.keyField must name a unique field (id is)`,
        },
      );
    }
    const [row] = rows;
    if (row === undefined) return null;
    await embedChildren(entity, [row], purpose);
    return row;
  };

  const get = async (entityName: string, key: string, signal?: AbortSignal): Promise<VendorRecord | null> => {
    signal?.throwIfAborted();
    const entity = entityFor(entityName, 'get', key);
    const purpose: CallPurpose = { operation: 'get', entity: entityName, key, signal };
    const row = await fetchRow(entity, key, purpose);
    if (row === null) return null;
    return { key: keyOf(entity, row) ?? key, version: versionToken(entity, row), data: row };
  };

  const write = async (change: WriteRequest): Promise<WriteResult> => {
    change.signal?.throwIfAborted();
    const entity = entityFor(change.entity, 'write', change.key);
    const purpose: CallPurpose = {
      operation: 'write',
      entity: change.entity,
      key: change.key,
      signal: change.signal,
    };
    const method = `${entity.model}.write`;
    const settings = entity.write;
    if (settings === undefined) {
      throw new ErpError('permanent', `entity ${change.entity} is read-only in connector ${context.name}`, {
        ...baseContext(purpose, method),
        hint: `add ${where}.entities.${change.entity}.write if the ERP accepts writes there`,
      });
    }
    const values: RpcStruct = {};
    let transition: { field: string; target: string; method: string } | undefined;
    for (const [field, value] of Object.entries(change.fields)) {
      if (!settings.fields.includes(field)) {
        throw new ErpError(
          'validation',
          `field ${field} of ${change.entity} is not writable through ${context.name}`,
          {
            ...baseContext(purpose, method),
            field,
            hint: `the writable fields are ${settings.fields.join(', ')} (${where}.entities.${change.entity}.write.fields)`,
          },
        );
      }
      if (settings.transitions?.field === field) {
        const target = String(value);
        const transitionMethod = Object.hasOwn(settings.transitions.methods, target)
          ? settings.transitions.methods[target]
          : undefined;
        if (transitionMethod === undefined) {
          throw new ErpError(
            'validation',
            `no transition of ${change.entity} leads to ${field} "${target}"`,
            {
              ...baseContext(purpose, method),
              field,
              hint: `known targets: ${Object.keys(settings.transitions.methods).join(', ')} (${where}.entities.${change.entity}.write.transitions)`,
            },
          );
        }
        transition = { field, target, method: transitionMethod };
        continue;
      }
      try {
        setMember(values, field, asRpcValue(value, field));
      } catch (cause) {
        if (!(cause instanceof TypeError)) throw cause;
        throw new ErpError('validation', `the value of ${field} cannot be sent: ${cause.message}`, {
          ...baseContext(purpose, method),
          field,
          cause,
        });
      }
    }

    const row = await fetchRow(entity, change.key, purpose);
    if (row === null || typeof row.id !== 'number') {
      throw new ErpError('permanent', `${change.entity} ${change.key} does not exist in ${entity.model}`, {
        ...baseContext(purpose, method),
        hint: 'the record was deleted or renamed in the ERP',
      });
    }
    const id = row.id;
    const guard = guardFor(entity, id, change.ifVersion, row, purpose);
    if (Object.keys(values).length > 0) await rpc.write(entity.model, [id], values, guard, purpose);
    // A transition the workflow ignores is a validation error, never retried; the fields above stay written.
    if (transition !== undefined) await runTransition(entity, id, transition, row, purpose);
    // Tryton's and Odoo's write answer nothing worth keeping: apply reads the record back itself.
    return { record: null };
  };

  /** The version check: refused here when the record already moved, else sent for the ERP to check. */
  const guardFor = (
    entity: RpcEntity,
    id: number,
    ifVersion: string | null | undefined,
    current: RpcStruct,
    purpose: CallPurpose,
  ): WriteGuard | undefined => {
    if (ifVersion === undefined || ifVersion === null) return undefined;
    const version = versionOf(entity);
    const now = versionToken(entity, current);
    if (version.precheck && now !== ifVersion) {
      throw new ErpError(
        'conflict',
        `${purpose.entity} ${purpose.key} changed in the ERP since it was read (version ${ifVersion}, now ${now ?? 'none'})`,
        {
          ...baseContext(purpose, `${entity.model}.write`),
          hint: 'read the record again and re-plan; the other edit stays',
        },
      );
    }
    const [first] = parseVersion(ifVersion);
    if (first === undefined || first === '') return undefined;
    return { contextKey: version.contextKey, values: { [`${entity.model},${id}`]: first } };
  };

  const runTransition = async (
    entity: RpcEntity,
    id: number,
    transition: { field: string; target: string; method: string },
    row: RpcStruct,
    purpose: CallPurpose,
  ): Promise<void> => {
    const before = tokenOf(row[transition.field]);
    if (before === transition.target) return;
    await rpc.execute(entity.model, transition.method, [[id]], purpose);
    // Tryton's workflow skips records whose state has no transition to the target, and answers null.
    const [after] = await rpc.searchRead(
      entity.model,
      [['id', '=', id]],
      { offset: 0, limit: 1, order: [] },
      ['id', transition.field],
      purpose,
    );
    const reached = tokenOf(after?.[transition.field]);
    if (reached !== transition.target) {
      throw new ErpError(
        'validation',
        `the ERP did not move ${purpose.entity} ${purpose.key} from ${transition.field} "${before}" to "${transition.target}": ${transition.method} answered without an error, and the record is still "${reached}"`,
        {
          ...baseContext(purpose, `${entity.model}.${transition.method}`),
          field: transition.field,
          hint: `the workflow has no ${before} → ${transition.target} transition; nothing was changed by it`,
        },
      );
    }
  };

  const test = async (): Promise<TestResult> => {
    try {
      const server = await rpc.describeServer();
      const [name, entity] = Object.entries(config.entities)[0] ?? [];
      if (name === undefined || entity === undefined) return { ok: true, message: server };
      const count = await rpc.searchCount(entity.model, entity.domain, { operation: 'test', entity: name });
      return { ok: true, message: `${server}; ${name} (${entity.model}): ${count} records` };
    } catch (error) {
      return { ok: false, message: describeError(error) };
    }
  };

  return { read, get, write, test, close: () => rpc.close() };
}

/** The version part of a field value: '' for empty (`null`, Odoo's `false`), text otherwise. */
function tokenOf(value: RpcValue | undefined): string {
  if (value === undefined || value === null || value === false) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof RpcDateTime) return value.iso;
  return JSON.stringify(value);
}

function parseVersion(version: string): string[] {
  try {
    const parsed: unknown = JSON.parse(version);
    if (Array.isArray(parsed)) return parsed.map((part) => String(part));
  } catch {
    // Not one of ours (a version from another connection): sent as it is, the ERP decides.
  }
  return [version];
}

/** A child's parent id: Tryton sends the id, Odoo `[id, "name"]`. */
function parentId(value: RpcValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (Array.isArray(value) && typeof value[0] === 'number') return value[0];
  return undefined;
}
