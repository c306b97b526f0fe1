// What a file is, from its first bytes: text to read, gzip to unpack, an ELF core, or binary data.

import { isUtf8 } from 'node:buffer';

export type FileKind = 'text' | 'gzip' | 'elf-core' | 'elf' | 'binary';

export const SNIFF_BYTES = 64 * 1024;

/** A text encoding named by a byte-order mark (UTF-16 logs from Windows tools, PowerShell). */
export type BomEncoding = 'utf16le' | 'utf16be';

export function bomEncoding(head: Buffer): BomEncoding | null {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf16be';
  return null;
}

export function sniff(head: Buffer): FileKind {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 18 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) {
    // e_type at offset 16: 4 = ET_CORE. Read in both byte orders: a core whose byte-order byte is
    // damaged is still a core (the core reader then names what is wrong with it), not "an executable".
    return head.readUInt16LE(16) === 4 || head.readUInt16BE(16) === 4 ? 'elf-core' : 'elf';
  }
  const bom = bomEncoding(head);
  if (bom) return looksBinary(Buffer.from(decodeUtf16(head.subarray(2, head.length & ~1), bom), 'utf8')) ? 'binary' : 'text';
  if (!looksBinary(head)) return 'text';
  // Text anywhere in the head (after a run of NUL bytes a copytruncate left, in a legacy encoding,
  // in an archive of logs) makes it text: a crash in it must not be skipped as "binary data".
  return holdsText(head) ? 'text' : 'binary';
}

/** UTF-16 to a JS string (the BOM already cut). */
export function decodeUtf16(bytes: Buffer, encoding: BomEncoding): string {
  if (encoding === 'utf16le') return bytes.toString('utf16le');
  const swapped = Buffer.from(bytes.subarray(0, bytes.length & ~1));
  swapped.swap16();
  return swapped.toString('utf16le');
}

/** Control characters that do not occur in text (not tab, newlines, form feed, bell, backspace, ESC). */
const CONTROL = /[\x01-\x06\x0e-\x1a\x1c-\x1f\x7f]/g;
/** NUL and the CONTROL bytes: 1 where a byte is one. */
const NUL_OR_CONTROL = new Uint8Array(256);
for (const [from, to] of [[0x00, 0x06], [0x0e, 0x1a], [0x1c, 0x1f], [0x7f, 0x7f]] as const) NUL_OR_CONTROL.fill(1, from, to + 1);

/**
 * True when the bytes hold NUL or a CONTROL byte. Four bytes at a time: a word with no byte below
 * 0x20 and none equal to 0x7f (the bit tricks "has less than" and "has zero", exact as tests) is
 * passed over; in text only the words holding a line end or a tab are looked at byte by byte.
 */
export function hasNulOrControl(view: Uint8Array): boolean {
  const n = view.length;
  let i = 0;
  // Uint32Array needs an aligned start.
  while (i < n && (view.byteOffset + i) & 3) if (NUL_OR_CONTROL[view[i++]!]) return true;
  const words = new Uint32Array(view.buffer, view.byteOffset + i, (n - i) >>> 2);
  for (let k = 0; k < words.length; k++) {
    const x = words[k]!;
    const y = x ^ 0x7f7f7f7f;
    if ((((x - 0x20202020) & ~x) | ((y - 0x01010101) & ~y)) & 0x80808080) {
      const p = i + k * 4;
      if (NUL_OR_CONTROL[view[p]!]! | NUL_OR_CONTROL[view[p + 1]!]! | NUL_OR_CONTROL[view[p + 2]!]! | NUL_OR_CONTROL[view[p + 3]!]!) return true;
    }
  }
  for (let p = i + words.length * 4; p < n; p++) if (NUL_OR_CONTROL[view[p]!]) return true;
  return false;
}
/** What the UTF-8 decoder puts for each invalid byte sequence. */
const REPLACEMENT = /\uFFFD/g;

