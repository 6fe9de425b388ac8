/**
 * Runs the sandbox ERP as its own process:
 *
 *   node bin/run-ts.mjs sandbox/main.ts --port 0 --data DIR [--seed 42] [--orders 5000]
 *     [--history 20000] [--suppliers 200] [--today YYYY-MM-DD] [--api-key KEY] [--faults FILE.yaml]
 *     [--as sap-ecc|oracle-ebs|dynamics-ax] [--reset] [--quiet]
 *     [--expense-lines FILE.csv [--coded-before YYYY-MM-DD]]
 *
 * Prints exactly one JSON line to stdout once listening —
 * `{"event":"listening","url":...,"apiKey":...,"dbPath":...,"today":...}` (with `personality` and
 * `wsdl` under `--as`) — and logs to stderr only. Closes cleanly on SIGTERM or SIGINT. `--faults`
 * starts with the fault config of a YAML file (see sandbox/README.md); a bad one exits with code 2
 * naming the file, line and key.
 */
import { parseArgs } from 'node:util';
import { describeError } from '../src/errors/index.ts';
import { readFaultConfigFile } from './fault-config-file.ts';
import { PERSONALITIES, type Personality, type Sandbox, type SandboxOptions, startSandbox } from './index.ts';

const USAGE =
  'usage: main.ts --data DIR [--port 4010] [--seed 42] [--orders 5000] [--history 20000] [--suppliers 200] ' +
  '[--today YYYY-MM-DD] [--api-key KEY] [--faults FILE.yaml] [--as sap-ecc|oracle-ebs|dynamics-ax] [--reset] [--quiet] ' +
  '[--expense-lines FILE.csv [--coded-before YYYY-MM-DD]]';

/** Longest a shutdown may take before the process gives up waiting and exits with an error. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} must be a whole number, got "${value}"\n${USAGE}`);
  return Number(value);
}

function personalityOption(value: string | undefined): Personality | undefined {
  if (value === undefined) return undefined;
  const personality = PERSONALITIES.find((name) => name === value);
  if (personality === undefined)
    throw new Error(`--as must be one of ${PERSONALITIES.join(', ')}, got "${value}"\n${USAGE}`);
  return personality;
}

function parseCommandLine(argv: string[]): SandboxOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' },
      data: { type: 'string' },
      seed: { type: 'string' },
      orders: { type: 'string' },
      history: { type: 'string' },
      suppliers: { type: 'string' },
      today: { type: 'string' },
      'api-key': { type: 'string' },
      faults: { type: 'string' },
      as: { type: 'string' },
      reset: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'expense-lines': { type: 'string' },
      'coded-before': { type: 'string' },
    },
  });
  if (values.data === undefined) throw new Error(`--data is required\n${USAGE}`);
  const codedBefore = values['coded-before'];
  if (
    codedBefore !== undefined &&
    (values['expense-lines'] === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(codedBefore))
  ) {
    throw new Error(
      `--coded-before takes a date as YYYY-MM-DD and needs --expense-lines, got "${codedBefore}"\n${USAGE}`,
    );
  }
  return {
    dataDir: values.data,
    port: numberOption('port', values.port),
    seed: numberOption('seed', values.seed),
    orders: numberOption('orders', values.orders),
    history: numberOption('history', values.history),
    suppliers: numberOption('suppliers', values.suppliers),
    today: values.today,
    apiKey: values['api-key'],
    reset: values.reset,
    logRequests: !values.quiet,
    personality: personalityOption(values.as),
    ...(values.faults === undefined ? {} : { faults: readFaultConfigFile(values.faults) }),
    ...(values['expense-lines'] === undefined
      ? {}
      : { expenseLines: { file: values['expense-lines'], codedBefore: codedBefore ?? null } }),
  };
}

async function main(): Promise<void> {
  let options: SandboxOptions;
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${describeError(error)}\n`);
    process.exit(2);
  }
  const sandbox: Sandbox = await startSandbox(options);
  const { url, apiKey, dbPath, today, personality, wsdl } = sandbox;
  const soap = personality === null ? {} : { personality, wsdl };
  process.stdout.write(`${JSON.stringify({ event: 'listening', url, apiKey, dbPath, today, ...soap })}\n`);

  const shutdown = (signal: NodeJS.Signals) => {
    const timer = setTimeout(() => {
      process.stderr.write(`sandbox: not closed ${SHUTDOWN_TIMEOUT_MS} ms after ${signal}; exiting\n`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    sandbox.close().then(
      () => {
        clearTimeout(timer);
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`sandbox: failed to close after ${signal}: ${describeError(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`sandbox: ${describeError(error)}\n`);
  process.exit(1);
});
