// Errors coredx reports to its users (as one line each), as opposed to bugs.

export type InputErrorKind = 'unreadable' | 'binary' | 'core-file' | 'usage';

export class CoredxInputError extends Error {
  constructor(
    readonly kind: InputErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'CoredxInputError';
  }
}

/** One line, for stderr: our own message for input errors, the system's text for I/O errors. */
export function describeError(err: unknown): string {
  if (err instanceof CoredxInputError) return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e === 'object' && typeof e.code === 'string' && typeof e.path === 'string') {
    const what: Record<string, string> = {
      ENOENT: 'no such file',
      EACCES: 'permission denied',
      EISDIR: 'is a directory',
      EMFILE: 'too many open files',
    };
    return `${e.path}: ${what[e.code] ?? e.code}`;
  }
  return e && typeof e.message === 'string' ? e.message.split('\n')[0]! : String(err);
}
