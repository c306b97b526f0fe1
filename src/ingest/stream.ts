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
  // A pipe may deliver a few bytes at a time: gather the head first (a paste on a terminal is
  // analyzed at Ctrl-D anyway, so waiting for it costs nothing).
  const { head, chunks } = await peekStream(asBuffers(stream), HEAD_BYTES);
  const kind = sniff(head);
  return { kind, chunks: kind === 'gzip' ? Readable.from(chunks).pipe(createGunzip()) : chunks };
}

async function* asBuffers(stream: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  for await (const chunk of stream) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

/** The first `bytes` bytes of a stream (or all of a shorter one), and the whole stream again. */
export async function peekStream(stream: AsyncIterable<Buffer>, bytes: number): Promise<{ head: Buffer; chunks: AsyncIterable<Buffer> }> {
  const it = stream[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < bytes) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    head.push(r.value);
    length += r.value.length;
  }
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      yield* head;
      while (!done) {
        const r = await it.next();
        if (r.done) done = true;
        else yield r.value;
      }
    } finally {
      if (!done) await it.return?.();
    }
  }
  return { head: Buffer.concat(head).subarray(0, bytes), chunks: chunks() };
}
