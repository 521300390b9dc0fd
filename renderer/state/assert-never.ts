/** For exhaustive switches over tagged unions: a new case is a compile error where it is not handled. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
