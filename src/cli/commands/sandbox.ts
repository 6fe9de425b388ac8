import type { Command } from 'commander';
import { readFaultConfigFile, startSandbox } from '../../../sandbox/index.ts';
import { action } from '../exit.ts';

interface SandboxFlags {
  port: string;
  data: string;
  seed: string;
  orders: string;
  history: string;
  today?: string;
  reset?: boolean;
  faults?: string;
}

function positiveInteger(value: string, flag: string, allowZero = false): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < (allowZero ? 0 : 1)) {
    throw new Error(`${flag} takes a whole number${allowZero ? '' : ' above 0'}, got ${value}`);
  }
  return number;
}

/** `sandbox`: the bundled legacy-ERP simulator, in the foreground until Ctrl-C. */
export function registerSandboxCommand(program: Command): void {
  program
    .command('sandbox')
    .description('start the bundled legacy-ERP simulator (REST API over a seeded SQLite file)')
    .option('--port <port>', 'port on 127.0.0.1 (0 = any free port)', '4010')
    .option('--data <dir>', 'folder for sandbox.sqlite', '.erpbridge/sandbox')
    .option('--seed <n>', 'seed for the generated data', '42')
    .option('--orders <n>', 'open purchase orders', '5000')
    .option('--history <n>', 'closed orders with buyer-set priorities (the training history)', '20000')
    .option('--today <date>', 'business date the data is generated around (YYYY-MM-DD), default today')
    .option('--reset', 'reseed even if the data folder already holds the same data')
    .option('--faults <file>', 'inject faults described in this YAML file (see sandbox/README.md)')
    .action(
      action(async (flags: SandboxFlags) => {
        const sandbox = await startSandbox({
          port: positiveInteger(flags.port, '--port', true),
          dataDir: flags.data,
          seed: positiveInteger(flags.seed, '--seed', true),
          orders: positiveInteger(flags.orders, '--orders'),
          history: positiveInteger(flags.history, '--history'),
          ...(flags.today ? { today: flags.today } : {}),
          reset: flags.reset ?? false,
          ...(flags.faults ? { faults: readFaultConfigFile(flags.faults) } : {}),
        });
        process.stdout.write(
          `sandbox ERP listening at ${sandbox.url} (business date ${sandbox.today})\n` +
            `  API key: Authorization: Bearer ${sandbox.apiKey}\n` +
            `  data: ${sandbox.dbPath}\n` +
            `  try: curl -H 'Authorization: Bearer ${sandbox.apiKey}' '${sandbox.url}/api/purchase_orders?status=open&page_size=2'\n` +
            'Ctrl-C stops it.\n',
        );
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await sandbox.close();
      }),
    );
}
