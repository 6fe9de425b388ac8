import type { z } from 'zod';
import { type Environment, type ResolvedSecrets, redact, resolveSecrets } from '../config/secrets.ts';
import { ConfigError, ErpError, type ErrorContext } from '../errors/index.ts';
import {
  type ResilienceEvent,
  ResiliencePolicies,
  type ResilientConnection,
  withResilience,
} from '../resilience/index.ts';
import type { SharedLimiterFactory } from '../resilience/resilient-connection.ts';
import type { Capabilities, Connection, ConnectorDefinition, RecordPage } from './contract.ts';
import { filesConnector } from './files/index.ts';
import { restConnector } from './rest/index.ts';
import { rpcConnector } from './rpc/index.ts';
import { soapConnector } from './soap/soap-connector.ts';
import { sqlConnector } from './sql/index.ts';

/** Every connector kind erpbridge ships, by the `kind` written in erpbridge.yaml. */
export const connectorKinds = {
  rest: restConnector,
  rpc: rpcConnector,
  files: filesConnector,
  sql: sqlConnector,
  soap: soapConnector,
} satisfies Record<string, ConnectorDefinition>;

/** A connector kind name: `rest`, … */
export type ConnectorKind = keyof typeof connectorKinds;

/** True when `kind` names a shipped connector kind. */
export function isConnectorKind(kind: string): kind is ConnectorKind {
  return Object.hasOwn(connectorKinds, kind);
}

/** A connector whose configuration is resolved and valid, not yet connected. */
export interface PreparedConnector {
  name: string;
  kind: ConnectorKind;
  capabilities: Capabilities;
  /** Opens the connection; its errors never carry the secrets the configuration referenced. */
  /** Connects; every call of the connection goes through the connector's resilience policies. */
  connect(): Promise<ResilientConnection>;
}

/**
 * Resolves `${ENV}` references in one connector's raw configuration and validates it with its
 * kind's schema. No I/O: run it for every connector when erpbridge.yaml loads.
 *
 * @param name the connector's name under `connectors:` in erpbridge.yaml.
 * @throws ConfigError naming `connectors.<name>.<option>` for an unknown kind, a missing variable
 *   or an invalid option.
 */
export function prepareConnector(
  name: string,
  rawConfig: unknown,
  env: Environment,
  /** Folder relative `${file:…}` references resolve against: the config file's. */
  baseDir?: string,
  /** Told of retries, give-ups, breaker and concurrency changes (the CLI reports breaker changes). */
  onEvent?: (event: ResilienceEvent) => void,
  /** Distributed: limiters shared by every worker (`createSharedBudget`), so they share one ERP budget. */
  sharedLimits?: SharedLimiterFactory,
): PreparedConnector {
  const where = `connectors.${name}`;
  const resolved = resolveSecrets(rawConfig, env, where, baseDir);
  const kind = kindOf(resolved.value, where);
  const definition: ConnectorDefinition = connectorKinds[kind];
  // `resilience:` belongs to every connector, whatever its kind: the registry takes it out.
  const raw = typeof resolved.value === 'object' && resolved.value !== null ? resolved.value : {};
  const options = Object.fromEntries(Object.entries(raw).filter(([key]) => key !== 'resilience'));
  const policies = ResiliencePolicies.safeParse(Reflect.get(raw, 'resilience') ?? {});
  if (!policies.success) throw configErrorFrom(policies.error, `${where}.resilience`, resolved.secrets);
  const parsed = definition.configSchema.safeParse(options);
  if (!parsed.success) throw configErrorFrom(parsed.error, where, resolved.secrets);
  const config = parsed.data;
  return {
    name,
    kind,
    capabilities: definition.capabilities,
    connect: async () =>
      withResilience(
        guard(
          await definition.connect(config, { name, env, ...(baseDir ? { baseDir } : {}) }),
          name,
          resolved,
        ),
        policies.data,
        {
          connector: name,
          ...(onEvent ? { onEvent } : {}),
          ...(sharedLimits ? { sharedLimits } : {}),
        },
      ),
  };
}

/**
 * Validates one connector's configuration, resolves its secrets and connects.
 *
 * @example
 *   const erp = await connectConnector('erp', yaml.connectors.erp, process.env);
 *   for await (const page of erp.read({ entity: 'purchase_orders' })) { … }
 */
export async function connectConnector(
  name: string,
  rawConfig: unknown,
  env: Environment,
  baseDir?: string,
  onEvent?: (event: ResilienceEvent) => void,
  sharedLimits?: SharedLimiterFactory,
): Promise<ResilientConnection> {
  return prepareConnector(name, rawConfig, env, baseDir, onEvent, sharedLimits).connect();
}

/** A problem found in one connector's configuration, by its path from the config's root. */
export interface ConnectorConfigProblem {
  path: PropertyKey[];
  message: string;
}

/**
 * A config-load check: prepares every connector under `connectors` (see {@link prepareConnector})
 * and reports the first problem by its path, for the loader to point at the file and line.
 *
 * It sees each connector's options as written (references unresolved) and resolves them itself,
 * as the connection will; `baseDir` is the config file's folder, for relative `${file:…}`.
 */
