// What an input is and what is done with it, decided once for every way in: a file by its path
// (analyzeFile, each file of a scan), stdin or another stream (the CLI's `-`), bytes in memory.
// The first bytes decide (sniff.ts): text (plain, UTF-16, gzip-compressed) to read line by line,
// an ELF core to read in place at its path, or a rejection naming the input and the reason, in
// the words analyze prints and scan lists. No other module judges an input or words a rejection.

import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { describeError, InputRejection, type InputErrorKind } from '../errors.js';
import { gunzip, openFile, problemSink, type ReadProblem } from './lines.js';
import { crashMarker, type FileKind } from './sniff.js';
import { sniffStream } from './stream.js';

/** An input: a file's path, a stream (stdin, a pipe) or bytes in memory. */
export type InputSource = string | Buffer | AsyncIterable<Buffer | string>;

export interface OpenOptions {
  /** The input's name in messages (default: the path; "stdin" for a stream or bytes). */
  name?: string;
  /** A stream's file descriptor (stdin: 0): a directory or a closed descriptor is named before reading. */
  fd?: number;
}

/** Text to read: its chunks (decompressed, UTF-8), read once. */
export interface TextInput {
  kind: 'text';
  name: string;
  /** The file's path; null for a stream or bytes. */
  path: string | null;
  /** Bytes on disk (compressed size for gzip; 0 for a stream). */
  size: number;
  chunks: AsyncIterable<Buffer>;
  /**
   * What went wrong while reading that did not stop it (a truncated gzip, trailing garbage): filled
   * as `chunks` is read, each also told to onReadProblem's listeners under `name`.
   */
  problems: ReadProblem[];
}

/** An ELF core file, read in place (its notes at their offsets, then by a debugger): only by path. */
export interface CoreInput {
  kind: 'core';
  name: string;
  path: string;
  size: number;
}

export type OpenedInput = TextInput | CoreInput;

/**
 * What the input is. Resolves to text or a core; rejects with an InputRejection (a
 * CoredxInputError naming the input and the reason) for what coredx does not read, with the
 * system's error when a file cannot be opened.
 */
export async function openInput(source: InputSource, options: OpenOptions = {}): Promise<OpenedInput> {
  if (typeof source === 'string') return openPath(source, options.name ?? source);
  const name = options.name ?? 'stdin';
  if (options.fd !== undefined) checkDescriptor(options.fd, name);
  return openStream(Buffer.isBuffer(source) ? Readable.from([source]) : source, name);
}

async function openPath(path: string, name: string): Promise<OpenedInput> {
  const fd = openWithoutWaiting(path);
  if (fd !== null && fd.fifo) {
    const opened = await openStream(fifoStream(fd.fd), name, true);
    return opened.kind === 'text' ? { ...opened, path } : opened;
  }
  const file = openFile(path, fd?.fd);
  const where: Where = { name, byPath: true };
  if (file.kind === 'directory') throw rejected(where, 'directory');
  if (file.kind === 'text') return { kind: 'text', name, path, size: file.size, chunks: file.chunks(), problems: file.problems };
  try {
    if (file.kind === 'gzip') return { ...(await inGzip(file.chunks(), where, file.problems)), path, size: file.size };
    file.close();
    if (file.kind === 'elf-core' && file.regular) return { kind: 'core', name, path, size: file.size };
    throw rejected(where, file.kind, { marker: file.marker });
  } catch (err) {
    if (err instanceof InputRejection) err.size = file.size;
    throw err;
  }
}

/**
 * The path opened once, without waiting for a writer (a FIFO nobody writes to), and what it is
 * taken from that descriptor: a FIFO's is read as a stream; a regular file's or a directory's is
 * read as usual (O_NONBLOCK changes nothing for them). Anything else (a terminal, a device) is
 * closed and opened again as before, blocking; so is a path that fails here (openFile names the
 * error). One open and one fstat per file: a stat before every open was 8% of a scan of 10,000
 * small files, and a FIFO put in a file's place between the two is caught too.
 */
function openWithoutWaiting(path: string): { fd: number; fifo: boolean } | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isFIFO()) return { fd, fifo: true };
    if (stat.isFile() || stat.isDirectory()) return { fd, fifo: false };
  } catch {
    // named by openFile's own open
  }
  closeSync(fd);
  return null;
}

/**
 * A named pipe (or a pipe by path: `coredx analyze <(gdb ...)`'s /dev/fd/63), read through the event
 * loop: opened without waiting for a writer and read as a socket, so an interrupt (Ctrl-C, SIGTERM)
 * ends the run while nobody writes. A blocking open or read held the main thread (signals were never
 * handled: only SIGKILL stopped `coredx analyze FIFO`), and one on the thread pool kept the process
 * from exiting. Its end is the writer's close, as for `cat FIFO`.
 */
function fifoStream(fd: number): AsyncIterable<Buffer> {
  // Loaded only here (start-up), by require: the CLI bundle runs as a script without dynamic import().
  const { Socket } = createRequire(import.meta.url)('node:net') as typeof import('node:net');
  return new Socket({ fd, readable: true, writable: false });
}

