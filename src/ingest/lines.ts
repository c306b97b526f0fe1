// Streams text as cleaned lines with bounded memory: a file is never held whole, and a single
// absurdly long line (binary junk, a minified blob) is cut rather than buffered without limit.
// Optionally skips chunks that cannot start a trace without decoding them (see LineSink.skip).

import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { cleanLine } from './clean.js';

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
export async function forEachLine(stream: Readable, sink: LineSink): Promise<void> {
  let carry: Buffer | null = null;
  let carryTooLong = false;
  let lineNo = 0;
  const emit = (buf: Buffer, start: number, end: number) => {
    lineNo++;
    sink.push(cleanLine(buf.toString('utf8', start, Math.min(end, start + MAX_LINE_LENGTH))), lineNo);
  };
  for await (const chunk of stream) {
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
      start = skipQuietRegion(buf, start, lastNl, sink, (n) => (lineNo += n), emit);
      for (let nl = buf.indexOf(NL, start); nl >= 0 && nl <= lastNl; nl = buf.indexOf(NL, start)) {
        emit(buf, start, nl);
        start = nl + 1;
      }
    }
    const rest = buf.subarray(start);
    if (carryTooLong) continue;
    if (rest.length > MAX_LINE_LENGTH) {
      emit(rest, 0, rest.length);
      carryTooLong = true;
    } else if (rest.length > 0) carry = Buffer.from(rest);
  }
  if (carry && carry.length > 0) emit(carry, 0, carry.length);
}

/**
 * When the sink allows it and [start, lastNl] holds no marker, counts those lines and pushes only
 * the last few; returns where normal line-by-line processing should resume.
 */
function skipQuietRegion(
  buf: Buffer,
  start: number,
  lastNl: number,
  sink: LineSink,
  count: (n: number) => void,
  emit: (buf: Buffer, start: number, end: number) => void,
): number {
  const skip = sink.skip;
  if (!skip || !skip.canSkip() || lastNl - start < 64 * 1024) return start;
  const region = buf.subarray(start, lastNl + 1);
  for (const m of skip.markers) if (region.includes(m)) return start;
  // Find where the last keepTail lines begin; count the lines before it without decoding.
  let tailStart = lastNl;
  for (let k = 0; k <= skip.keepTail && tailStart > start; k++) tailStart = buf.lastIndexOf(NL, tailStart - 1);
  tailStart = tailStart < start ? start : tailStart + 1;
  let n = 0;
  for (let i = buf.indexOf(NL, start); i >= 0 && i < tailStart; i = buf.indexOf(NL, i + 1)) n++;
  count(n);
  for (let s = tailStart, nl = buf.indexOf(NL, s); nl >= 0 && nl <= lastNl; s = nl + 1, nl = buf.indexOf(NL, s)) emit(buf, s, nl);
  return lastNl + 1;
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

/** A readable for a file, transparently gunzipped when it starts with the gzip magic bytes. */
export function openText(path: string, head: Buffer): Readable {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  return head[0] === 0x1f && head[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
}
