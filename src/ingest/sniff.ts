// What a file is, from its first bytes: text to read, gzip to unpack, an ELF core, or binary data.


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

/** Control characters that do not occur in text (not tab, newlines, form feed, ESC). */
const CONTROL = /[\x01-\x06\x0e-\x1a\x1c-\x1f]/g;

/** NUL bytes or a high share of control characters mean this is not a log. */
export function looksBinary(head: Buffer): boolean {
  const n = Math.min(head.length, 8192);
  if (n === 0) return false;
  const view = head.subarray(0, n);
  if (view.indexOf(0) >= 0) return true;
  // Counted by a regex over the latin1 view: native speed, not a JS loop per byte.
  const control = view.toString('latin1').match(CONTROL)?.length ?? 0;
  return control / n > 0.1;
}
