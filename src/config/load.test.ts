import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/index.ts';
import { thrownBy } from '../errors/test-errors.ts';
import { loadConfig } from './load.ts';

const VALID = `
store:
  path: state/erpbridge.sqlite
connectors:
  erp:
    kind: rest
    baseUrl: \${ERP_URL:-http://127.0.0.1:4010}
    auth:
      kind: bearer
      token: \${ERP_TOKEN}
workflows:
  po-urgency:
    connector: erp
    policy:
      mode: auto
      minConfidence: 0.9
`;

function write(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'erpbridge-config-')), 'erpbridge.yaml');
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('loads, fills defaults, resolves ${ENV} and relative paths, and remembers secrets', () => {
    const file = write(VALID);
    const { config, secrets } = loadConfig(file, { ERP_TOKEN: 'tok-123456' });
    expect(config.connectors.erp).toMatchObject({
      baseUrl: 'http://127.0.0.1:4010',
      auth: { token: 'tok-123456' },
    });
    const workflow = config.workflows['po-urgency'];
    expect(workflow?.policy).toEqual({
      mode: 'auto',
      minConfidence: 0.9,
      maxChangesPerRun: 1000,
      fourEyesAbove: null,
    });
    expect(workflow?.write.labels).toEqual(['urgent']);
    expect(config.store).toEqual({
      kind: 'sqlite',
      path: join(file, '..', 'state/erpbridge.sqlite'),
      outboxRetentionDays: 7,
    });
    expect(secrets).toEqual(['tok-123456']);
  });

  it('names file, line and key for a value of the wrong kind', () => {
    const file = write(VALID.replace('minConfidence: 0.9', 'minConfidence: high'));
    const error = thrownBy(() => loadConfig(file, { ERP_TOKEN: 'x' }), ConfigError);
    expect(error.file).toBe(file);
    expect(error.line).toBe(16);
    expect(error.key).toBe('workflows.po-urgency.policy.minConfidence');
    expect(error.location).toBe(`${file}:16 (workflows.po-urgency.policy.minConfidence)`);
  });

  it('names an unknown key where it stands', () => {
    const file = write(VALID.replace('      mode: auto', '      mode: auto\n      maxChanges: 5'));
    const error = thrownBy(() => loadConfig(file, { ERP_TOKEN: 'x' }), ConfigError);
    expect(error.message).toMatch(/unknown key "maxChanges"/);
    expect(error).toMatchObject({ line: 16, key: 'workflows.po-urgency.policy.maxChanges' });
  });

  it('names a workflow whose connector is not defined', () => {
    const file = write(VALID.replace('connector: erp', 'connector: sap'));
    const error = thrownBy(() => loadConfig(file, { ERP_TOKEN: 'x' }), ConfigError);
    expect(error.message).toMatch(/connector "sap" is not defined under connectors \(defined: erp\)/);
    expect(error).toMatchObject({ line: 13, key: 'workflows.po-urgency.connector' });
  });

  it('reports YAML syntax errors with their line', () => {
    const file = write('connectors:\n  erp:\n    kind: rest\n   baseUrl: [unclosed\n');
    const error = thrownBy(() => loadConfig(file, {}), ConfigError);
    expect(error.message).toMatch(/YAML syntax error/);
    expect(error.line).toBeGreaterThanOrEqual(3);
  });

  it('names the variable and key of a missing ${ENV} secret', () => {
    const file = write(VALID);
    const error = thrownBy(() => loadConfig(file, {}), ConfigError);
    expect(error.message).toMatch(/ERP_TOKEN/);
    expect(error).toMatchObject({ line: 10, key: 'connectors.erp.auth.token' });
  });

  it('reads a secret from a file named relative to the config file', () => {
    const file = write(VALID.replace('token: ${ERP_TOKEN}', 'token: ${file:secrets/erp-token}'));
    mkdirSync(join(dirname(file), 'secrets'));
    writeFileSync(join(dirname(file), 'secrets/erp-token'), 'tok-from-file\n');
    const { config, secrets } = loadConfig(file, {});
    expect(config.connectors.erp).toMatchObject({ auth: { token: 'tok-from-file' } });
    expect(secrets).toEqual(['tok-from-file']);
  });

  it('says when the file does not exist', () => {
    expect(thrownBy(() => loadConfig('/nonexistent/erpbridge.yaml', {}), ConfigError).message).toMatch(
      /no such config file/,
    );
  });
});
