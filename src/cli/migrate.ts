import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { describeMigration, migrateConfigWithReport } from '../config';
import { AirlockError } from '../errors';

export function migrateCommand(): Command {
  return new Command('migrate-config')
    .description('convert a v1alpha2 ImageSetConfiguration to v2alpha1 (prints the new file on stdout)')
    .argument('<file>', 'the old configuration')
    .action(async (file: string) => {
      const text = await readFile(file, 'utf8').catch((err: unknown) => {
        throw new AirlockError('CONFIG_UNREADABLE', `cannot read ${file}: ${(err as Error).message}`, { context: { file } });
      });
      const result = migrateConfigWithReport(text, file);
      process.stdout.write(result.text);
      for (const line of describeMigration(result)) process.stderr.write(`${line}\n`);
      if (result.problems.length > 0) process.exitCode = 1;
    });
}
