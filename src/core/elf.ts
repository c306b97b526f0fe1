// ELF64 little-endian core files: the header, the program headers and the PT_NOTE segments, read
// with positioned reads on one descriptor. Nothing else of the file is touched, so a core of many
// gigabytes costs a few kilobytes of I/O.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CoredxInputError } from '../errors.js';

export const MACHINES: Record<number, 'x86-64' | 'aarch64'> = { 62: 'x86-64', 183: 'aarch64' };
const PT_NOTE = 4;
const PT_LOAD = 1;
/** Notes of a real core are kilobytes to a few MB (NT_FILE of a big process); more means corruption. */
const MAX_NOTES_BYTES = 64 << 20;

export interface RawNote {
  name: string;
  type: number;
  desc: Buffer;
}

export interface ElfCore {
  machine: 'x86-64' | 'aarch64';
  size: number;
  notes: RawNote[];
  loadSegments: number;
  /** Problems that did not stop the reading (a truncated note segment, a note cut short). */
  warnings: string[];
}

function readAt(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}

export function readElfCore(path: string): ElfCore {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const bad = (why: string) => new CoredxInputError('core-file', `${path}: ${why}`);
    const h = readAt(fd, 64, 0);
    if (h.length < 64 || h.readUInt32BE(0) !== 0x7f454c46) throw bad('not an ELF file (or truncated before its header)');
    if (h[4] !== 2) throw bad('32-bit ELF cores are not supported (only ELF64)');
    if (h[5] !== 1) throw bad('big-endian ELF cores are not supported (only little-endian)');
    if (h.readUInt16LE(16) !== 4) throw bad(`not a core file (ELF type ${h.readUInt16LE(16)}, expected ET_CORE)`);
    const machineId = h.readUInt16LE(18);
    const machine = MACHINES[machineId];
    if (!machine) throw bad(`core of an unsupported architecture (e_machine ${machineId}); coredx reads x86-64 and AArch64 cores`);
    const phoff = Number(h.readBigUInt64LE(32));
    const phentsize = h.readUInt16LE(54);
    const phnum = h.readUInt16LE(56);
    if (phentsize < 56 || phnum === 0 || phoff + phnum * phentsize > size) throw bad('program headers missing or beyond the end of the file (truncated or corrupt core)');
    const ph = readAt(fd, phnum * phentsize, phoff);
    const warnings: string[] = [];
    const notes: RawNote[] = [];
    let loadSegments = 0;
    for (let i = 0; i < phnum; i++) {
      const o = i * phentsize;
      const type = ph.readUInt32LE(o);
      if (type === PT_LOAD) loadSegments++;
      if (type !== PT_NOTE) continue;
      const offset = Number(ph.readBigUInt64LE(o + 8));
      const filesz = Number(ph.readBigUInt64LE(o + 32));
      if (filesz > MAX_NOTES_BYTES) throw bad(`note segment of ${filesz} bytes is implausible (corrupt core)`);
      if (offset >= size) {
        warnings.push('the note segment lies beyond the end of the file (truncated core)');
        continue;
      }
      const data = readAt(fd, Math.min(filesz, size - offset), offset);
      if (data.length < filesz) warnings.push(`the note segment is cut short (${data.length} of ${filesz} bytes; truncated core)`);
      parseNotes(data, notes, warnings);
    }
    if (notes.length === 0) throw bad(warnings[0] ?? 'no notes in the core (corrupt core)');
    return { machine, size, notes, loadSegments, warnings };
  } finally {
    closeSync(fd);
  }
}

const align4 = (n: number) => (n + 3) & ~3;

function parseNotes(data: Buffer, out: RawNote[], warnings: string[]): void {
  let at = 0;
  while (at + 12 <= data.length) {
    const namesz = data.readUInt32LE(at);
    const descsz = data.readUInt32LE(at + 4);
    const type = data.readUInt32LE(at + 8);
    const nameStart = at + 12;
    const descStart = nameStart + align4(namesz);
    const end = descStart + align4(descsz);
    if (namesz > 256 || descStart + descsz > data.length) {
      warnings.push(`note ${out.length + 1} is damaged or cut short; later notes were not read`);
      return;
    }
    const name = data.toString('latin1', nameStart, nameStart + namesz).replace(/\0+$/, '');
    out.push({ name, type, desc: data.subarray(descStart, descStart + descsz) });
    at = end;
  }
}