async function openStream(stream: AsyncIterable<Buffer | string>, name: string, byPath = false): Promise<OpenedInput> {
  // byPath: a named pipe, read as a stream but given by its path (a core through it is "a core file
  // through a pipe": pass the core file itself).
  const where: Where = { name, byPath };
  let bytes = 0;
  const counted = async function* () {
    for await (const chunk of stream) {
      bytes += chunk.length;
      yield chunk;
    }
  };
  let input;
  try {
    input = await sniffStream(counted());
  } catch (err) {
    throw rejected(where, 'unreadable', { detail: describeError(err) });
  }
  // Nothing at all (an empty pipe, /dev/null, a closed stdin) is not a log without a crash.
  if (input.kind === 'text' && bytes === 0) {
    await input.cancel();
    throw rejected(where, 'empty');
  }
  const problems: ReadProblem[] = [];
  if (input.kind === 'gzip') return { ...(await inGzip(gunzip(input.chunks, problemSink(name, problems)), where, problems)), path: null, size: 0 };
  if (input.kind === 'text') return { kind: 'text', name, path: null, size: 0, chunks: input.chunks, problems };
  await input.cancel();
  throw rejected(where, input.kind, { marker: input.kind === 'binary' ? crashMarker(input.head) : null });
}

/** What a gzip stream holds decides, as for a plain input; a broken archive names the input. */
async function inGzip(content: AsyncIterable<Buffer>, where: Where, problems: ReadProblem[]): Promise<Omit<TextInput, 'path' | 'size'>> {
  const gz = { ...where, gzip: true };
  let inner;
  try {
    inner = await sniffStream(content);
  } catch (err) {
    throw isZlibError(err) ? rejected(gz, 'corrupt-gzip', { detail: err.message }) : err;
  }
  if (inner.kind === 'text') return { kind: 'text', name: where.name, chunks: namingZlibErrors(inner.chunks, gz), problems };
  await inner.cancel();
  throw rejected(gz, inner.kind, { marker: inner.kind === 'binary' ? crashMarker(inner.head) : null });
}

/** zlib's errors (codes Z_...) met after the head are broken gzip data too, said as such. */
async function* namingZlibErrors(chunks: AsyncIterable<Buffer>, where: Where): AsyncGenerator<Buffer> {
  try {
    yield* chunks;
  } catch (err) {
    throw isZlibError(err) ? rejected(where, 'corrupt-gzip', { detail: err.message }) : err;
  }
}

const isZlibError = (err: unknown): err is Error & { code: string } => err instanceof Error && 'code' in err && String(err.code).startsWith('Z_');

/** A descriptor that is a directory (`< dir`) or closed (`<&-`) is named before any read. */
function checkDescriptor(fd: number, name: string): void {
  const where: Where = { name, byPath: false };
  let stat;
  try {
    stat = fstatSync(fd);
  } catch (err) {
    throw rejected(where, 'unreadable', { detail: (err as NodeJS.ErrnoException).code === 'EBADF' ? 'closed' : describeError(err) });
  }
  if (stat.isDirectory()) throw rejected(where, 'directory');
}

/** How the input came: by path or as a stream, inside gzip data or not. */
interface Where {
  name: string;
  byPath: boolean;
  gzip?: boolean;
}

type RejectionReason = Exclude<FileKind, 'text'> | 'directory' | 'empty' | 'unreadable' | 'corrupt-gzip';

/**
 * Every rejection's words, in one place: `reason` follows the input's name in analyze's one line
 * ("core.9.gz: a gzip-compressed core file; ..."), `skip` is scan's entry for the file, `gate`
 * whether that entry fails the scan (a crash may be in what was not read).
 */
function rejected(where: Where, why: RejectionReason, extra: { marker?: string | null; detail?: string } = {}): InputRejection {
  const how = where.gzip ? ' (gzip)' : '';
  const r = (kind: InputErrorKind, reason: string, skip = reason, gate = true) => new InputRejection(kind, where.name, reason, skip, gate);
  switch (why) {
    case 'directory':
      return where.byPath ? r('unreadable', 'is a directory (coredx scan walks directories)') : r('unreadable', 'is a directory; pass the files in it (or coredx scan DIR)');
    case 'unreadable':
      return r('unreadable', `cannot be read (${extra.detail}); pass a file, or pipe a backtrace in`, `cannot be read (${extra.detail})`);
    case 'empty':
      return r('unreadable', 'no input (empty or closed); pass a file, or pipe a backtrace in');
    case 'corrupt-gzip':
      return r('unreadable', `corrupt gzip data: ${extra.detail}`);
    case 'elf-core':
      // Cores are read in place (headers and notes at their offsets, then by the debugger): a
      // pipe has no places, and a compressed core must be decompressed to a file first.
      if (!where.byPath) return r('core-file', `an ELF core file${how}; pass it by its path (coredx analyze core.1234) so it can be read natively and by a debugger`, `core file${how} through a pipe, not analyzed: pass it by its path`);
      if (where.gzip) return r('core-file', 'a gzip-compressed core file; decompress it (gunzip) and analyze the core, which is read in place', 'gzip-compressed core file, not analyzed: decompress it (gunzip) and scan the core');
      return r('core-file', 'a core file through a pipe; pass the core file itself by its path', 'core file through a pipe, not analyzed: pass the core file itself by its path');
    case 'elf':
      return r('binary', `an ELF executable or library${how}, not a core file or a log${where.byPath && !where.gzip ? ` (analyze its core: coredx analyze core.N --exe ${where.name})` : ''}`, `ELF executable or library${how}`, false);
    case 'gzip':
      return r('binary', `gzip data${how}, not a text log or backtrace (decompress it first)`, `gzip data${how}`, false);
    case 'binary':
      // Binary data holding what looks like a crash is not passed over quietly: it fails a scan.
      if (extra.marker) return r('binary', `binary data${how} holding a crash marker (${JSON.stringify(extra.marker)}), not read: convert it to text (e.g. iconv) first`);
      return r('binary', `binary data${how}, not a text log or backtrace`, `binary data${how}`, false);
  }
}
