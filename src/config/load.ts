import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../errors/index.ts';
import { ErpbridgeConfig } from './schema.ts';
import { type Environment, resolveSecrets } from './secrets.ts';
import { parseYamlSource, type YamlSource } from './yaml-source.ts';

/** A validated configuration, with where it came from and the secret values to keep out of logs. */
export interface LoadedConfig {
  config: ErpbridgeConfig;
  file: string;
  /** Relative paths in the config resolve against this folder. */
  dir: string;
  /** Resolved secret values; every printer passes its text through `redact(text, secrets)`. */
  secrets: string[];
  /**
   * Each connector's options as written, `${ENV}` references unresolved: connectors resolve them
   * themselves, so they know which values are secrets and which variable to name in a hint.
   */
  rawConnectors: Record<string, unknown>;
}

/**
 * A check that runs after the schema on the config as written (references unresolved), for what
 * the schema cannot see — each connector kind validates its own options.
 */
export type ConfigCheck = (raw: {
  connectors: Record<string, unknown>;
}) => { path: PropertyKey[]; message: string } | undefined;

/**
 * Loads `erpbridge.yaml`: YAML → `${ENV}` references → schema. Every problem is a ConfigError
 * naming the file, the line and the key — found before any connection is opened.
 */
export function loadConfig(
  file: string,
  env: Environment,
  checks: readonly ConfigCheck[] = [],
): LoadedConfig {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new ConfigError(
      'no such config file; run from the folder that has erpbridge.yaml or pass --config',
      {
        file,
      },
    );
  }
  return parseConfig(readFileSync(path, 'utf8'), path, env, checks);
}

/** Parses config text (see {@link loadConfig}); `file` is used for messages and relative paths. */
export function parseConfig(
  text: string,
  file: string,
  env: Environment,
  checks: readonly ConfigCheck[] = [],
): LoadedConfig {
  const source = parseYamlSource(text, file);
  let resolved: ReturnType<typeof resolveSecrets>;
  try {
    resolved = resolveSecrets(source.value ?? {}, env, '', dirname(resolve(file)));
  } catch (error) {
    if (error instanceof ConfigError && error.key !== undefined)
      throw locate(source, error.message, error.key.split('.'));
    throw error;
  }
  const parsed = ErpbridgeConfig.safeParse(resolved.value);
  if (!parsed.success) throw fromIssue(source, parsed.error.issues);
  const rawConnectors = connectorsAsWritten(source.value);
  for (const check of checks) {
    const problem = check({ connectors: rawConnectors });
    if (problem) throw locate(source, problem.message, problem.path);
  }
  const dir = dirname(resolve(file));
  const config = parsed.data;
  if (config.store.kind === 'sqlite' && !isAbsolute(config.store.path))
    config.store.path = resolve(dir, config.store.path);
  return { config, file, dir, secrets: resolved.secrets, rawConnectors };
}

function connectorsAsWritten(value: unknown): Record<string, unknown> {
  const connectors =
    typeof value === 'object' && value !== null ? Reflect.get(value, 'connectors') : undefined;
  return typeof connectors === 'object' && connectors !== null ? { ...connectors } : {};
}

function fromIssue(source: YamlSource, issues: z.core.$ZodIssue[]): ConfigError {
  const [issue] = issues;
  if (!issue) return new ConfigError('invalid configuration', { file: source.file });
  let message = issue.message;
  if (issue.code === 'unrecognized_keys')
    message = `unknown key ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
  return locate(source, message, path);
}

function locate(source: YamlSource, message: string, path: readonly PropertyKey[]): ConfigError {
  const segments = path.filter((segment) => segment !== '');
  const line = source.lineOf(segments);
  return new ConfigError(message, {
    file: source.file,
    key: segments.map(String).join('.'),
    ...(line === undefined ? {} : { line }),
  });
}
