import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { defaultDataDir } from '../paths';
import { listTrusted, loadOrCreateStationKey, publicKeyPem, trustKey, untrustKey } from '../keys';
import { AirlockError } from '../errors';

export function keysCommand(): Command {
  const keys = new Command('keys').description('the station signing key and the keys this station trusts');
  const dataDirOption = ['--data-dir <dir>', 'history, station key and trusted keys', defaultDataDir()] as const;

  keys
    .command('export')
    .description('print this station\'s public key (PEM) to give to the enclave side')
    .option(...dataDirOption)
    .action(async (opts: { dataDir: string }) => {
      const key = await loadOrCreateStationKey(opts.dataDir);
      process.stdout.write(publicKeyPem(key));
      process.stderr.write(`fingerprint ${key.fingerprint}\n`);
    });

  keys
    .command('trust')
    .description('trust transfer sets signed by the station whose public key (PEM) is in FILE')
    .argument('<file>', 'public key PEM, from `airlock keys export` on the other station')
    .option('--label <text>', 'a name for the key, e.g. the station it belongs to')
    .option(...dataDirOption)
    .action(async (file: string, opts: { dataDir: string; label?: string }) => {
      const pem = await readFile(file, 'utf8').catch((err: unknown) => {
        throw new AirlockError('KEY_UNREADABLE', `cannot read ${file}: ${(err as Error).message}`, { context: { file } });
      });
      const trusted = await trustKey(opts.dataDir, pem, opts.label);
      process.stdout.write(`trusted ${trusted.fingerprint}${trusted.label ? ` (${trusted.label})` : ''}\n`);
    });

  keys
    .command('list')
    .description('list trusted keys')
    .option('--json', 'as JSON')
    .option(...dataDirOption)
    .action(async (opts: { dataDir: string; json?: boolean }) => {
      const list = await listTrusted(opts.dataDir);
      if (opts.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else if (list.length === 0) process.stdout.write('no trusted keys\n');
      else for (const k of list) process.stdout.write(`${k.fingerprint}  ${k.label ?? ''}  ${k.addedAt ?? ''}\n`);
    });

  keys
    .command('untrust')
    .description('stop trusting a key')
    .argument('<fingerprint>', 'as shown by `airlock keys list`')
    .option(...dataDirOption)
    .action(async (fp: string, opts: { dataDir: string }) => {
      const removed = await untrustKey(opts.dataDir, fp);
      process.stdout.write(`no longer trusted: ${removed.fingerprint}\n`);
    });
  return keys;
}
