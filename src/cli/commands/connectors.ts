import type { Command } from 'commander';
import { resolveSecrets } from '../../config/secrets.ts';
import { connectSoap, renderDescription, SoapConnectionConfig } from '../../connectors/soap/index.ts';
import { SoapConnectorConfig } from '../../connectors/soap/soap-connector.ts';
import { ConfigError } from '../../errors/index.ts';
import { action, CommandFailed, EXIT } from '../exit.ts';
import { withContext } from '../with-context.ts';

/** `connectors list | test <name> | describe <name>`. */
export function registerConnectorCommands(program: Command): void {
  const connectors = program.command('connectors').description('the ERP connections in erpbridge.yaml');

  connectors
    .command('list')
    .description('each connector with its kind')
    .action(
      action(async (_flags: unknown, command: Command) => {
        await withContext(
          command,
          async ({ loaded }) => {
            for (const [name, config] of Object.entries(loaded.config.connectors)) {
              process.stdout.write(`${name}\t${config.kind}\n`);
            }
          },
          { quiet: true },
        );
      }),
    );

  connectors
    .command('test <name>')
    .description('connect and ask the ERP one small question')
    .action(
      action(async (name: string, _flags: unknown, command: Command) => {
        await withContext(
          command,
          async ({ connect }) => {
            const result = await (await connect(name)).test();
            process.stdout.write(`${result.ok ? 'ok' : 'failed'}: ${result.message}\n`);
            if (!result.ok) throw new CommandFailed(`connector ${name} failed its test`, EXIT.erp);
          },
          { quiet: true },
        );
      }),
    );

  connectors
    .command('describe <name>')
    .description("a SOAP connector's services, ports and operations with their input and output shapes")
    .option('--operation <name>', 'only this operation')
    .option('--depth <n>', 'how deep to show nested types', '4')
    .action(
      action(async (name: string, flags: { operation?: string; depth: string }, command: Command) => {
        await withContext(
          command,
          async ({ loaded }) => {
            const raw = loaded.rawConnectors[name];
            if (raw === undefined) {
              throw new ConfigError(`no connector named ${name}`, {
                file: loaded.file,
                key: `connectors.${name}`,
              });
            }
            const resolved = resolveSecrets(raw, process.env, `connectors.${name}`, loaded.dir);
            const parsed = SoapConnectorConfig.safeParse(
              Object.fromEntries(
                Object.entries(resolved.value as object).filter(([key]) => key !== 'resilience'),
              ),
            );
            if (!parsed.success) {
              const kind = (resolved.value as { kind?: unknown }).kind;
              throw new CommandFailed(
                kind === 'soap'
                  ? `connector ${name}: ${parsed.error.issues[0]?.message ?? 'invalid options'}`
                  : `connector ${name} is kind ${String(kind)}; describe shows SOAP connectors' WSDLs`,
                EXIT.config,
              );
            }
            const { binding: _binding, options: _options, kind: _kind, ...connection } = parsed.data;
            const client = await connectSoap(SoapConnectionConfig.parse(connection), {
              name,
              baseDir: loaded.dir,
              secrets: resolved.secrets,
            });
            try {
              process.stdout.write(
                `${renderDescription(client.describe(), {
                  maxDepth: Number(flags.depth),
                  ...(flags.operation ? { operation: flags.operation } : {}),
                })}\n`,
              );
            } finally {
              await client.close();
            }
          },
          { quiet: true },
        );
      }),
    );
}
