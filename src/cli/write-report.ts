// Writing reports: a file is written beside its target under a temporary name and renamed over it
// once complete, so a full disk, a read-only directory or an interrupted run never leaves a
// truncated report where a complete one is expected. Every write error is one line naming the file
// (or stdout) and the reason; the caller exits 2.

import { closeSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
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
const SLICE = 1 << 20;

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
 * Writes a report to a file atomically: a temporary file beside it, renamed over it when complete
 * (removed on failure). A target that exists and is not a regular file (/dev/stdout, a FIFO) is
 * written in place. Throws ReportWriteError ("FILE: cannot write the report: REASON").
 */
export function writeReportFile(file: string, text: string): void {
  const fail = (err: unknown) => new ReportWriteError(`${file}: cannot write the report: ${writeReason(err)}`);
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
      writeAll(fd, text);
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
    writeAll(fd, text);
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
  try {
    writeAll(1, text);
  } catch (err) {
    throw new ReportWriteError(`stdout: cannot write the report: ${writeReason(err)}`);
  }
}
