// Streams text as cleaned lines with bounded memory: a file is never held whole, and a single
// absurdly long line (binary junk, a minified blob) is cut rather than buffered without limit.
// Optionally skips chunks that cannot start a trace without decoding them (see LineSink.skip).

import { isUtf8 } from 'node:buffer';
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import * as zlib from 'node:zlib';
import { createInflateRaw } from 'node:zlib';
import { CoredxInputError } from '../errors.js';
import { cleanLine, splitEscapedNewlines, splitJoinedFrames, splitJsonEscapedNewlines } from './clean.js';
import { markerSet, type MarkerSet } from './marker-search.js';
import { bomEncoding, crashMarker, holdsText, looksBinary, sniff, SNIFF_BYTES, type BomEncoding, type FileKind } from './sniff.js';

/**
 * Longest line kept whole. A longer line keeps its first LONG_HEAD and last LONG_TAIL bytes around
 * a marker saying how much was cut ("…{70000 bytes cut}…"), so a frame with a huge template name
 * still parses (its name truncated and marked) and its location at the end survives.
 */
export const MAX_LINE_LENGTH = 64 * 1024;
const LONG_TAIL = 4 * 1024;
const LONG_HEAD = MAX_LINE_LENGTH - LONG_TAIL;
const cutMarker = (bytes: number) => `\u2026{${bytes} bytes cut}\u2026`;

/**
 * Cleans a raw line and hands it on: as several lines when it is a syslog-flattened message, a trace
 * escaped into one line, or a stack whose line breaks were lost (three frame numbers in a row).
 */
function pushLine(raw: string, lineNo: number, push: (line: string, lineNo: number) => void): void {
  const parts =
    raw.length > 8 && raw.includes('#012') ? splitEscapedNewlines(raw)
    : raw.length > 64 && raw.includes('\\n') ? splitJsonEscapedNewlines(raw)
    : raw.length > MIN_JOINED_LENGTH && mayHoldJoinedFrames(raw) ? splitJoinedFrames(raw)
    : null;
  if (!parts) return push(cleanLine(raw), lineNo);
  for (const part of parts) push(cleanLine(part), lineNo);
}

/** Three frames joined into a line are longer than this (a gdb frame alone is ~50 characters or more). */
const MIN_JOINED_LENGTH = 120;

/** Three " #" or " ==" (after a blank), the least a joined stack holds: a cheap look before any regex. */
function mayHoldJoinedFrames(raw: string): boolean {
  return thrice(raw, ' #') || thrice(raw, ' ==');
}

function thrice(raw: string, what: string): boolean {
  let at = raw.indexOf(what);
  for (let n = 1; at >= 0; n++) {
    if (n === 3) return true;
    at = raw.indexOf(what, at + what.length);
  }
  return false;
}

export interface LineSink {
  push(line: string, lineNo: number): void;
  /**
   * Fast path for sparse logs: when present and `canSkip()` says no trace is being read, a run of
   * complete lines holding none of `markers` is not decoded; only its last `keepTail` lines are
   * pushed (for context), the others are counted.
   */
  skip?: { markers: Buffer[]; keepTail: number; canSkip(): boolean };
  /** Told about every line cut to MAX_LINE_LENGTH (its number and full length in bytes). */
  longLine?(lineNo: number, bytes: number): void;
  /**
   * Lines as the input has them (decoded, over-long ones cut, a line end's CR dropped), without
   * cleanLine's removal of CI prefixes and paste wrapping: `rules new` cutting a trace out of a log.
   */
  raw?: boolean;
}

/** pushLine for a raw sink: the line as it is, but for a CRLF line end's CR. */
function pushRawLine(raw: string, lineNo: number, push: (line: string, lineNo: number) => void): void {
  push(raw.length > 0 && raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw, lineNo);
}

const NL = 10;
const CR = 13;

/**
 * A line's text: UTF-8, or, when its bytes are not valid UTF-8 (GBK, Shift-JIS, Latin-1 logs),
 * Latin-1, so every byte stays one character and ASCII frame syntax around it still parses.
 */
