import { Command } from 'commander';
import { openHistory } from '../store';
import { defaultDataDir, historyFile } from '../paths';

interface Row {
  readonly kind: string;
  readonly time: string;
  readonly setId: string;
  readonly result: string;
  readonly where: string;
  readonly operator: string;
  readonly host: string;
}

export function historyCommand(): Command {
  return new Command('history')
    .description('list exports, imports and verifications recorded on this station')
    .option('--json', 'as JSON')
    .option('--limit <n>', 'most recent entries only', (v) => Number(v), 50)
    .option('--data-dir <dir>', 'history, station key and trusted keys', defaultDataDir())
    .action((opts: { json?: boolean; limit: number; dataDir: string }) => {
      const history = openHistory(historyFile(opts.dataDir));
      try {
        const sets = history.listSets();
        const events = history.listEvents({ limit: opts.limit });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ exports: sets, events }, null, 2)}\n`);
          return;
        }
        const rows: Row[] = [
          ...sets.map((s) => ({ kind: 'export', time: s.createdAt, setId: s.setId, result: s.status, where: s.workspace, operator: s.operator, host: s.host })),
          ...events.map((e) => ({ kind: e.kind, time: e.startedAt, setId: e.setId, result: `${e.result}${e.insecureAccepted ? ' (untrusted accepted)' : ''}`, where: e.registry ?? '', operator: e.operator, host: e.host })),
        ]
          .sort((a, b) => b.time.localeCompare(a.time))
          .slice(0, opts.limit);
        if (rows.length === 0) {
          process.stdout.write('no transfers recorded yet\n');
          return;
        }
        for (const r of rows) process.stdout.write(`${r.time}  ${r.kind.padEnd(6)}  ${r.setId}  ${r.result.padEnd(8)}  ${r.operator}@${r.host}  ${r.where}\n`);
      } finally {
        history.close();
      }
    });
}
