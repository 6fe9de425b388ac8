import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError } from '../src/errors/index.ts';
import { readFaultConfigFile } from './fault-config-file.ts';
import { removeDirectory, temporaryDirectory } from './test-support.ts';

const directory = temporaryDirectory();
afterAll(() => removeDirectory(directory));

function write(name: string, text: string): string {
  const file = join(directory, name);
  writeFileSync(file, text);
  return file;
}

function failureOf(file: string): unknown {
  try {
    readFaultConfigFile(file);
    return null;
  } catch (error) {
    return error;
  }
}

describe('readFaultConfigFile', () => {
  test('reads the YAML of the README, unquoted 502 and status keys included', () => {
    const file = write(
      'faults.yaml',
      [
        'seed: 7',
        'target: both',
        'latency: { fixedMs: 20, jitterMs: 30, target: reads }',
        'errors:',
        '  rates: { 500: 0.05, "503": 0.02 }',
        'lostAnswers: { rate: 0.02, mode: 502 }',
        '',
      ].join('\n'),
    );
    expect(readFaultConfigFile(file)).toEqual({
      seed: 7,
      target: 'both',
      latency: { fixedMs: 20, jitterMs: 30, target: 'reads' },
      errors: { rates: { '500': 0.05, '503': 0.02 } },
      lostAnswers: { rate: 0.02, mode: 502 },
    });
  });

  test('the example in sandbox/README.md is a valid config', () => {
    const readme = readFileSync(join(import.meta.dirname, 'README.md'), 'utf8');
    const example = /## Faults[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    if (example === undefined) throw new Error('no YAML example under ## Faults');
    const config = readFaultConfigFile(write('readme.yaml', example));
    expect(Object.keys(config)).toEqual([
      'seed',
      'target',
      'latency',
      'errors',
      'hangs',
      'resets',
      'rateLimit',
      'bursts429',
      'maintenance',
      'degradation',
      'oauth',
      'lostAnswers',
    ]);
  });

  test('an empty file is no faults', () => {
    expect(readFaultConfigFile(write('empty.yaml', ''))).toEqual({});
  });

  test.each([
    ['seed: 1\nlatency:\n  fixedMs: -3\n', 3, 'faults.latency.fixedMs', 'must be at least 0'],
    ['seed: 1\nlatency:\n  fixedMs: 3\n  jitter: 4\n', 4, 'faults.latency.jitter', 'unknown key "jitter"'],
    ['errors:\n  rates:\n    "503": 0.5\nhangs: { rate: 0.6 }\n', 2, 'faults.errors.rates', 'add up to 1.1'],
  ])('names the file, line and key of a bad config (%#)', (text, line, key, message) => {
    const file = write('bad.yaml', text);
    const failure = failureOf(file);
    expect(failure).toBeInstanceOf(ConfigError);
    expect(failure).toMatchObject({ file, line, key, message: expect.stringContaining(message) });
  });

  test('a YAML syntax error and a missing file are ConfigErrors naming the file', () => {
    const broken = write('broken.yaml', 'latency: { fixedMs: 3\n');
    expect(failureOf(broken)).toMatchObject({
      file: broken,
      message: expect.stringContaining('YAML syntax error'),
    });
    const missing = join(directory, 'nowhere.yaml');
    expect(failureOf(missing)).toMatchObject({
      file: missing,
      message: expect.stringContaining('cannot read'),
    });
  });
});
