// A Node test reporter that prints only the closing "N passed, N failed[, N skipped]" line.
export default async function* summary(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    // Suites report too; count only the tests inside them.
    if (event.data.details?.type === 'suite') {
      // A whole suite skipped (the Electron e2e where no binary exists) must show, not vanish.
      if (event.data.skip !== undefined) {
        skipped++;
        continue;
      }
      // A suite that fails outside its tests (a hook) is a failure nothing else counts.
      if (event.type === 'test:fail' && event.data.details?.error?.failureType !== 'subtestsFailed') failed++;
      continue;
    }
    if (event.data.skip !== undefined || event.data.todo !== undefined) skipped++;
    else if (event.type === 'test:pass') passed++;
    else failed++;
  }
  yield `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
}
