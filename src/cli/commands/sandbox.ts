import { type Command, Option } from 'commander';
import {
  materialise,
  PERSONALITY_NAMES,
  type PersonalityName,
  targetFromUrl,
} from '../../../sandbox/database-personalities/index.ts';
import {
  DEFAULT_WINDOWS_ACCOUNT,
  PERSONALITIES,
  readFaultConfigFile,
  startSandbox,
} from '../../../sandbox/index.ts';
import { action, CommandFailed, EXIT } from '../exit.ts';

interface SandboxFlags {
  port: string;
  data: string;
  seed: string;
  orders: string;
  history: string;
  today?: string;
  reset?: boolean;
  faults?: string;
  files?: string;
  as?: (typeof PERSONALITIES)[number];
  tables?: PersonalityName;
  into?: string;
  schema?: string;
  expenseLines?: string;
  codedBefore?: string;
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
    .option(
      '--files <dir>',
      'also be a file-based ERP: CSV exports in DIR/outbound, imports from DIR/inbound',
    )
    .addOption(
      new Option('--as <personality>', 'also serve the orders over SOAP the way this ERP does').choices(
        PERSONALITIES,
      ),
    )
    .addOption(
      new Option(
        '--tables <personality>',
        "write the sandbox's data as this ERP's tables into --into, print the sql connector for them, and exit",
      ).choices(PERSONALITY_NAMES),
    )
    .option(
      '--expense-lines <file.csv>',
      'also serve these expense lines to GL-code (see sandbox/expense-lines)',
    )
    .option(
      '--coded-before <date>',
      'with --expense-lines: lines before this date (YYYY-MM-DD) come coded, later ones uncoded',
    )
    .option('--into <url>', 'with --tables: postgres://…, mysql://…, mariadb://… or sqlite:<file>')
    .option('--schema <name>', 'with --tables: the PostgreSQL schema or MySQL database to create them in')
    .action(
      action(async (flags: SandboxFlags) => {
        if (flags.tables !== undefined || flags.into !== undefined) {
          await materialiseTables(flags);
          return;
        }
        const sandbox = await startSandbox({
          port: positiveInteger(flags.port, '--port', true),
          dataDir: flags.data,
          seed: positiveInteger(flags.seed, '--seed', true),
          orders: positiveInteger(flags.orders, '--orders'),
          history: positiveInteger(flags.history, '--history'),
          ...(flags.today ? { today: flags.today } : {}),
          reset: flags.reset ?? false,
          ...(flags.faults ? { faults: readFaultConfigFile(flags.faults) } : {}),
          ...(flags.files ? { fileExchange: { dir: flags.files } } : {}),
          ...(flags.as ? { personality: flags.as } : {}),
          ...expenseLinesOption(flags),
        });
        process.stdout.write(
          `sandbox ERP listening at ${sandbox.url} (business date ${sandbox.today})\n` +
            `  API key: Authorization: Bearer ${sandbox.apiKey}\n` +
            `  data: ${sandbox.dbPath}\n` +
            `  try: curl -H 'Authorization: Bearer ${sandbox.apiKey}' '${sandbox.url}/api/purchase_orders?status=open&page_size=2'\n` +
            (sandbox.personality === null
              ? ''
              : `  SOAP as ${sandbox.personality}; WSDL: ${sandbox.wsdl.join(' ')} (also GET ${sandbox.url}/_sandbox/wsdl)\n`) +
            (sandbox.personality === 'dynamics-ax'
              ? `  NTLM: ${DEFAULT_WINDOWS_ACCOUNT.domain}\\${DEFAULT_WINDOWS_ACCOUNT.user}, password ${DEFAULT_WINDOWS_ACCOUNT.password}\n`
              : '') +
            (sandbox.fileExchange === null
              ? ''
              : `  files: exports in ${sandbox.fileExchange.outboundDir}, imports from ${sandbox.fileExchange.inboundDir}, results in ${sandbox.fileExchange.resultsDir}\n`) +
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

/** `--expense-lines` / `--coded-before` as the sandbox's option; a bad date fails before anything starts. */
function expenseLinesOption(flags: SandboxFlags): {
  expenseLines?: { file: string; codedBefore: string | null };
} {
  if (flags.codedBefore !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(flags.codedBefore)) {
    throw new CommandFailed(
      `--coded-before takes a date as YYYY-MM-DD, got ${flags.codedBefore}`,
      EXIT.config,
    );
  }
  if (flags.expenseLines === undefined) {
    if (flags.codedBefore !== undefined)
      throw new CommandFailed('--coded-before needs --expense-lines', EXIT.config);
    return {};
  }
  return { expenseLines: { file: flags.expenseLines, codedBefore: flags.codedBefore ?? null } };
}

/**
 * `sandbox --tables <personality> --into <url>`: seeds (or reuses) the sandbox's data, writes it as
 * that ERP's tables and prints the `sql` connector and profile to read them with. The printed
 * connector names the target URL as given; put its password in an environment variable.
 */
async function materialiseTables(flags: SandboxFlags): Promise<void> {
  if (flags.tables === undefined || flags.into === undefined) {
    throw new CommandFailed(
      '--tables and --into go together: which ERP layout, and which database',
      EXIT.config,
    );
  }
  let target: ReturnType<typeof targetFromUrl>;
  try {
    target = targetFromUrl(flags.into, flags.schema);
  } catch (error) {
    throw new CommandFailed(error instanceof Error ? error.message : String(error), EXIT.config);
  }
  // Seed the data folder exactly as the running sandbox would, then close it again.
  const sandbox = await startSandbox({
    port: 0,
    dataDir: flags.data,
    seed: positiveInteger(flags.seed, '--seed', true),
    orders: positiveInteger(flags.orders, '--orders'),
    history: positiveInteger(flags.history, '--history'),
    ...(flags.today ? { today: flags.today } : {}),
    reset: flags.reset ?? false,
    logRequests: false,
  });
  const dbPath = sandbox.dbPath;
  await sandbox.close();
  const result = await materialise({ personality: flags.tables, source: { sandboxDbPath: dbPath }, target });
  process.stdout.write(
    `${result.tables.map((table) => `${table.name}: ${table.rows} rows`).join('\n')}\n` +
      `read them with profile ${result.profile} and this connector (filters: open ${JSON.stringify(result.filters.open)}, ` +
      `closed ${JSON.stringify(result.filters.closed)}):\n${JSON.stringify({ ...result.connector, connection: '<see --into>' }, null, 2)}\n`,
  );
}
