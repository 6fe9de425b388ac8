import { readFileSync } from 'node:fs';
import { parseYamlSource } from '../src/config/yaml-source.ts';
import { ConfigError } from '../src/errors/index.ts';
import { type FaultConfig, parseFaultConfig } from './fault-config.ts';

/**
 * Reads a fault config from a YAML (or JSON) file, such as the one `main.ts --faults` takes. A
 * missing file, a YAML syntax error or an invalid config is a ConfigError naming the file, the
 * line and the key. An empty file is no faults.
 */
export function readFaultConfigFile(file: string): FaultConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`cannot read the fault config: ${reason}`, { file });
  }
  const source = parseYamlSource(text, file);
  const parsed = parseFaultConfig(source.value ?? {});
  if (parsed.kind === 'valid') return parsed.config;
  const line = source.lineOf(parsed.path);
  throw new ConfigError(parsed.message, {
    file,
    ...(line === undefined ? {} : { line }),
    key: parsed.key === '' ? 'faults' : `faults.${parsed.key}`,
  });
}
