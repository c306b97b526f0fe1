// Streams text as cleaned lines with bounded memory: a file is never held whole, and a single
// absurdly long line (binary junk, a minified blob) is cut rather than buffered without limit.
// Optionally skips chunks that cannot start a trace without decoding them (see LineSink.skip).

import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CoredxInputError } from '../errors.js';
import { cleanLine } from './clean.js';
import { markerSet, releaseSearchBuffer, takeSearchBuffer, type MarkerSet } from './marker-search.js';
import { sniff, SNIFF_BYTES, type FileKind } from './sniff.js';

/** Longest line kept; the rest of a longer line is dropped (no backtrace line is this long). */
export const MAX_LINE_LENGTH = 64 * 1024;

export interface LineSink {
  push(line: string, lineNo: number): void;
  /**
   * Fast path for sparse logs: when present and `canSkip()` says no trace is being read, a run of
   * complete lines holding none of `markers` is not decoded; only its last `keepTail` lines are
   * pushed (for context), the others are counted.
   */
  skip?: { markers: Buffer[]; keepTail: number; canSkip(): boolean };
}

const NL = 10;

/** Feeds every line of the stream to the sink (1-based numbers). */
export async function forEachLine(stream: AsyncIterable<Buffer | string>, sink: LineSink): Promise<void> {
  let carry: Buffer | null = null;
  let carryTooLong = false;
  let lineNo = 0;
  // A skipped stretch at the end of a chunk is settled (lines counted, tail pushed) only when more
  // input follows: at the end of a file nothing needs its line numbers, so most of a clean log
  // is never looked at line by line. Chunk buffers stay valid until the next chunk is handled.
  let deferred: Deferred | null = null;
  const emit = (buf: Buffer, start: number, end: number) => {
    lineNo++;
    sink.push(cleanLine(buf.toString('utf8', start, Math.min(end, start + MAX_LINE_LENGTH))), lineNo);
  };
  const settle = () => {
    if (!deferred) return;
    const { buf, start, tailStart, stop } = deferred;
    deferred = null;
    lineNo += countNewlines(buf, start, tailStart);
    for (let s = tailStart, nl = buf.indexOf(NL, s); nl >= 0 && nl < stop; s = nl + 1, nl = buf.indexOf(NL, s)) emit(buf, s, nl);
  };
  const skipper = sink.skip ? new QuietSkipper(sink.skip) : null;
  for await (const chunk of stream) {
    settle();
    let buf: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    if (carry) buf = Buffer.concat([carry, buf]);
    carry = null;
    const lastNl = buf.lastIndexOf(NL);
    let start = 0;
    if (lastNl >= 0) {
      if (carryTooLong) {
        // The rest of an over-long line: drop it up to its newline.
        carryTooLong = false;
        start = buf.indexOf(NL) + 1;
      }
      skipper?.reset();
      while (start <= lastNl) {
        const stretch = skipper?.find(buf, start, lastNl);
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
    if (carryTooLong) continue;
    if (rest.length > MAX_LINE_LENGTH) {
      settle();
      emit(rest, 0, rest.length);
      carryTooLong = true;
    } else if (rest.length > 0) carry = Buffer.from(rest);
  }
  if (carry && carry.length > 0) {
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

/** Skipping is worth it only over long marker-free stretches. */
const MIN_SKIP = 64 * 1024;

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
  find(buf: Buffer, start: number, lastNl: number): { tailStart: number; stop: number } | null {
    if (lastNl - start < MIN_SKIP || !this.opts.canSkip()) return null;
    if (this.searchedFrom < 0 || this.nextMarker < start) {
      this.searchedFrom = start;
      const at = this.markers.find(buf, start, lastNl + 1);
      this.nextMarker = at < 0 ? Infinity : at;
    }
    // Stop at the start of the line holding the marker, then back up keepTail lines for context.
    const stop = this.nextMarker === Infinity ? lastNl + 1 : buf.lastIndexOf(NL, this.nextMarker) + 1;
    if (stop - start < MIN_SKIP) return null;
    let tailStart = stop - 1;
    for (let k = 0; k <= this.opts.keepTail && tailStart > start; k++) tailStart = buf.lastIndexOf(NL, tailStart - 1);
    tailStart = tailStart < start ? start : tailStart + 1;
    return { tailStart, stop };
  }
}

/** Calls `onLine` for every line of an in-memory text. */
export function forEachLineOfText(text: string, onLine: (line: string, lineNo: number) => void): void {
  let start = 0;
  let lineNo = 0;
  while (start <= text.length) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    if (nl === text.length && start === nl) break;
    lineNo++;
    onLine(cleanLine(text.slice(start, Math.min(nl, start + MAX_LINE_LENGTH))), lineNo);
    start = nl + 1;
  }
}

export const CHUNK_SIZE = 1 << 20;

/** Read buffers are reused across files: a fresh 1 MiB buffer per file costs page faults. They
 *  live in the marker search's memory when there is room, so chunks are searched where they are. */
const plainBuffers: Buffer[] = [];
const sniffBuffer = Buffer.alloc(SNIFF_BYTES);
const takeBuffer = () => takeSearchBuffer(CHUNK_SIZE) ?? plainBuffers.pop() ?? Buffer.allocUnsafe(CHUNK_SIZE);
const giveBack = (buf: Buffer) => {
  if (!releaseSearchBuffer(buf) && plainBuffers.length < 16) plainBuffers.push(buf);
};

export interface OpenedFile {
  kind: FileKind;
  size: number;
  /** False for pipes and FIFOs: read once, front to back, never at a position. */
  regular: boolean;
  /** The file's text chunks (gunzipped if needed); closes the file when done. */
  chunks(): AsyncIterable<Buffer>;
  /** Closes the file without reading it. */
  close(): void;
}

/**
 * Opens a file once: size, kind (from the first bytes) and its chunks, all from one descriptor.
 * Regular files are read with blocking reads into reused buffers, several times faster than a
 * read stream for many small files (no thread-pool round trip per chunk).
 */
export function openFile(path: string): OpenedFile {
  const fd = openSync(path, 'r');
  let closed = false;
  const close = () => {
    if (!closed) closeSync(fd);
    closed = true;
  };
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new CoredxInputError('unreadable', `${path}: is a directory (coredx scan walks directories)`);
    const regular = stat.isFile();
    const first = takeBuffer();
    // Pipes and FIFOs (`coredx analyze <(gdb ...)`) cannot be read at a position.
    const n = readSync(fd, first, 0, CHUNK_SIZE, regular ? 0 : null);
    // Sniffed from a copy in an ordinary buffer: byte-by-byte reads of the search memory's buffers
    // (a WebAssembly memory) are several times slower in V8.
    const headLength = first.copy(sniffBuffer, 0, 0, Math.min(n, SNIFF_BYTES));
    const kind = sniff(sniffBuffer.subarray(0, headLength));
    const chunks = (): AsyncIterable<Buffer> => {
      if (kind === 'gzip' && regular) {
        giveBack(first);
        closed = true; // the stream owns the descriptor now
        return gunzip(createReadStream('', { fd, highWaterMark: CHUNK_SIZE, start: 0 }));
      }
      // A pipe cannot be read again from the start: what was read goes first. The reader reuses its
      // buffers, so gunzip gets copies.
      if (kind === 'gzip') return gunzip(Readable.from(copies(readInChunks(fd, first, n, false, close))));
      return readInChunks(fd, first, n, regular, close);
    };
    return { kind, size: stat.size, regular, chunks, close: () => (giveBack(first), close()) };
  } catch (err) {
    close();
    throw err;
  }
}

/** A partial last line up to this long is moved to the front of the next chunk (longer ones are
 *  left to forEachLine's own carry). */
const MAX_CARRY = MAX_LINE_LENGTH;

/**
 * Yields the first chunk already read, then the rest, alternating two buffers so the previous
 * chunk stays intact while the next one is handled. Chunks end at a line end: the partial last
 * line is copied to the front of the other buffer and the next read goes after it, so lines are
 * never joined by concatenating buffers (and stay in the marker search's memory). A short read of
 * a regular file is its end: no extra read to learn that.
 */
/**
 * The decompressed bytes of a gzip stream. A pipeline, so a corrupt archive's error reaches the
 * reader and dropping the result (destroying it) closes the source too.
 */
export function gunzip(source: Readable): Readable {
  return pipeline(source, createGunzip(), () => {});
}

async function* copies(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) yield Buffer.from(chunk);
}

async function* readInChunks(fd: number, first: Buffer, firstLength: number, regular: boolean, close: () => void): AsyncGenerator<Buffer> {
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
      yield buf.subarray(0, cut);
      if (atEnd) break;
      const next = bufs[k ^ 1]!;
      const carried = buf.copy(next, 0, cut, length);
      const n = readSync(fd, next, carried, CHUNK_SIZE - carried, regular ? position : null);
      position += n;
      length = carried + n;
      atEnd = n === 0 || (regular && n < CHUNK_SIZE - carried);
    }
  } finally {
    close();
    for (const b of bufs) giveBack(b);
  }
}
