import assert from 'node:assert/strict';
import { ConfigError, type ConfigProblem } from '../../../src/config';

/** Lines of a YAML file: line N of the file is argument N, which keeps expected positions readable. */
export function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

export const HEADER = ['kind: ImageSetConfiguration', 'apiVersion: mirror.openshift.io/v2alpha1'] as const;

/** The ConfigError `fn` throws. */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.equal(err.code, 'CONFIG_INVALID');
    return err;
  }
  assert.fail('expected a ConfigError, nothing was thrown');
}

/** [line, column, path, text the message contains] */
export type Expected = readonly [number, number, string, string];

export function assertProblems(problems: readonly ConfigProblem[], expected: readonly Expected[]): void {
  assert.deepEqual(
    problems.map((p) => [p.line, p.column, p.path]),
    expected.map(([line, column, path]) => [line, column, path]),
    problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`).join('\n'),
  );
  expected.forEach(([, , , text], i) => {
    const message = problems[i]?.message ?? '';
    assert.ok(message.includes(text), `problem ${i}: "${message}" should contain "${text}"`);
  });
}
