/** A command line used the wrong way: the message says how to use it; exit code 2. */
export class UsageError extends Error {
  readonly code = 'USAGE';
}
