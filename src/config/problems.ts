import { AirlockError } from '../errors';
import type { ConfigProblem, Located } from './types';

export const CONFIG_INVALID = 'CONFIG_INVALID';

/** `isc.yaml:12:7: mirror.additionalImages[2].name: <message>` */
export function formatProblem(problem: ConfigProblem): string {
  const where = `${problem.file}:${problem.line}:${problem.column}`;
  return problem.path === '' ? `${where}: ${problem.message}` : `${where}: ${problem.path}: ${problem.message}`;
}

/**
 * The error a configuration file produces: one line per problem in the message, the first
 * problem's location in `context`, and every problem in `problems`.
 */
export class ConfigError extends AirlockError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options: { cause?: unknown } = {}) {
    const sorted = sortProblems(problems);
    const first = sorted[0];
    if (first === undefined) throw new RangeError('ConfigError needs at least one problem');
    super(CONFIG_INVALID, sorted.map(formatProblem).join('\n'), {
      context: {
        file: first.file,
        line: first.line,
        column: first.column,
        ...(first.path === '' ? {} : { part: first.path }),
        ...(sorted.length > 1 ? { problems: sorted.length } : {}),
      },
      ...(first.hint === undefined ? {} : { hint: first.hint }),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.problems = sorted;
  }

  /** Keeps the list when the error crosses IPC or is printed with --json. */
  override toJSON(): ReturnType<AirlockError['toJSON']> & { problems: readonly ConfigProblem[] } {
    return { ...super.toJSON(), problems: this.problems };
  }
}

export function sortProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.line - b.p.line || a.p.column - b.p.column || a.i - b.i)
    .map(({ p }) => p);
}

/**
 * For later stages (collect, verify) that find something wrong with an entry the configuration
 * named: an error in the same shape as a validation error, pointing at that entry.
 */
export function configEntryError(file: string, at: Located, path: string, message: string, hint?: string): ConfigError {
  return new ConfigError([{ file, line: at.line, column: at.column, path, message, ...(hint === undefined ? {} : { hint }) }]);
}
