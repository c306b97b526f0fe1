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

/**
 * An input coredx does not read, decided before any of it is parsed (source/open.ts): binary data,
 * an executable, a compressed core, a core through a pipe, a directory, broken gzip data. `message`
 * names the input and the reason (what `analyze` prints); `skip` is how a scan lists the file, and
 * `gate` whether that fails the scan (a crash may be in it).
 */
export class InputRejection extends CoredxInputError {
  /** The file's size in bytes when it was opened by path (a scan counts the bytes it looked at). */
  size = 0;

  constructor(
    kind: InputErrorKind,
    readonly input: string,
    readonly reason: string,
    readonly skip: string = reason,
    readonly gate = true,
  ) {
    super(kind, `${input}: ${reason}`);
    this.name = 'InputRejection';
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
      ELOOP: 'too many levels of symbolic links (a symlink loop)',
      ENAMETOOLONG: 'file name too long',
      ENOTDIR: 'a part of the path is not a directory',
      EPERM: 'operation not permitted',
      ENXIO: 'no such device or address (a socket, or a device with no driver)',
    };
    return `${e.path}: ${what[e.code] ?? e.code}`;
  }
  return e && typeof e.message === 'string' ? e.message.split('\n')[0]! : String(err);
}