function decodeLine(buf: Buffer, start: number, end: number): string {
  const s = buf.toString('utf8', start, end);
  if (!s.includes('\uFFFD') || isUtf8(buf.subarray(start, end))) return s;
  // A line cut in the middle of a character is still UTF-8 before the cut.
  for (let back = 1; back <= 3 && end - back > start; back++) if (isUtf8(buf.subarray(start, end - back))) return s;
  return buf.toString('latin1', start, end);
}

/** Cuts an over-long in-memory line like forEachLine does. */
function cutText(line: string): string {
  return line.length <= MAX_LINE_LENGTH ? line : line.slice(0, LONG_HEAD) + cutMarker(line.length - LONG_HEAD - LONG_TAIL) + line.slice(line.length - LONG_TAIL);
}

/**
 * Byte-level clean-up before lines are split: a UTF-8 byte-order mark at the start is dropped,
 * NUL bytes are dropped (a log truncated in place by logrotate's copytruncate starts with
 * megabytes of them; a NUL never means anything to a parser, and holds no line end), and a stream
 * whose first line break is a lone CR (classic Mac line endings) has its CRs read as line ends.
 */
async function* normalized(stream: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  let first = true;
  let crOnly: boolean | null = null;
  for await (const chunk of stream) {
    let buf: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    if (first && buf.length > 0) {
      first = false;
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    if (buf.indexOf(0) >= 0) buf = dropNul(buf);
    if (crOnly === null) {
      const cr = buf.indexOf(CR);
      const nl = buf.indexOf(NL);
      if (nl >= 0 && (cr < 0 || nl < cr || nl === cr + 1)) crOnly = false;
      else if (cr >= 0 && cr + 1 < buf.length) crOnly = true;
    }
    if (crOnly) {
      buf = Buffer.from(buf); // the reader's buffers are not ours to change
      // A CRLF among them stays one line end.
      for (let i = buf.indexOf(CR); i >= 0; i = buf.indexOf(CR, i + 1)) if (buf[i + 1] !== NL) buf[i] = NL;
    }
    if (buf.length > 0) yield buf;
  }
}

function dropNul(buf: Buffer): Buffer {
  const out = Buffer.allocUnsafe(buf.length);
  let n = 0;
  for (let s = 0; s < buf.length; ) {
    let z = buf.indexOf(0, s);
    if (z < 0) z = buf.length;
    n += buf.copy(out, n, s, z);
    s = z;
    while (s < buf.length && buf[s] === 0) s++;
  }
  return out.subarray(0, n);
}

/** Feeds every line of the stream to the sink (1-based numbers). */
export async function forEachLine(input: AsyncIterable<Buffer | string>, sink: LineSink): Promise<void> {
  let carry: Buffer | null = null;
  /** An over-long line in progress: its first LONG_HEAD bytes, its last bytes so far, its length. */
  let long: { head: Buffer; tail: Buffer; bytes: number } | null = null;
  let lineNo = 0;
  // A skipped stretch at the end of a chunk is settled (lines counted, tail pushed) only when more
  // input follows: at the end of a file nothing needs its line numbers, so most of a clean log
  // is never looked at line by line. Chunk buffers stay valid until the next chunk is handled.
  let deferred: Deferred | null = null;
  const push = (line: string, n: number) => sink.push(line, n);
  const pushOne = sink.raw ? pushRawLine : pushLine;
  const pushLong = (head: Buffer, tail: Buffer, bytes: number) => {
    // The tail starts after the cut: not inside a UTF-8 character.
    let skip = 0;
    while (skip < 3 && skip < tail.length && (tail[skip]! & 0xc0) === 0x80) skip++;
    tail = tail.subarray(skip);
    // ... and the head ends before a character the cut split.
    for (let back = 1; back <= 3 && back <= head.length; back++) {
      const b = head[head.length - back]!;
      if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      if (need > back) head = head.subarray(0, head.length - back);
      break;
    }
    lineNo++;
    sink.longLine?.(lineNo, bytes);
    pushOne(decodeLine(head, 0, head.length) + cutMarker(bytes - head.length - tail.length) + decodeLine(tail, 0, tail.length), lineNo, push);
  };
  const emit = (buf: Buffer, start: number, end: number) => {
    if (end - start > MAX_LINE_LENGTH) return pushLong(buf.subarray(start, start + LONG_HEAD), buf.subarray(end - LONG_TAIL, end), end - start);
    lineNo++;
    pushOne(decodeLine(buf, start, end), lineNo, push);
  };
  /** Adds bytes to the over-long line in progress (keeping only its last LONG_TAIL bytes). */
  const extendLong = (buf: Buffer, start: number, end: number) => {
    const l = long!;
    l.bytes += end - start;
    const joined = Buffer.concat([l.tail, buf.subarray(Math.max(start, end - LONG_TAIL), end)]);
    l.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - LONG_TAIL)));
  };
  const settle = () => {
    if (!deferred) return;
    const { buf, start, tailStart, stop } = deferred;
    deferred = null;
    lineNo += countNewlines(buf, start, tailStart);
    for (let s = tailStart, nl = buf.indexOf(NL, s); nl >= 0 && nl < stop; s = nl + 1, nl = buf.indexOf(NL, s)) emit(buf, s, nl);
  };
  const skipper = sink.skip ? new QuietSkipper(sink.skip) : null;
  for await (const chunk of normalized(input)) {
    settle();
    const final = lastChunks.has(chunk);
    let buf: Buffer = chunk;
    let start = 0;
    if (carry) {
      // The line begun in the previous chunk ends in this one: joined on its own (not the whole
      // chunk copied behind it, a megabyte per chunk of a stream or a gzip file).
      const nl = buf.indexOf(NL);
      if (nl < 0) buf = Buffer.concat([carry, buf]);
      else {
        const line = Buffer.concat([carry, buf.subarray(0, nl)]);
        carry = null;
        emit(line, 0, line.length);
        start = nl + 1;
      }
    }
    carry = null;
    if (long) {
      // The rest of an over-long line, up to its newline.
      const nl = buf.indexOf(NL);
      extendLong(buf, 0, nl < 0 ? buf.length : nl);
      if (nl < 0) continue;
      pushLong(long.head, long.tail, long.bytes);
      long = null;
      start = nl + 1;
    }
    const lastNl = buf.lastIndexOf(NL);
    if (lastNl >= start) {
      skipper?.reset();
      while (start <= lastNl) {
        const stretch = skipper?.find(buf, start, lastNl, final);
        if (stretch) {
          deferred = { buf, start, ...stretch };
          start = stretch.stop;
          if (start > lastNl) break;
          settle();
        }
        const nl = buf.indexOf(NL, start);
        emit(buf, start, nl);
        start = nl + 1;
      }
    }
    const rest = buf.subarray(start);
    if (rest.length > MAX_LINE_LENGTH) {
      settle();
      long = { head: Buffer.from(rest.subarray(0, LONG_HEAD)), tail: Buffer.alloc(0), bytes: LONG_HEAD };
      extendLong(rest, LONG_HEAD, rest.length);
    } else if (rest.length > 0) carry = Buffer.from(rest);
  }
  if (long) {
    settle();
    pushLong(long.head, long.tail, long.bytes);
  } else if (carry && carry.length > 0) {
    settle();
    emit(carry, 0, carry.length);
  }
}

