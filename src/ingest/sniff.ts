// What a file is, from its first bytes: text to read, gzip to unpack, an ELF core, or binary data.

import { isUtf8 } from 'node:buffer';

export type FileKind = 'text' | 'gzip' | 'elf-core' | 'elf' | 'binary';

export const SNIFF_BYTES = 64 * 1024;

export function sniff(head: Buffer): FileKind {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 18 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) {
    // e_type at offset 16 (little- or big-endian): 4 = ET_CORE.
    const type = head[5] === 2 ? head.readUInt16BE(16) : head.readUInt16LE(16);
    return type === 4 ? 'elf-core' : 'elf';
  }
  return looksBinary(head) ? 'binary' : 'text';
}

/** Control characters that do not occur in text (not tab, newlines, form feed, bell, backspace, ESC). */
const CONTROL = /[\x01-\x06\x0e-\x1a\x1c-\x1f\x7f]/g;
/** What the UTF-8 decoder puts for each invalid byte sequence. */
const REPLACEMENT = /\uFFFD/g;

/**
 * NUL bytes, a high share of control characters, or a high share of bytes that are not UTF-8
 * (together with some control characters, or most of the head) mean this is not a log. A log
 * with some Latin-1 bytes (one invalid sequence each) or ANSI colours (ESC) stays text; short
 * random data without NUL (a tenth of its bytes are controls, half are not UTF-8) does not.
 */
export function looksBinary(head: Buffer): boolean {
  const n = Math.min(head.length, 8192);
  if (n === 0) return false;
  const view = head.subarray(0, n);
  // Counted by regexes over decoded views: native speed, not a JS loop per byte.
  const latin1 = view.toString('latin1');
  // Executables, images and UTF-16 are full of NUL bytes; a log holds a stray few (a program that
  // wrote a buffer with a NUL in it, valgrind's "points to uninitialised byte(s)" case), and must
  // not be thrown away for them.
  const nul = latin1.match(/\0/g)?.length ?? 0;
  if (nul > 64 || (nul > 2 && nul / n > 0.01) || nul / n > 0.05) return true;
  const control = (latin1.match(CONTROL)?.length ?? 0) / n;
  if (control > 0.1) return true;
  if (isUtf8(view)) return false;
  // The head may cut the last character: its bytes are not counted as invalid.
  const invalid = Math.max(0, (view.toString('utf8').match(REPLACEMENT)?.length ?? 0) - 3) / n;
  return invalid > 0.5 || (invalid > 0.15 && control > 0.01);
}
