// Streams text as cleaned lines with bounded memory: a file is never held whole, and a single
// absurdly long line (binary junk, a minified blob) is cut rather than buffered without limit.

import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { cleanLine } from './clean.js';

/** Longest line kept; the rest of a longer line is dropped (no backtrace line is this long). */
export const MAX_LINE_LENGTH = 64 * 1024;

/** Calls `onLine(cleanedText, lineNumber)` for every line of the stream (1-based numbers). */
export async function forEachLine(stream: Readable, onLine: (line: string, lineNo: number) => void): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let carryTooLong = false;
  let lineNo = 0;
  const emit = (text: string) => {
    lineNo++;
    onLine(cleanLine(text), lineNo);
  };
  for await (const chunk of stream) {
    const text = carry + (typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      if (carryTooLong) carryTooLong = false, lineNo++;
      else emit(text.slice(start, Math.min(nl, start + MAX_LINE_LENGTH)));
      start = nl + 1;
    }
    carry = text.slice(start);
    if (carry.length > MAX_LINE_LENGTH) {
      // Emit the kept head now; swallow the rest of this line up to its newline.
      if (!carryTooLong) emit(carry.slice(0, MAX_LINE_LENGTH));
      carryTooLong = true;
      carry = '';
    }
  }
  const rest = carry + decoder.end();
  if (rest.length > 0 && !carryTooLong) emit(rest.slice(0, MAX_LINE_LENGTH));
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
