// Writing reports: a file is written beside its target under a temporary name and renamed over it
// once complete, so a full disk, a read-only directory or an interrupted run never leaves a
// truncated report where a complete one is expected. Every write error is one line naming the file
// (or stdout) and the reason; the caller exits 2.

import { closeSync, fstatSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export class ReportWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportWriteError';
  }
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  EIO: 'I/O error',
  EFBIG: 'file too large',
  EPIPE: 'broken pipe (the reader closed it before the report was written)',
  EBADF: 'closed (not open for writing)',
};

export function writeReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return (e?.code && REASONS[e.code]) ?? e?.code ?? String(e?.message ?? err).split('\n')[0]!;
}

/** Text is encoded and written a slice at a time: a report of gigabytes is never copied whole. */
// 32K characters (at most 64 KB as a string): slices stay in the young generation, not in V8's
// large-object space, where 100s of MB of written text would wait for a full collection.
const SLICE = 1 << 15;

function writeAll(fd: number, text: string): void {
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + SLICE);
    // Never split a surrogate pair.
    if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end++;
    const buf = Buffer.from(text.slice(i, end), 'utf8');
    for (let off = 0; off < buf.length; ) {
      try {
        off += writeSync(fd, buf, off);
      } catch (err) {
        // A non-blocking pipe (inherited O_NONBLOCK) that is full: wait for the reader.
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
    }
    i = end;
  }
}

/**
 * Writes a report's chunks (see render/stream.ts) in writes of about SLICE characters: the report
 * is never one string. An error thrown by `chunks` (a renderer's) is rethrown as it is, marked so
 * that it is not taken for a write error.
 */
function writeChunks(fd: number, chunks: Iterable<string>): void {
  let pending = '';
  for (const chunk of renderedChunks(chunks)) {
    pending += chunk;
    if (pending.length >= SLICE) {
      writeAll(fd, pending);
      pending = '';
    }
  }
  if (pending) writeAll(fd, pending);
}

/** An error of the renderer, not of the write: passed on as it is. */
class RenderFailure {
  constructor(readonly error: unknown) {}
}

function* renderedChunks(chunks: Iterable<string>): Generator<string> {
  const it = chunks[Symbol.iterator]();
  for (;;) {
    let next: IteratorResult<string>;
    try {
      next = it.next();
    } catch (err) {
      throw new RenderFailure(err);
    }
    if (next.done) return;
    yield next.value;
  }
}

const unwrap = (err: unknown) => (err instanceof RenderFailure ? err.error : null);

/**
 * ENOENT creating a file in a folder that is there (/proc, sysfs: file systems that create no
 * files) is not "no such directory".
 */
function enoentInPlace(err: unknown, file: string): string | null {
  if ((err as NodeJS.ErrnoException)?.code !== 'ENOENT') return null;
  try {
    return statSync(dirname(file)).isDirectory() ? 'this folder does not take new files (a special file system such as /proc)' : null;
  } catch {
    return null;
  }
}

/**
 * Writes a report to a file atomically: a temporary file beside it, renamed over it when complete
 * (removed on failure). A target that exists and is not a regular file (/dev/stdout, a FIFO) is
 * written in place. Throws ReportWriteError ("FILE: cannot write the report: REASON").
 */
export function writeReportFile(file: string, text: string, what = 'the report'): void {
  writeReportChunks(file, [text], what);
}

/**
 * writeReportFile for a report given as chunks (a renderer's generator): written as they come, so
 * memory holds about one chunk, not the report. An error of the renderer removes the temporary
 * file (the target is left as it was) and is thrown as it is.
 */
export function writeReportChunks(file: string, chunks: Iterable<string>, what = 'the report'): void {
  const fail = (err: unknown) => unwrap(err) ?? new ReportWriteError(`${file}: cannot write ${what}: ${enoentInPlace(err, file) ?? writeReason(err)}`);
  let special = false;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    special = !st.isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') throw fail(err);
    // Not there yet: created below.
  }
  if (special) {
    let fd: number;
    try {
      fd = openSync(file, 'w');
    } catch (err) {
      throw fail(err);
    }
    try {
      writeChunks(fd, chunks);
    } catch (err) {
      throw fail(err);
    } finally {
      closeSync(fd);
    }
    return;
  }
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o666);
    writeChunks(fd, chunks);
    closeSync(fd);
    fd = null;
    renameSync(tmp, file);
  } catch (err) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // already failing
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // never created
    }
    throw fail(err);
  }
}

/**
 * Writes to stdout synchronously, every byte or an error: a full disk (`> /dev/full`), a closed
 * stdout (`>&-`) or a reader that went away (EPIPE: `coredx ... | head -1`) throws
 * ReportWriteError ("stdout: cannot write the report: REASON") instead of an unhandled error
 * event or a silent exit 0.
 */
export function writeStdout(text: string): void {
  writeStdoutChunks([text]);
}

/** writeStdout for a report given as chunks (a renderer's generator); an error of the renderer is thrown as it is. */
export function writeStdoutChunks(chunks: Iterable<string>): void {
  warnIfStdoutClosed();
  try {
    writeChunks(1, chunks);
  } catch (err) {
    throw unwrap(err) ?? new ReportWriteError(`stdout: cannot write the report: ${writeReason(err)}`);
  }
}

let stdoutChecked = false;

/**
 * A closed stdout (`coredx analyze x.log >&-`) cannot fail a write: Node opens /dev/null in its
 * place, read-write, before any of coredx runs. On Linux that is told apart from `> /dev/null`
 * (opened write-only by the shell) by the descriptor's access mode, and a warning says the report
 * goes nowhere, once per run; the exit code is unchanged (a program's stdout set to /dev/null
 * read-write on purpose, as Python's subprocess.DEVNULL does, looks the same).
 */
export function warnIfStdoutClosed(): void {
  if (stdoutChecked) return;
  stdoutChecked = true;
  if (stdoutIsNodesDevNull()) process.stderr.write('coredx: warning: stdout is closed (or /dev/null opened read-write): the report is written nowhere\n');
}

/** Whether fd 1 is /dev/null (character device 1:3) opened read-write (Linux: /proc/self/fdinfo). */
export function stdoutIsNodesDevNull(): boolean {
  try {
    const st = fstatSync(1);
    if (!st.isCharacterDevice() || st.rdev !== 0x103) return false;
    const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/fdinfo/1', 'utf8'));
    return flags !== null && (parseInt(flags[1]!, 8) & 3) === 2;
  } catch {
    return false; // not Linux, or no /proc: nothing is said
  }
}
