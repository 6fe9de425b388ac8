import { dirname, resolve } from 'node:path';
import { poUrgencyWorkflow } from '../../workflows/po-urgency.ts';
import type { ClassifyProvider, Example } from '../ai/contract.ts';
import { createEmbeddedProvider } from '../ai/embedded/provider.ts';
import { createLlmProvider, llmConfigSchema } from '../ai/providers/llm-provider.ts';
import { AuditLog } from '../audit/index.ts';
import { type LoadedConfig, loadConfig } from '../config/load.ts';
import { connectConnector, connectorConfigCheck } from '../connectors/registry.ts';
import { Engine, type PreparedProvider, type ProgressEvent } from '../engine/engine.ts';
import type { WorkflowDefinition } from '../engine/workflow.ts';
import { ConfigError } from '../errors/index.ts';
import type { ResilienceEvent, ResilientConnection } from '../resilience/index.ts';
import type { Store } from '../store/contract.ts';
import { createSqliteStore } from '../store/index.ts';

/** Everything a command needs, opened from one config file; `close()` releases it all. */
export interface CliContext {
  loaded: LoadedConfig;
  store: Store;
  audit: AuditLog;
  engine: Engine;
  workflow(name: string): WorkflowDefinition;
  connect(name: string): Promise<ResilientConnection>;
  close(): Promise<void>;
}

export interface ContextOptions {
  configFile: string;
  env?: NodeJS.ProcessEnv;
  onProgress?: (event: ProgressEvent) => void;
  actor?: string;
  /** Use this store file instead of the config's (the demo keeps its state apart). */
  storePath?: string;
  /** Told of each connector's resilience events (retries, breaker changes, ...). */
  onConnectorEvent?: (event: ResilienceEvent) => void;
}

/** Opens config, store, audit log and engine. Config problems surface here, before any I/O to the ERP. */
export async function openContext(options: ContextOptions): Promise<CliContext> {
  const env = options.env ?? process.env;
  const configDir = dirname(resolve(options.configFile));
  const loaded = loadConfig(options.configFile, env, [connectorConfigCheck(env, configDir)]);
  if (options.storePath) loaded.config.store.path = options.storePath;
  const store = createSqliteStore({ path: loaded.config.store.path });
  await store.migrate();
  const audit = new AuditLog(store, options.actor ?? 'erpbridge');
  const connections = new Map<string, Promise<ResilientConnection>>();
  const connect = (name: string): Promise<ResilientConnection> => {
    let connection = connections.get(name);
    if (!connection) {
      const raw = loaded.rawConnectors[name];
      if (raw === undefined)
        throw new ConfigError(`no connector named ${name}`, { file: loaded.file, key: `connectors.${name}` });
      connection = connectConnector(name, raw, env, loaded.dir, options.onConnectorEvent);
      connections.set(name, connection);
    }
    return connection;
  };
  const workflow = (name: string): WorkflowDefinition => {
    const config = loaded.config.workflows[name];
    if (!config) {
      const known = Object.keys(loaded.config.workflows).join(', ') || 'none';
      throw new ConfigError(`no workflow named "${name}" (defined: ${known})`, {
        file: loaded.file,
        key: 'workflows',
      });
    }
    // Only one task kind exists today; the config schema keeps the choice closed until more do.
    return poUrgencyWorkflow(name, config);
  };
  const provider = (_workflow: WorkflowDefinition, history: () => Promise<Example<unknown, string>[]>) =>
    makeProvider(loaded, store, history);
  const engine = new Engine({
    store,
    audit,
    connect,
    provider,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return {
    loaded,
    store,
    audit,
    engine,
    workflow,
    connect,
    async close() {
      for (const connection of connections.values()) await (await connection.catch(() => null))?.close();
      await store.close();
    },
  };
}

function makeProvider(
  loaded: LoadedConfig,
  store: Store,
  history: () => Promise<Example<unknown, string>[]>,
): PreparedProvider {
  if (loaded.config.ai.provider === 'llm') {
    const parsed = llmConfigSchema.safeParse(loaded.config.ai.llm);
    if (!parsed.success) {
      const [issue] = parsed.error.issues;
      throw new ConfigError(issue?.message ?? 'invalid llm options', {
        file: loaded.file,
        key: ['ai', 'llm', ...(issue?.path ?? [])].join('.'),
      });
    }
    const llm: ClassifyProvider = createLlmProvider(parsed.data);
    return llm;
  }
  const embedded = createEmbeddedProvider({
    modelStore: { load: (name) => store.loadModel(name), save: (model) => store.saveModel(model) },
    loadExamples: history,
  });
  return {
    kind: embedded.kind,
    classify: (task, inputs, options) => embedded.classify(task, inputs, options),
    prepare: (task) => embedded.ensureModel(task),
  };
}
