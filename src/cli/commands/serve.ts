import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createCredential, startService } from '../../service/index.ts';
import { ROLES, type Role } from '../../store/contract.ts';
import { action, CommandFailed } from '../exit.ts';
import { packageRoot } from '../package-root.ts';

/** The demo's state, which `serve` opens by default on the shipped configuration. */
export const DEMO_DATA = '.erpbridge/demo';

interface Where {
  configFile: string;
  dataDir: string;
  /** Whether the configuration is the one erpbridge ships (the demo's). */
  shipped: boolean;
}

/**
 * Which config and data a command uses: `--config`, and `--data`, else ERPBRIDGE_DATA, else the
 * demo's state for the shipped configuration or `.erpbridge/service` beside any other.
 */
export function whereFrom(command: Command, data: string | undefined): Where {
  const { config } = command.optsWithGlobals<{ config: string }>();
  const configFile = resolve(config);
  const shipped = configFile === resolve(packageRoot(), 'erpbridge.yaml');
  const dataDir = resolve(
    data ??
      process.env.ERPBRIDGE_DATA ??
      (shipped ? DEMO_DATA : resolve(configFile, '..', '.erpbridge/service')),
  );
  return { configFile, dataDir, shipped };
}

function roleOf(value: string): Role {
  const role = ROLES.find((candidate) => candidate === value);
  if (!role) throw new CommandFailed(`--role takes one of ${ROLES.join(', ')}, got ${value}`, 2);
  return role;
}

function port(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65_535) {
    throw new CommandFailed(`--port takes a port number from 0 to 65535, got ${value}`, 2);
  }
  return number;
}

/** Resolves once the process is asked to stop (Ctrl-C, SIGTERM). */
export function untilInterrupted(): Promise<void> {
  return new Promise((resolvePromise) => {
    process.once('SIGINT', () => resolvePromise());
    process.once('SIGTERM', () => resolvePromise());
  });
}

/** `serve`, `tokens create`, `users add`. */
export function registerServiceCommands(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP API and console (and the schedules and webhooks) until interrupted')
    .option('--port <port>', 'port (0 = any free port)', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data <dir>', 'state folder (default ERPBRIDGE_DATA, or the demo’s for the shipped config)')
    .option(
      '--sandbox',
      'also run the bundled sandbox ERP on the data folder (default with the shipped config)',
    )
    .option('--no-sandbox', 'do not run the sandbox ERP')
    .option(
      '--distributed',
      'workers plan and apply (needs queue: and a shared store in the config); schedules fire on one instance',
    )
    .action(
      action(
        async (
          flags: { port: string; host: string; data?: string; sandbox?: boolean; distributed?: boolean },
          command: Command,
        ) => {
          const where = whereFrom(command, flags.data);
          const sandbox = flags.sandbox ?? (where.shipped && !process.env.SANDBOX_URL);
          const service = await startService({
            configFile: where.configFile,
            dataDir: where.dataDir,
            port: port(flags.port),
            host: flags.host,
            sandbox,
            logLevel: process.env.ERPBRIDGE_LOG_LEVEL ?? 'warn',
            distributed: flags.distributed ?? false,
          });
          process.stdout.write(
            `erpbridge service listening at ${service.url}\n` +
              `  console: ${service.url}/  ·  API: ${service.url}/openapi.json  ·  metrics: ${service.url}/metrics\n` +
              `  data: ${where.dataDir}\n` +
              (service.sandboxUrl ? `  sandbox ERP: ${service.sandboxUrl}\n` : '') +
              (service.distributed ? '  distributed: runs go to `erpbridge worker` processes\n' : '') +
              'Ctrl-C stops it (runs in flight finish first).\n',
          );
          await untilInterrupted();
          process.stdout.write('stopping: waiting for runs in flight…\n');
          await service.close();
        },
      ),
    );

  const tokens = program.command('tokens').description('API tokens for the HTTP service');
  tokens
    .command('create')
    .description('create an API token and print it (shown once; stored as a hash)')
    .requiredOption('--name <name>', 'the person or system it speaks for (the actor in the audit log)')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--data <dir>', 'state folder (as for serve)')
    .action(
      action(async (flags: { name: string; role: string; data?: string }, command: Command) => {
        const where = whereFrom(command, flags.data);
        const { token } = await createCredential(where, {
          kind: 'token',
          name: flags.name,
          role: roleOf(flags.role),
        });
        process.stdout.write(`${token}\n`);
        process.stderr.write(
          `token for ${flags.name} (${flags.role}) in ${where.dataDir}; send it as "Authorization: Bearer <token>". It is not shown again.\n`,
        );
      }),
    );

  const users = program.command('users').description('console users of the HTTP service');
  users
    .command('add <name>')
    .description(
      'create a console user or set its role and password (password from ERPBRIDGE_PASSWORD or stdin)',
    )
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--data <dir>', 'state folder (as for serve)')
    .action(
      action(async (name: string, flags: { role: string; data?: string }, command: Command) => {
        const where = whereFrom(command, flags.data);
        const password = process.env.ERPBRIDGE_PASSWORD ?? (await firstLineOfStdin());
        if (!password) throw new CommandFailed('no password: set ERPBRIDGE_PASSWORD or pipe it on stdin', 2);
        await createCredential(where, { kind: 'user', name, role: roleOf(flags.role), password });
        process.stdout.write(`console user ${name} (${flags.role}) saved in ${where.dataDir}\n`);
      }),
    );
}

async function firstLineOfStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}