interface Deferred {
  buf: Buffer;
  start: number;
  tailStart: number;
  stop: number;
}

function countNewlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(NL, from); i >= 0 && i < to; i = buf.indexOf(NL, i + 1)) n++;
  return n;
}

/** Skipping is worth it only over long marker-free stretches (or a file's marker-free end). */
const MIN_SKIP = 64 * 1024;

/** The last chunk of each file read by readInChunks: its marker-free end is skipped whatever its length. */
const lastChunks = new WeakSet<Buffer>();

/**
 * Skips marker-free stretches of a chunk without decoding them: lines are counted (exact line
 * numbers), and only the last `keepTail` lines before the next marker (context for a trace that
 * may start there) are decoded and pushed.
 */
class QuietSkipper {
  /** Position of the next marker at or after the last search (Infinity: none in this chunk). */
  private nextMarker = -1;
  private searchedFrom = -1;
  private readonly markers: MarkerSet;

  constructor(private readonly opts: NonNullable<LineSink['skip']>) {
    this.markers = markerSet(opts.markers);
  }

  reset(): void {
    this.nextMarker = -1;
    this.searchedFrom = -1;
  }

  /**
   * A marker-free stretch starting at `start`, or null: lines [start, tailStart) are only counted,
   * lines [tailStart, stop) are the context kept before whatever comes at `stop`.
   */
  find(buf: Buffer, start: number, lastNl: number, final = false): { tailStart: number; stop: number } | null {
    // In a file's last chunk, a marker-free rest of any length is skipped: nothing after it can
    // start a trace, so its lines are never needed (a small file without a marker is not decoded).
    if ((!final && lastNl - start < MIN_SKIP) || !this.opts.canSkip()) return null;
    if (this.searchedFrom < 0 || this.nextMarker < start) {
      this.searchedFrom = start;
      const at = this.markers.find(buf, start, lastNl + 1);
      this.nextMarker = at < 0 ? Infinity : at;
    }
    // Stop at the start of the line holding the marker, then back up keepTail lines for context.
    const stop = this.nextMarker === Infinity ? lastNl + 1 : buf.lastIndexOf(NL, this.nextMarker) + 1;
    if (stop - start < MIN_SKIP && !(final && this.nextMarker === Infinity)) return null;
    let tailStart = stop - 1;
    for (let k = 0; k <= this.opts.keepTail && tailStart > start; k++) tailStart = buf.lastIndexOf(NL, tailStart - 1);
    tailStart = tailStart < start ? start : tailStart + 1;
    return { tailStart, stop };
  }
}