/**
 * NUL bytes, a high share of control characters, or a high share of bytes that are not UTF-8
 * together with some control characters mean this head is not a log. A log with Latin-1 or
 * GBK/Shift-JIS bytes (invalid UTF-8, but no control characters) or ANSI colours (ESC) stays text;
 * short random data without NUL (a tenth of its bytes are controls, half are not UTF-8) does not.
 */
export function looksBinary(head: Buffer): boolean {
  const n = Math.min(head.length, 8192);
  if (n === 0) return false;
  const view = head.subarray(0, n);
  // Counted by regexes over decoded views: native speed, not a JS loop per byte.
  // Most heads hold neither NUL nor another control byte: one word-wise pass says so (a scan
  // reads thousands of small logs: this was a tenth of its time as two regexes).
  if (!hasNulOrControl(view)) return isUtf8(view) ? false : legacyOrBinary(view, 0);
  const latin1 = view.toString('latin1');
  // Executables, images and UTF-16 are full of NUL bytes; a log holds a stray few (a program that
  // wrote a buffer with a NUL in it, valgrind's "points to uninitialised byte(s)" case), and must
  // not be thrown away for them.
  const nul = latin1.match(/\0/g)?.length ?? 0;
  if (nul > 64 || (nul > 2 && nul / n > 0.01) || nul / n > 0.05) return true;
  const control = (latin1.match(CONTROL)?.length ?? 0) / n;
  if (control > 0.1) return true;
  if (isUtf8(view)) return false;
  return legacyOrBinary(view, control);
}

/** A head that is not UTF-8, with this share of control bytes: binary data, or text in a legacy encoding. */
function legacyOrBinary(view: Buffer, control: number): boolean {
  // The head may cut the last character: its bytes are not counted as invalid.
  const invalid = Math.max(0, (view.toString('utf8').match(REPLACEMENT)?.length ?? 0) - 3) / view.length;
  if (invalid > 0.15 && control > 0.01) return true;
  // Mostly invalid UTF-8 without control characters: a legacy encoding (GBK, Shift-JIS, Latin-1)
  // if it has lines, else binary data.
  return invalid > 0.5 && !holdsText(view);
}

/**
 * A stretch of at least TEXT_RUN bytes holding no NUL or control character (other than tab, CR,
 * LF, form feed, ESC) and at least TEXT_RUN_LINES line ends: lines of text, in any byte encoding.
 * Random or compressed data holds no such stretch (a control byte comes every ~10 bytes).
 */
const TEXT_RUN = 512;
const TEXT_RUN_LINES = 4;
const TEXT_RUN_RE = /[^\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]{512,}/g;

/** True when the bytes hold lines of text somewhere (see TEXT_RUN). */
export function holdsText(bytes: Buffer): boolean {
  if (bytes.length < TEXT_RUN) return false;
  const s = bytes.toString('latin1');
  TEXT_RUN_RE.lastIndex = 0;
  for (let m = TEXT_RUN_RE.exec(s); m; m = TEXT_RUN_RE.exec(s)) {
    let lines = 0;
    for (let i = m[0].indexOf('\n'); i >= 0 && lines < TEXT_RUN_LINES; i = m[0].indexOf('\n', i + 1)) lines++;
    if (lines >= TEXT_RUN_LINES) return true;
  }
  return false;
}

/** Byte strings that start a crash report in any format coredx reads (searched in binary data). */
const CRASH_MARKER = /#\d+ +0x[0-9a-fA-F]+ in |frame #\d+: 0x[0-9a-fA-F]+|Program terminated with signal|received signal SIG[A-Z]+|==\d+==\s*(?:ERROR: [A-Za-z]+Sanitizer|Process terminating|Invalid (?:read|write))|\*\*\* (?:SIG[A-Z]+|Check failure stack trace)|panicked at|goroutine \d+ \[running\]|Received signal \d+/;

/** The first crash marker in the bytes (decoded as Latin-1), or null. */
export function crashMarker(bytes: Buffer): string | null {
  return CRASH_MARKER.exec(bytes.toString('latin1'))?.[0] ?? null;
}
