import { dirname, resolve } from 'node:path';
import { workflowFactories } from '../../workflows/index.ts';
import type { AiCallOptions, AiProvider, Example } from '../ai/contract.ts';
import { createEmbeddedProvider } from '../ai/embedded/provider.ts';
import type { LlmAuditEntry } from '../ai/guardrails/exchange.ts';
import { createMemoryCache, openFileCache, type ResponseCache } from '../ai/guardrails/response-cache.ts';
import {
  createLlmBreaker,
  createLlmProvider,
  type LlmCallReport,
  llmConfigSchema,
  type ResolvedLlmConfig,
} from '../ai/providers/llm-provider.ts';
import { AuditLog } from '../audit/index.ts';
import { type LoadedConfig, loadConfig } from '../config/load.ts';
import { DAY_MS } from '../config/schema.ts';
import { connectConnector, connectorConfigCheck } from '../connectors/registry.ts';
import { Engine, type PreparedProvider, type ProgressEvent } from '../engine/engine.ts';
import type { AnyWorkflow } from '../engine/workflow.ts';
import { ConfigError, type ErpError, isErpError } from '../errors/index.ts';
import type { JobEvent } from '../queue/bullmq-queue.ts';
import { type DistributedRuntime, openDistributed } from '../queue/distributed-runtime.ts';
import type { ConnectorBreaker, ResilienceEvent, ResilientConnection } from '../resilience/index.ts';
import type { Store } from '../store/contract.ts';
import { openStore } from '../store/open-store.ts';

/** Everything a command needs, opened from one config file; `close()` releases it all. */
export interface CliContext {
  loaded: LoadedConfig;
  store: Store;
  audit: AuditLog;
  engine: Engine;
  workflow(name: string): AnyWorkflow;
  connect(name: string): Promise<ResilientConnection>;
  /** Distributed mode (`queue:` in the config): the job queue and the shared ERP budget; null embedded. */
  distributed: DistributedRuntime | null;
  close(): Promise<void>;
}

export interface ContextOptions {
  configFile: string;
  env?: NodeJS.ProcessEnv;
  onProgress?: (event: ProgressEvent) => void;
  actor?: string;
  /** Use this SQLite file instead of the config's SQLite store (the demo keeps its state apart); a PostgreSQL store is kept. */
  storePath?: string;
  /** Told of each connector's resilience events (retries, breaker changes, ...). */
  onConnectorEvent?: (event: ResilienceEvent) => void;
  /** Told of every AI call (one per batch of records), for metrics. */
  onAiCall?: (call: AiCallReport) => void;
  /** Told how the writes of each apply job ended, for metrics. */
  onWriteOutcomes?: (counts: Partial<Record<'applied' | 'conflict' | 'failed', number>>) => void;
  /** Distributed: told of each job this process ran, and of background failures (Redis, the relay). */
  onJob?: (event: JobEvent) => void;
  onDistributedError?: (error: Error) => void;
}

/** One call to the AI provider: which, how it ended, how long it took, and (an LLM's) tokens and cost. */
export interface AiCallReport {
  provider: 'embedded' | 'llm';
  /** The embedded model's task name; an LLM's `llm:<model>`. */
  model: string;
  outcome: 'ok' | ErpError['kind'];
  seconds: number;
  records: number;
  /** Tokens the call's LLM requests used (none for the embedded model). */
  promptTokens?: number;
  completionTokens?: number;
  /** What those cost, when the configured prices are in US dollars (`ai.llm.prices.currency`). */
  costUsd?: number;
}

