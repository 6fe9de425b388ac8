import { dirname, resolve } from 'node:path';
import { workflowFactories } from '../../workflows/index.ts';
import type { ClassifyProvider, Example } from '../ai/contract.ts';
import { createEmbeddedProvider } from '../ai/embedded/provider.ts';
import { createLlmProvider, llmConfigSchema } from '../ai/providers/llm-provider.ts';
import { AuditLog } from '../audit/index.ts';
import { type LoadedConfig, loadConfig } from '../config/load.ts';
import { connectConnector, connectorConfigCheck } from '../connectors/registry.ts';
import { Engine, type PreparedProvider, type ProgressEvent } from '../engine/engine.ts';
import type { AnyWorkflow } from '../engine/workflow.ts';
import { ConfigError, type ErpError, isErpError } from '../errors/index.ts';
import type { ResilienceEvent, ResilientConnection } from '../resilience/index.ts';
import type { Store } from '../store/contract.ts';
import { createSqliteStore } from '../store/index.ts';

/** Everything a command needs, opened from one config file; `close()` releases it all. */
export interface CliContext {
  loaded: LoadedConfig;
  store: Store;
  audit: AuditLog;
  engine: Engine;
  workflow(name: string): AnyWorkflow;
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
  /** Told of every AI call (one per batch of records), for metrics. */
  onAiCall?: (call: AiCallReport) => void;
  /** Told how the writes of each apply job ended, for metrics. */
  onWriteOutcomes?: (counts: Partial<Record<'applied' | 'conflict' | 'failed', number>>) => void;
}

/** One call to the AI provider: which, how it ended, how long it took. */
export interface AiCallReport {
  provider: 'embedded' | 'llm';
  model: string;
  outcome: 'ok' | ErpError['kind'];
  seconds: number;
  records: number;
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
  const workflow = (name: string): AnyWorkflow => {
    const config = loaded.config.workflows[name];
    if (!config) {
      const known = Object.keys(loaded.config.workflows).join(', ') || 'none';
      throw new ConfigError(`no workflow named "${name}" (defined: ${known})`, {
        file: loaded.file,
        key: 'workflows',
      });
    }
    const factory = workflowFactories[config.task];
    if (!factory) {
      throw new ConfigError(`workflow "${name}": task ${config.task} is not available in this build`, {
        file: loaded.file,
        key: `workflows.${name}.task`,
      });
    }
    return factory(name, config);
  };
  const provider = (_workflow: AnyWorkflow, history: () => Promise<Example<unknown, string>[]>) =>
    observed(makeProvider(loaded, store, history), options.onAiCall);
  const engine = new Engine({
    store,
    audit,
    connect,
    provider,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.onWriteOutcomes ? { onWriteOutcomes: options.onWriteOutcomes } : {}),
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

/** The provider, reporting each classify call to `onAiCall` (when given). */
function observed(
  provider: PreparedProvider,
  onAiCall: ((call: AiCallReport) => void) | undefined,
): PreparedProvider {
  if (!onAiCall) return provider;
  return {
    ...provider,
    kind: provider.kind,
    async classify(task, inputs, classifyOptions) {
      const started = performance.now();
      const report = (outcome: AiCallReport['outcome']) =>
        onAiCall({
          provider: provider.kind,
          model: task.name,
          outcome,
          seconds: (performance.now() - started) / 1000,
          records: inputs.length,
        });
      try {
        const results = await provider.classify(task, inputs, classifyOptions);
        report('ok');
        return results;
      } catch (error) {
        report(isErpError(error) ? error.kind : 'permanent');
        throw error;
      }
    },
  };
}
