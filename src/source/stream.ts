// A stream (stdin, a pipe, a gzip file's content) sniffed like a file: its first bytes say whether
// it is text, gzip to unpack, or something that is not a log (binary data, an ELF core), before any
// of it is parsed.

import { utf16Chunks } from './lines.js';
import { bomEncoding, sniff, SNIFF_BYTES, type FileKind } from './sniff.js';

export interface SniffedStream {
  kind: FileKind;
  /** The whole stream, the sniffed head included. */
  chunks: AsyncIterable<Buffer>;
  /** Drops the rest unread (and closes what the stream reads from). */
  cancel(): Promise<void>;
  /** The first bytes the kind was judged by (after any leading NUL bytes). */
  head: Buffer;
}

/**
 * Sniffs the first bytes of a stream: stdin, a pipe, or the decompressed content of a gzip file
 * (which is judged by what it holds). A pipe may deliver a few bytes at a time: the head is
 * gathered first (a paste on a terminal is analyzed at Ctrl-D anyway, so waiting costs nothing).
 */
export async function sniffStream(stream: AsyncIterable<Buffer | string>): Promise<SniffedStream> {
  const leading = { nul: 0 };
  const { head, chunks, cancel } = await peekStream(dropLeadingNul(asBuffers(stream), leading), SNIFF_BYTES);
  // Nothing but NUL bytes is binary data; NUL bytes before text (a log truncated in place by
  // logrotate's copytruncate) are dropped, and what follows them decides.
  const kind = head.length === 0 && leading.nul > 0 ? 'binary' : sniff(head);
  const bom = kind === 'text' ? bomEncoding(head) : null;
  return { kind, chunks: bom ? utf16Chunks(chunks, bom) : chunks, cancel, head };
}

/**
 * Leading NUL bytes skipped at most (a copytruncate'd log's hole); a stream that is nothing but NUL
 * bytes beyond this (`< /dev/zero`) is binary data, not an endless wait.
 */
export const MAX_LEADING_NUL = 4 * 1024 ** 3;
const ZEROS = Buffer.alloc(64 * 1024);

/** The stream without its leading NUL bytes (counted in `leading.nul`); never holds them. */
async function* dropLeadingNul(stream: AsyncIterable<Buffer>, leading: { nul: number }): AsyncGenerator<Buffer> {
  let inText = false;
  for await (const chunk of stream) {
    if (inText) {
      yield chunk;
      continue;
    }
    // Whole 64 KB runs compared natively, then byte by byte.
    let i = 0;
    while (i + ZEROS.length <= chunk.length && ZEROS.equals(chunk.subarray(i, i + ZEROS.length))) i += ZEROS.length;
    while (i < chunk.length && chunk[i] === 0) i++;
    leading.nul += i;
    if (i === chunk.length) {
      if (leading.nul < MAX_LEADING_NUL) continue;
      // Give up skipping: what follows is judged as it comes (NUL bytes: binary data).
      inText = true;
      yield chunk.subarray(chunk.length - 1);
      continue;
    }
    inText = true;
    yield i === 0 ? chunk : chunk.subarray(i);
  }
}

async function* asBuffers(stream: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  for await (const chunk of stream) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

/** The first `bytes` bytes of a stream (or all of a shorter one), and the whole stream again. */
export async function peekStream(stream: AsyncIterable<Buffer>, bytes: number): Promise<{ head: Buffer; chunks: AsyncIterable<Buffer>; cancel(): Promise<void> }> {
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
  const cancel = async () => {
    if (!done) await it.return?.();
    done = true;
  };
  return { head: Buffer.concat(head).subarray(0, bytes), chunks: chunks(), cancel };
}