/** Calls `onLine` for every line of an in-memory text. */
export function forEachLineOfText(text: string, onLine: (line: string, lineNo: number) => void): void {
  // As forEachLine: no byte-order mark, no NUL characters, lone CRs as line ends.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('\0')) text = text.replace(/\0+/g, '');
  const cr = text.indexOf('\r');
  const lf = text.indexOf('\n');
  if (cr >= 0 && cr + 1 < text.length && (lf < 0 || (cr < lf && cr + 1 !== lf))) text = text.replace(/\r(?!\n)/g, '\n');
  let start = 0;
  let lineNo = 0;
  while (start <= text.length) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    if (nl === text.length && start === nl) break;
    lineNo++;
    pushLine(cutText(text.slice(start, nl)), lineNo, onLine);
    start = nl + 1;
  }
}

export const CHUNK_SIZE = 1 << 20;

/** Read buffers are the reader's own, reused across files: a fresh 1 MiB buffer per file costs page
 *  faults. (The marker search copies what it searches into its own memory, window by window.) */
const readBuffers: Buffer[] = [];
const takeBuffer = () => readBuffers.pop() ?? Buffer.allocUnsafe(CHUNK_SIZE);
const giveBack = (buf: Buffer) => {
  if (readBuffers.length < 16 && !readBuffers.includes(buf)) readBuffers.push(buf);
};

export interface OpenedFile {
  /** What the first bytes say; 'directory' for a directory (nothing read, nothing to close). */
  kind: FileKind | 'directory';
  size: number;
  /** False for pipes and FIFOs: read once, front to back, never at a position. */
  regular: boolean;
  /** The file's text chunks (gunzipped if needed); closes the file when done. */
  chunks(): AsyncIterable<Buffer>;
  /** Closes the file without reading it. */
  close(): void;
  /** For binary data: the first crash marker found in it ("#0  0x... in "), else null. */
  marker: string | null;
  /**
   * What went wrong while reading that did not stop it (a truncated gzip, trailing garbage after
   * it): filled as chunks() is read; the text before the problem was read.
   */
  problems: ReadProblem[];
}

/** A problem met while reading: `fatal` when part of the input could not be read at all. */
export interface ReadProblem {
  message: string;
  fatal: boolean;
}

type ProblemListener = (path: string, problem: ReadProblem) => void;
const problemListeners = new Set<ProblemListener>();

/**
 * Calls `listener` for every problem met while reading any file opened by openFile (for a CLI that
 * reads through library calls); returns the function that removes it.
 */
