// A stream (stdin, a pipe) sniffed like a file: its first bytes say whether it is text, gzip to
// unpack, or something that is not a log (binary data, an ELF core), before any of it is parsed.

import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { sniff, type FileKind } from './sniff.js';

/** What sniffing looks at: enough for the headers and the binary test, small enough to wait for. */
const HEAD_BYTES = 8192;

export interface SniffedStream {
  kind: FileKind;
  /** The whole stream as text bytes (gzip unpacked), the sniffed head included. */
  chunks: AsyncIterable<Buffer>;
}

export async function sniffStream(stream: AsyncIterable<Buffer | string>): Promise<SniffedStream> {
  const it = stream[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let length = 0;
  let done = false;
  // A pipe may deliver a few bytes at a time: gather the head first (a paste on a terminal is
  // analyzed at Ctrl-D anyway, so waiting for it costs nothing).
  while (length < HEAD_BYTES) {
    const next = await it.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    head.push(chunk);
    length += chunk.length;
  }
  const first = Buffer.concat(head);
  const kind = sniff(first);
  async function* all(): AsyncGenerator<Buffer> {
    if (first.length) yield first;
    if (done) return;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    }
  }
  return { kind, chunks: kind === 'gzip' ? Readable.from(all()).pipe(createGunzip()) : all() };
}
