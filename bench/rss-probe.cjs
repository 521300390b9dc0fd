// Preloaded into the process under test (`node -r bench/rss-probe.cjs ...`): when it exits, writes
// its peak resident set size and CPU time to $AIRLOCK_BENCH_RSS_FILE. VmHWM is the kernel's
// high-water mark of RSS for the whole process (all threads, so verify workers count), exact
// however short the peak.
const { readFileSync, writeFileSync } = require('node:fs');

const target = process.env.AIRLOCK_BENCH_RSS_FILE;
if (target) {
  process.on('exit', () => {
    let vmHwmKiB;
    try {
      const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
      if (match) vmHwmKiB = Number(match[1]);
    } catch {
      // Not Linux: fall back to getrusage below.
    }
    const usage = process.resourceUsage();
    const maxRssKiB = usage.maxRSS;
    // getrusage(RUSAGE_SELF): every thread of the process, worker threads and libuv's pool included.
    const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
    try {
      writeFileSync(target, JSON.stringify({ vmHwmKiB: vmHwmKiB ?? maxRssKiB, maxRssKiB, cpuSeconds, userSeconds: usage.userCPUTime / 1e6 }));
    } catch {
      // Nothing to do at exit; the bench then reports the polled value.
    }
  });
}