export function onReadProblem(listener: ProblemListener): () => void {
  problemListeners.add(listener);
  return () => problemListeners.delete(listener);
}

/**
 * A sink for the problems met reading the input named `name`: each goes into `problems` and to the
 * onReadProblem listeners.
 */
export function problemSink(name: string, problems: ReadProblem[]): ProblemSink {
  return (problem) => {
    problems.push(problem);
    for (const l of problemListeners) l(name, problem);
  };
}

/**
 * Opens a file once (or takes its descriptor, `opened`, which it then owns): size, kind (from the
 * first bytes) and its chunks, all from one descriptor.
 * What is done with each kind (and what is said about it) is source/open.ts's to decide.
 * Regular files are read with blocking reads into reused buffers, several times faster than a
 * read stream for many small files (no thread-pool round trip per chunk).
 */
export function openFile(path: string, opened?: number): OpenedFile {
  const fd = opened ?? openSync(path, 'r');
  let closed = false;
  const close = () => {
    if (!closed) closeSync(fd);
    closed = true;
  };
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) {
      close();
      return { kind: 'directory', size: 0, regular: false, chunks: async function* () {}, close: () => {}, marker: null, problems: [] };
    }
    const regular = stat.isFile();
    const first = takeBuffer();
    // Pipes and FIFOs (`coredx analyze <(gdb ...)`) cannot be read at a position.
    const n = readSync(fd, first, 0, CHUNK_SIZE, regular ? 0 : null);
    const head = first.subarray(0, Math.min(n, SNIFF_BYTES));
    let kind = sniff(head);
    const bom = kind === 'text' ? bomEncoding(head) : null;
    let marker: string | null = null;
    // A regular file that does not start like text may still hold text further on (a log whose
    // first megabytes logrotate's copytruncate turned into NUL bytes): it is looked through whole,
    // and read as text when it holds lines of text anywhere.
    if (kind === 'binary' && regular) ({ kind, marker } = lookThrough(fd, first, n));
    const problems: ReadProblem[] = [];
    const sink = problemSink(path, problems);
    const chunks = (): AsyncIterable<Buffer> => {
      if (kind === 'gzip' && regular) {
        giveBack(first);
        closed = true; // the stream owns the descriptor now
        return gunzip(createReadStream('', { fd, highWaterMark: CHUNK_SIZE, start: 0 }), sink);
      }
      // A pipe cannot be read again from the start: what was read goes first. The reader reuses its
      // buffers, so gunzip gets copies.
      if (kind === 'gzip') return gunzip(copies(readInChunks(fd, first, n, false, close, path)), sink);
      const text = readInChunks(fd, first, n, regular, close, path);
      return bom ? utf16Chunks(text, bom) : text;
    };
    return { kind, size: stat.size, regular, chunks, close: () => (giveBack(first), close()), marker, problems };
  } catch (err) {
    close();
    throw named(err, path);
  }
}

const READ_ERRORS: Record<string, string> = {
  EIO: 'I/O error (a damaged disk, or a special file that cannot be read like this)',
  EINVAL: 'invalid argument (a special file that cannot be read like this)',
  ENXIO: 'no such device',
  EAGAIN: 'would block (a non-blocking special file)',
  EOVERFLOW: 'value too large',
};

/**
 * A read error (which, unlike an open error, carries no path) as one line naming the file and the
 * reason; other errors as they are.
 */
export function named(err: unknown, path: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (!e || typeof e !== 'object' || typeof e.code !== 'string' || typeof e.path === 'string' || err instanceof CoredxInputError) return err;
  return new CoredxInputError('unreadable', `${path}: cannot be read: ${READ_ERRORS[e.code] ?? e.code}`);
}

/**
 * Reads a regular file that sniffed as binary through, chunk by chunk (bounded memory): text if it
 * holds lines of text anywhere (see holdsText), else binary, with the first crash marker in it.
 */