/** Opens config, store, audit log and engine. Config problems surface here, before any I/O to the ERP. */
export async function openContext(options: ContextOptions): Promise<CliContext> {
  const env = options.env ?? process.env;
  const configDir = dirname(resolve(options.configFile));
  const loaded = loadConfig(options.configFile, env, [connectorConfigCheck(env, configDir)]);
  // The demo and the service keep a SQLite store in their data folder; a PostgreSQL store in the config stays.
  if (options.storePath && loaded.config.store.kind === 'sqlite')
    loaded.config.store.path = options.storePath;
  const store = await openStore(loaded.config.store);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  const audit = new AuditLog(store, options.actor ?? 'erpbridge');
  // Distributed: jobs go through the outbox to workers, and every process shares each ERP's budget.
  const distributed = await openDistributed(loaded.config.queue, store, {
    ...(options.onJob ? { onJob: options.onJob } : {}),
    ...(options.onDistributedError ? { onError: options.onDistributedError } : {}),
  });
  const connections = new Map<string, Promise<ResilientConnection>>();
  const connect = (name: string): Promise<ResilientConnection> => {
    let connection = connections.get(name);
    if (!connection) {
      const raw = loaded.rawConnectors[name];
      if (raw === undefined)
        throw new ConfigError(`no connector named ${name}`, { file: loaded.file, key: `connectors.${name}` });
      connection = connectConnector(
        name,
        raw,
        env,
        loaded.dir,
        options.onConnectorEvent,
        distributed?.budget(),
      );
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
  // One LLM answer cache for the process, shared by every workflow and run.
  const llmCache = loaded.config.ai.provider === 'llm' ? await openLlmCache(loaded) : undefined;
  const recordLlm = (entry: LlmAuditEntry) =>
    audit.record(entry.type, entry.payload.runId, { ...entry.payload });
  // One breaker for the LLM endpoint per process: what one run learnt of a dead endpoint holds for the next.
  let llmBreaker: ConnectorBreaker | undefined;
  const wiring = (workflow: AnyWorkflow): LlmWiring => ({
    workflow: workflow.name,
    cache: llmCache,
    record: recordLlm,
    breaker: (config) => {
      llmBreaker ??= createLlmBreaker(config);
      return llmBreaker;
    },
    onAiCall: options.onAiCall,
  });
  const provider = (workflow: AnyWorkflow, history: () => Promise<Example<unknown, string>[]>) => {
    const made = makeProvider(loaded, store, history, wiring(workflow));
    // The LLM provider reports its own calls, with tokens and cost; the embedded one is timed here.
    return made.kind === 'llm' ? made : observed(made, options.onAiCall);
  };
  const engine = new Engine({
    store,
    audit,
    connect,
    provider,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.onWriteOutcomes ? { onWriteOutcomes: options.onWriteOutcomes } : {}),
    ...(distributed ? { queue: distributed.queue, workflow } : {}),
  });
  return {
    loaded,
    store,
    audit,
    engine,
    workflow,
    connect,
    distributed,
    async close() {
      for (const connection of connections.values()) await (await connection.catch(() => null))?.close();
      await distributed?.close();
      await store.close();
    },
  };
}

/** The LLM answer cache the config asks for (`ai.cache`): in memory, a file under the config's folder, or none. */
async function openLlmCache(loaded: LoadedConfig): Promise<ResponseCache | undefined> {
  const { kind, path, maxEntries } = loaded.config.ai.cache;
  if (kind === 'off') return undefined;
  if (kind === 'memory') return createMemoryCache({ maxEntries });
  return openFileCache(resolve(loaded.dir, path), { maxEntries });
}

/**
 * What the LLM provider of one workflow is given: its name (for its allowlist and the audit), the
 * cache, the audit sink, the process's breaker for the endpoint, and where its calls are reported.
 */
interface LlmWiring {
  workflow: string;
  cache: ResponseCache | undefined;
  record: (entry: LlmAuditEntry) => Promise<unknown>;
  breaker: (config: ResolvedLlmConfig) => ConnectorBreaker;
  onAiCall: ((call: AiCallReport) => void) | undefined;
}

/** An LLM call as `onAiCall` reports it; its cost only when the prices are in US dollars. */
function llmCallReport(call: LlmCallReport): AiCallReport {
  return {
    provider: 'llm',
    model: call.model,
    outcome: call.outcome,
    seconds: call.seconds,
    records: call.records,
    promptTokens: call.promptTokens,
    completionTokens: call.completionTokens,
    ...(call.currency === 'USD' ? { costUsd: call.cost } : {}),
  };
}

function makeProvider(
  loaded: LoadedConfig,
  store: Store,
  history: () => Promise<Example<unknown, string>[]>,
  wiring: LlmWiring,
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
    // Guardrails: the workflow's own allowlist, else the global one; none means nothing is sent.
    const allowFields =
      loaded.config.workflows[wiring.workflow]?.ai?.allowFields ?? loaded.config.ai.allowFields;
    const { onAiCall } = wiring;
    const llm = createLlmProvider(parsed.data, {
      ...(allowFields ? { allowFields } : {}),
      ...(wiring.cache ? { cache: wiring.cache } : {}),
      breaker: wiring.breaker(parsed.data),
      ...(onAiCall ? { onCall: (call: LlmCallReport) => onAiCall(llmCallReport(call)) } : {}),
      record: async (entry) => {
        await wiring.record(entry);
      },
    });
    // Calls name their workflow, so the audit's ai.exchange entries do.
    const named = (options: AiCallOptions = {}): AiCallOptions => ({ workflow: wiring.workflow, ...options });
    const answering: PreparedProvider & AiProvider = {
      kind: llm.kind,
      supports: llm.supports,
      classify: (task, inputs, options) => llm.classify(task, inputs, named(options)),
      extract: (task, inputs, options) => llm.extract(task, inputs, named(options)),
      detect: (task, inputs, options) => llm.detect(task, inputs, named(options)),
    };
    return answering;
  }
  const embedded = createEmbeddedProvider({
    modelStore: { load: (name) => store.loadModel(name), save: (model) => store.saveModel(model) },
    loadExamples: history,
    retrainAfterMs: loaded.config.ai.embedded.retrainAfterDays * DAY_MS,
  });
  const answering: PreparedProvider & AiProvider = {
    kind: embedded.kind,
    supports: embedded.supports,
    classify: (task, inputs, options) => embedded.classify(task, inputs, options),
    extract: (task, inputs, options) => embedded.extract(task, inputs, options),
    detect: (task, inputs, options) => embedded.detect(task, inputs, options),
    prepare: (task, options) => embedded.ensureModel(task, options),
  };
  return answering;
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
