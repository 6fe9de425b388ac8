import { Command } from 'commander';
import { registerAuditCommands } from './commands/audit.ts';
import { registerChangeCommands } from './commands/changes.ts';
import { registerConnectorCommands } from './commands/connectors.ts';
import { registerDeadLetterCommands } from './commands/dead-letters.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerEvalCommand } from './commands/eval.ts';
import { registerFormatCommands } from './commands/formats.ts';
import { registerLabelsCommands } from './commands/labels.ts';
import { registerRunCommands } from './commands/run.ts';
import { registerSandboxCommand } from './commands/sandbox.ts';
import { registerServiceCommands } from './commands/serve.ts';
import { registerShadowCommand } from './commands/shadow.ts';
import { registerTrainCommand } from './commands/train.ts';
import { registerWorkerCommand } from './commands/worker.ts';

const program = new Command()
  .name('erpbridge')
  .description('AI workflow automation for legacy ERP systems: read, decide with AI, write back safely.')
  .option('-c, --config <file>', 'configuration file', 'erpbridge.yaml')
  .showHelpAfterError();

registerRunCommands(program);
registerChangeCommands(program);
registerDeadLetterCommands(program);
registerAuditCommands(program);
registerEvalCommand(program);
registerTrainCommand(program);
registerShadowCommand(program);
registerLabelsCommands(program);
registerSandboxCommand(program);
registerDemoCommand(program);
registerServiceCommands(program);
registerWorkerCommand(program);
registerConnectorCommands(program);
registerFormatCommands(program);

await program.parseAsync(process.argv);