function lookThrough(fd: number, first: Buffer, firstLength: number): { kind: FileKind; marker: string | null } {
  // Overlapping windows, so a stretch of text across a chunk boundary is seen whole.
  const OVERLAP = 4096;
  let marker: string | null = null;
  const buf = Buffer.allocUnsafe(CHUNK_SIZE + OVERLAP);
  let length = first.copy(buf, 0, 0, firstLength);
  let position = firstLength;
  for (;;) {
    const view = buf.subarray(0, length);
    if (holdsText(view)) return { kind: 'text', marker: null };
    // Text padded with NUL bytes (however short the text): what is left without them is text.
    if (view.indexOf(0) >= 0) {
      const rest = dropNul(view);
      if (rest.length > 0 && rest.indexOf(NL) >= 0 && !looksBinary(rest)) return { kind: 'text', marker: null };
    }
    marker ??= crashMarker(view);
    if (length < OVERLAP + 1 && position > firstLength) break;
    const keep = Math.min(OVERLAP, length);
    buf.copy(buf, 0, length - keep, length);
    const got = readSync(fd, buf, keep, CHUNK_SIZE, position);
    if (got === 0) break;
    position += got;
    length = keep + got;
  }
  return { kind: 'binary', marker };
}

/** UTF-16 text (by its byte-order mark) as UTF-8 chunks; characters split across chunks are kept whole. */
export async function* utf16Chunks(chunks: AsyncIterable<Buffer>, encoding: BomEncoding): AsyncGenerator<Buffer> {
  const decoder = new TextDecoder('utf-16le'); // drops the BOM; big-endian is byte-swapped first
  let odd: Buffer | null = null;
  for await (const chunk of chunks) {
    let bytes: Buffer = odd ? Buffer.concat([odd, chunk]) : Buffer.from(chunk);
    odd = null;
    if (bytes.length & 1) {
      odd = Buffer.from(bytes.subarray(bytes.length - 1));
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    if (encoding === 'utf16be') bytes.swap16();
    const text = decoder.decode(bytes, { stream: true });
    if (text) yield Buffer.from(text, 'utf8');
  }
  const rest = decoder.decode();
  if (rest) yield Buffer.from(rest, 'utf8');
}

/** A partial last line up to this long is moved to the front of the next chunk (longer ones are
 *  left to forEachLine's own carry). */
const MAX_CARRY = MAX_LINE_LENGTH;

/**
 * Yields the first chunk already read, then the rest, alternating two buffers so the previous
 * chunk stays intact while the next one is handled. Chunks end at a line end: the partial last
 * line is copied to the front of the other buffer and the next read goes after it, so lines are
 * never joined by concatenating buffers. A short read of
 * a regular file is its end: no extra read to learn that.
 */
/** zlib.crc32 (Node 20.15 and later); without it only a member's length is checked. */
const crc32 = (zlib as unknown as { crc32?: (data: Buffer, value?: number) => number }).crc32;

/** Decompressed bytes handed out per input slice at most ~1000 times this (deflate's best ratio). */
const GZIP_SLICE = 16 * 1024;

/**
 * The decompressed bytes of a gzip stream, member by member (concatenated gzip files are one
 * stream, as for gzip -d). Never loses what decompresses: a stream cut short yields everything up
 * to the cut, and bytes after the last member that are not a gzip member ("trailing garbage") are
 * ignored, as gzip does; both are told in `problems` ("truncated gzip data: ..."). Corrupt data in
 * the first member with nothing decompressed before it is an error (code Z_DATA_ERROR).
 */
export type ProblemSink = (problem: ReadProblem) => void;

/**
 * The decompressed text in chunks of about CHUNK_SIZE (zlib hands out 16 KB pieces): the reader
 * skips marker-free stretches only within a chunk, and a chunk costs a round of the line loop.
 */
export async function* gunzip(source: AsyncIterable<Buffer>, problem: ProblemSink = () => {}): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let bytes = 0;
  let total = 0;
  const limit = gzipLimitBytes();
  for await (const piece of inflated(source, problem)) {
    // A gzip file that inflates without end (a "bomb", or a 10 GB log) is read up to the limit.
    if (total + piece.length > limit) {
      if (bytes > 0) yield Buffer.concat(parts, bytes);
      problem({ message: `gzip content cut at ${Math.round(limit / 1048576)} MB decompressed (COREDX_GZIP_LIMIT_MB): the rest was not read`, fatal: false });
      return;
    }
    total += piece.length;
    parts.push(piece);
    bytes += piece.length;
    if (bytes >= CHUNK_SIZE) {
      yield parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes);
      parts = [];
      bytes = 0;
    }
  }
  if (bytes > 0) yield parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes);
}

