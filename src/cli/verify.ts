import { Command } from 'commander';
import { runVerify } from '../jobs/verify';
import { throttleProgress } from '../jobs/events';
import { defaultDataDir } from '../paths';
import { createReporter, formatBytes } from './progress';
import { parseLocation } from './parse';
import { AirlockError } from '../errors';

export function verifyCommand(): Command {
  return new Command('verify')
    .description('check a transfer set: every file, every blob digest, and the signature against trusted keys')
    .argument('<set>', 'file://<dir> holding the transfer set')
    .option('--shallow', 'check sizes and part hashes only, not every blob digest')
    .option('--insecure-accept-untrusted', 'accept an unsigned set or one signed by a key this station does not trust (recorded in the history)')
    .option('--data-dir <dir>', 'history, station key and trusted keys', defaultDataDir())
    .option('--json', 'print events and the report as JSON lines on stdout')
    .action(async (set: string, opts: { shallow?: boolean; insecureAcceptUntrusted?: boolean; dataDir: string; json?: boolean }) => {
      const location = parseLocation(set);
      if (location.kind !== 'file') throw new AirlockError('USAGE', 'verify takes file://<dir>, a transfer set on disk', {});
      const mode = opts.json ? 'json' : process.stderr.isTTY ? 'tty' : 'plain';
      const reporter = createReporter(mode, false);
      const report = await runVerify({
        dir: location.path,
        dataDir: opts.dataDir,
        deep: !opts.shallow,
        ...(opts.insecureAcceptUntrusted ? { insecureAcceptUntrusted: true } : {}),
        onEvent: throttleProgress(reporter.onEvent),
      });
      reporter.stop();
      if (mode === 'json') {
        // transfer.json itself stays on the media; the report says what was found about it.
        process.stdout.write(`${JSON.stringify({ type: 'report', report: { ...report, manifest: undefined } })}\n`);
      } else {
        const lines: string[] = [];
        const sig = report.signature.trusted
          ? `signed by trusted key ${report.signature.fingerprint}${report.signature.label ? ` (${report.signature.label})` : ''}`
          : `NOT signed by a trusted key (${report.signature.reason ?? 'unknown'})${report.insecureAccepted ? ', accepted with --insecure-accept-untrusted' : ''}`;
        if (report.ok) lines.push(`OK: transfer set ${report.setId ?? ''}, ${report.images} image(s), ${formatBytes(report.bytesVerified)} verified; ${sig}`);
        else {
          lines.push(`FAILED: ${report.problems.length} problem(s) in ${location.path}; ${sig}`);
          for (const p of report.problems) lines.push(`  ${p.code}: ${p.message}`);
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (!report.ok) process.exitCode = 1;
    });
}