export function connectorConfigCheck(
  env: Environment,
  baseDir?: string,
): (config: { connectors: Readonly<Record<string, unknown>> }) => ConnectorConfigProblem | undefined {
  return (config) => {
    for (const [name, raw] of Object.entries(config.connectors)) {
      try {
        prepareConnector(name, raw, env, baseDir);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        return { path: (error.key ?? `connectors.${name}`).split('.'), message: error.message };
      }
    }
    return undefined;
  };
}

function kindOf(config: unknown, where: string): ConnectorKind {
  const known = Object.keys(connectorKinds).join(', ');
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ConfigError(`a connector is a mapping with a kind (${known})`, { key: where });
  }
  const kind: unknown = Reflect.get(config, 'kind');
  if (typeof kind !== 'string') {
    throw new ConfigError(`missing kind; one of ${known}`, { key: `${where}.kind` });
  }
  if (!isConnectorKind(kind)) {
    throw new ConfigError(`unknown connector kind "${kind}"; one of ${known}`, { key: `${where}.kind` });
  }
  return kind;
}

/** One ConfigError for all of a schema's complaints, keyed by the first one's option. */
function configErrorFrom(error: z.ZodError, where: string, secrets: readonly string[]): ConfigError {
  const located = error.issues.map((issue) =>
    // Point at the unknown option itself, so the loader finds its line.
    issue.code === 'unrecognized_keys'
      ? {
          key: keyPath(where, [...issue.path, issue.keys[0] ?? '']),
          message: `unknown option ${quoted(issue.keys)}`,
        }
      : { key: keyPath(where, issue.path), message: issue.message },
  );
  const [first] = located;
  const message =
    located.length === 1
      ? (first?.message ?? 'invalid configuration')
      : located.map((issue) => `${issue.key}: ${issue.message}`).join('; ');
  return new ConfigError(redact(message, secrets), first === undefined ? { key: where } : { key: first.key });
}

function quoted(keys: readonly string[]): string {
  return keys.map((key) => `"${key}"`).join(', ');
}

function keyPath(where: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (key, step) => (typeof step === 'number' ? `${key}[${step}]` : `${key}.${String(step)}`),
    where,
  );
}

/**
 * Wraps a connection so that its errors and test messages never carry a secret the configuration
 * referenced, and an `auth` error names the environment variables the credentials came from.
 * Defence in depth: connectors redact what they know are credentials; only the configuration knows
 * every `${ENV}` secret.
 */
function guard(connection: Connection, name: string, resolved: ResolvedSecrets): Connection {
  if (resolved.references.length === 0) return connection;
  const authPath = `connectors.${name}.auth`;
  const authVariables = resolved.references
    .filter((reference) => reference.path.startsWith(`${authPath}.`))
    .map((reference) => `\${${reference.variable}}`);
  const clean = (error: unknown): unknown => sanitise(error, resolved.secrets, authVariables);
  const call = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw clean(error);
    }
  };
  async function* read(
    query: Parameters<Connection['read']>[0],
  ): AsyncGenerator<RecordPage, void, undefined> {
    try {
      yield* connection.read(query);
    } catch (error) {
      throw clean(error);
    }
  }
  return {
    read,
    get: (entity, key, signal) => call(() => connection.get(entity, key, signal)),
    write: (request) => call(() => connection.write(request)),
    test: async () => {
      const result = await connection.test();
      const message = redact(result.message, resolved.secrets);
      const variables = authVariables.length > 0 && !result.ok && /^auth:/.test(message);
      return {
        ok: result.ok,
        message: variables ? `${message} (from ${authVariables.join(', ')})` : message,
      };
    },
    close: () => connection.close(),
    ...(connection.describeWrite
      ? {
          describeWrite: (request: Parameters<NonNullable<Connection['describeWrite']>>[0]) =>
            redact(connection.describeWrite?.(request) ?? '', resolved.secrets),
        }
      : {}),
  };
}

const PRINTED_FIELDS = ['connector', 'method', 'url', 'entity', 'key', 'field', 'file', 'hint'] as const;

/** An ErpError with every secret redacted, and an auth hint naming its variables; others unchanged. */
function sanitise(error: unknown, secrets: readonly string[], authVariables: readonly string[]): unknown {
  if (!(error instanceof ErpError)) return error;
  const context: ErrorContext = { ...error.context };
  for (const field of PRINTED_FIELDS) {
    const value = context[field];
    if (value !== undefined) context[field] = redact(value, secrets);
  }
  if (error.kind === 'auth' && authVariables.length > 0) {
    const from = `the credentials come from ${authVariables.join(', ')}`;
    context.hint = context.hint === undefined ? from : `${context.hint}; ${from}`;
  }
  const message = redact(error.message, secrets);
  const changed =
    message !== error.message || PRINTED_FIELDS.some((field) => context[field] !== error.context[field]);
  if (!changed) return error;
  const copy = new ErpError(error.kind, message, {
    ...context,
    cause: error.cause,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  });
  copy.stack = redact(error.stack ?? '', secrets) || copy.stack;
  return copy;
}