/** Decompressed bytes read from one gzip input: 8 GiB, or COREDX_GZIP_LIMIT_MB megabytes. */
export function gzipLimitBytes(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.COREDX_GZIP_LIMIT_MB);
  return (Number.isFinite(mb) && mb > 0 ? mb : 8192) * 1048576;
}

async function* inflated(source: AsyncIterable<Buffer>, problem: ProblemSink): AsyncGenerator<Buffer> {
  const fatal = (message: string) => problem({ message, fatal: true });
  const it = source[Symbol.asyncIterator]();
  let pending: Buffer = Buffer.alloc(0);
  let ended = false;
  let produced = 0;
  /** Reads more input into `pending`; false at the end of the source. */
  const more = async (): Promise<boolean> => {
    if (ended) return false;
    const r = await it.next();
    if (r.done) {
      ended = true;
      return false;
    }
    pending = pending.length ? Buffer.concat([pending, r.value]) : Buffer.from(r.value);
    return true;
  };
  const need = async (bytes: number) => {
    while (pending.length < bytes) if (!(await more())) return false;
    return true;
  };
  try {
    for (let member = 0; ; member++) {
      if (!(await need(1))) return; // the end, after whole members
      if (!(await need(10)) || pending[0] !== 0x1f || pending[1] !== 0x8b) {
        // Padding with NUL bytes after the last member is common (tape blocks); anything else is
        // garbage gzip -d warns about and ignores.
        if (member > 0 && !(await allZero())) problem({ message: GARBAGE, fatal: false });
        if (member === 0) throw zlibError('Z_DATA_ERROR', 'not gzip data (incorrect header check)');
        return;
      }
      if (pending[2] !== 8) {
        if (member === 0) throw zlibError('Z_DATA_ERROR', 'unknown compression method');
        problem({ message: GARBAGE, fatal: false });
        return;
      }
      const headerLength = await gzipHeaderLength();
      if (headerLength < 0) {
        if (member === 0 && produced === 0) throw zlibError('Z_BUF_ERROR', 'unexpected end of file');
        fatal(`corrupt gzip data: truncated inside a gzip header, after ${produced} decompressed bytes; what was there was read`);
        return;
      }
      pending = pending.subarray(headerLength);
      const inflate = createInflateRaw();
      let crc = 0;
      let memberBytes = 0;
      const out: Buffer[] = [];
      let streamEnd = false;
      let failure: Error | null = null;
      /** Resolves the wait in progress: a write's callback is not called once the inflate failed. */
      let wake: (() => void) | null = null;
      inflate.on('data', (b: Buffer) => out.push(b));
      inflate.on('end', () => (streamEnd = true));
      inflate.on('error', (err) => {
        failure = err;
        wake?.();
      });
      inflate.on('close', () => wake?.());
      const settled = (start: (done: () => void) => void) =>
        new Promise<void>((resolve) => {
          wake = resolve;
          start(resolve);
        });
      let consumedBefore = 0;
      let slice: Buffer = Buffer.alloc(0);
      while (!streamEnd && !failure) {
        if (pending.length === 0 && !(await more())) break;
        slice = pending.subarray(0, GZIP_SLICE);
        pending = pending.subarray(slice.length);
        consumedBefore = inflate.bytesWritten;
        await settled((done) => inflate.write(slice, () => done()));
        // A raw inflate stops taking input where its deflate data ends; 'end' follows the write's
        // callback: give it its turn.
        if (inflate.bytesWritten - consumedBefore < slice.length) streamEnd = true;
        await new Promise<void>((resolve) => setImmediate(resolve));
        for (const b of out.splice(0)) {
          produced += b.length;
          memberBytes += b.length;
          if (crc32) crc = crc32(b, crc);
          yield b;
        }
      }
      if (failure) {
        const err = failure as NodeJS.ErrnoException;
        if (produced === 0) throw err;
        fatal(`corrupt gzip data after ${produced} decompressed bytes (${err.message}); the rest is not read`);
        return;
      }
      if (!streamEnd) {
        // The source ended inside the member: hand out what decompresses.
        await settled((done) => inflate.end(() => done()));
        await new Promise<void>((resolve) => setImmediate(resolve));
        for (const b of out.splice(0)) {
          produced += b.length;
          yield b;
        }
        if (produced === 0 && member === 0) throw zlibError('Z_BUF_ERROR', 'unexpected end of file');
        fatal(`corrupt gzip data: truncated (unexpected end of file after ${produced} decompressed bytes); what was there was read`);
        return;
      }
      // The member's deflate data ended inside the last slice: what follows it is the 8-byte
      // trailer (CRC-32, size), then maybe another member.
      const unused = slice.subarray(inflate.bytesWritten - consumedBefore);
      pending = unused.length ? (pending.length ? Buffer.concat([unused, pending]) : Buffer.from(unused)) : pending;
      if (!(await need(8))) {
        fatal(`corrupt gzip data: truncated inside the gzip trailer (after all ${produced} decompressed bytes)`);
        return;
      }
      // gzip -d checks both: a member whose text does not match them was damaged.
      if ((crc32 && pending.readUInt32LE(0) !== crc >>> 0) || pending.readUInt32LE(4) !== memberBytes % 2 ** 32) {
        fatal(`corrupt gzip data: member ${member + 1} fails its ${crc32 && pending.readUInt32LE(0) !== crc >>> 0 ? 'CRC-32' : 'length'} check (damaged data); its text was read as it decompressed`);
        return;
      }
      pending = pending.subarray(8);
    }
  } finally {
    await it.return?.();
  }

  async function allZero(): Promise<boolean> {
    for (;;) {
      for (const b of pending) if (b !== 0) return false;
      pending = Buffer.alloc(0);
      if (!(await more())) return true;
    }
  }

  /** The length of the gzip header at the start of `pending` (RFC 1952), or -1 when cut short. */
  async function gzipHeaderLength(): Promise<number> {
    const flags = pending[3]!;
    let at = 10;
    if (flags & 4) {
      if (!(await need(at + 2))) return -1;
      at += 2 + pending.readUInt16LE(at);
    }
    for (const bit of [8, 16]) {
      if (!(flags & bit)) continue;
      for (;;) {
        if (!(await need(at + 1))) return -1;
        if (pending[at++] === 0) break;
      }
    }
    if (flags & 2) at += 2;
    return (await need(at)) ? at : -1;
  }
}

