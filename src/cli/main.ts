import { Command } from 'commander';
import { AIRLOCK_VERSION } from '../version';
import { describeError } from '../errors';
import { keysCommand } from './keys';
import { migrateCommand } from './migrate';
import { mirrorCommand } from './mirror';
import { verifyCommand } from './verify';
import { historyCommand } from './history';

export function buildProgram(): Command {
  const program = new Command('airlock')
    .description('Carry container images across an air gap on removable media')
    .version(AIRLOCK_VERSION, '--version', 'print the Airlock version')
    .showHelpAfterError();

  program
    .command('version')
    .description('print the Airlock version')
    .option('--output <format>', 'text or json', 'text')
    .action((opts: { output: string }) => {
      if (opts.output === 'json') {
        process.stdout.write(`${JSON.stringify({ airlock: AIRLOCK_VERSION, node: process.version })}\n`);
      } else {
        process.stdout.write(`airlock ${AIRLOCK_VERSION}\n`);
      }
    });

  program.addCommand(mirrorCommand());
  program.addCommand(verifyCommand());
  program.addCommand(historyCommand());
  program.addCommand(keysCommand());
  program.addCommand(migrateCommand());
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv as string[], { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    process.stderr.write(`error: ${describeError(err)}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