const GARBAGE = 'trailing garbage after the gzip data ignored (as gzip -d does)';

function zlibError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

async function* copies(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) yield Buffer.from(chunk);
}

async function* readInChunks(fd: number, first: Buffer, firstLength: number, regular: boolean, close: () => void, path: string): AsyncGenerator<Buffer> {
  const bufs = [first, takeBuffer()];
  try {
    let length = firstLength;
    let position = firstLength;
    let atEnd = regular ? firstLength < CHUNK_SIZE : firstLength === 0;
    for (let k = 0; length > 0; k ^= 1) {
      const buf = bufs[k]!;
      let cut = length;
      if (!atEnd) {
        const nl = buf.lastIndexOf(NL, length - 1);
        if (nl >= 0 && length - (nl + 1) <= MAX_CARRY) cut = nl + 1;
      }
      const chunk = buf.subarray(0, cut);
      if (atEnd) lastChunks.add(chunk);
      yield chunk;
      if (atEnd) break;
      const next = bufs[k ^ 1]!;
      const carried = buf.copy(next, 0, cut, length);
      let n: number;
      try {
        n = readSync(fd, next, carried, CHUNK_SIZE - carried, regular ? position : null);
      } catch (err) {
        throw named(err, path);
      }
      position += n;
      length = carried + n;
      atEnd = n === 0 || (regular && n < CHUNK_SIZE - carried);
    }
  } finally {
    close();
    for (const b of bufs) giveBack(b);
  }
}
