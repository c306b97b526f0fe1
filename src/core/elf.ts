// ELF64 little-endian core files: the header, the program headers and the PT_NOTE segments, read
// with positioned reads on one descriptor. Nothing else of the file is touched, so a core of many
// gigabytes costs a few kilobytes of I/O. Every offset and size is checked against the file before
// it is used: a truncated or corrupt core gives a CoredxInputError (one line) or, when the notes
// are partly readable, what could be read plus warnings.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CoredxInputError } from '../errors.js';

export type Machine = 'x86-64' | 'aarch64';

export const MACHINES: Record<number, Machine> = { 62: 'x86-64', 183: 'aarch64' };

/** e_machine values a user may meet, for the message about a core coredx does not read. */
const OTHER_MACHINES: Record<number, string> = {
  3: 'x86 (32-bit)', 8: 'MIPS', 20: 'PowerPC', 21: 'PowerPC64', 22: 's390', 40: 'ARM (32-bit)',
  43: 'SPARC V9', 50: 'IA-64', 243: 'RISC-V', 258: 'LoongArch',
};

const ET_CORE = 4;
const PT_LOAD = 1;
const PT_NOTE = 4;
/** e_phnum value meaning "more than 65534 program headers; the count is in section header 0". */
const PN_XNUM = 0xffff;
const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
/** Notes of a real core are kilobytes to a few MB (NT_FILE of a big process); more means corruption. */
const MAX_NOTES_BYTES = 64 << 20;
/** A program header table beyond this (over a million segments) is corruption, not a process. */
const MAX_PHDR_TABLE_BYTES = 64 << 20;

export interface RawNote {
  name: string;
  type: number;
  desc: Buffer;
}

export interface ElfCore {
  machine: Machine;
  /** Size of the file in bytes. */
  size: number;
  notes: RawNote[];
  /** Number of PT_LOAD segments (memory the core holds). */
  loadSegments: number;
  /** Bytes the PT_LOAD segments occupy in the file when the core is complete (their furthest end). */
  expectedSize: number;
  /** Problems that did not stop the reading (a truncated note segment, a note cut short). */
  warnings: string[];
}

/** Reads `length` bytes at `position` (fewer at the end of the file). */
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

/** A 64-bit file offset or size as a number, or Infinity when it cannot be a real one. */
function u64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(v);
}

/** Reads the header, program headers and notes of an ELF64 little-endian x86-64/AArch64 core. */
export function readElfCore(path: string): ElfCore {
  const fd = openSync(path, 'r');
  try {
    return readElfCoreFd(fd, fstatSync(fd).size, path);
  } finally {
    closeSync(fd);
  }
}

function readElfCoreFd(fd: number, size: number, path: string): ElfCore {
  const bad = (why: string) => new CoredxInputError('core-file', `${path}: ${why}`);
  const h = readAt(fd, EHDR_SIZE, 0);
  if (h.length < 4 || h.readUInt32BE(0) !== 0x7f454c46) throw bad('not an ELF file');
  if (h.length < EHDR_SIZE) throw bad(`truncated core: the file ends inside the ELF header (${h.length} of ${EHDR_SIZE} bytes)`);
  if (h[4] === 1) throw bad('32-bit ELF core; coredx reads 64-bit (ELF64) cores only');
  if (h[4] !== 2) throw bad(`corrupt ELF header (class byte ${h[4]})`);
  if (h[5] === 2) {
    // A little-endian core whose byte-order byte was damaged reads as ET_CORE of a known machine in
    // little-endian order (a real big-endian core's type and machine read byte-swapped that way).
    const machine = MACHINES[h.readUInt16LE(18)];
    if (h.readUInt16LE(16) === ET_CORE && machine && h.readUInt16BE(16) !== ET_CORE) {
      throw bad(`corrupt ELF header: its byte-order byte says big-endian, but the header reads as a little-endian ${machine} core (a damaged core)`);
    }
    throw bad('big-endian ELF core; coredx reads little-endian cores only');
  }
  if (h[5] !== 1) throw bad(`corrupt ELF header (data encoding byte ${h[5]})`);
  const type = h.readUInt16LE(16);
  if (type !== ET_CORE) throw bad(`not a core file (ELF type ${type}, expected ${ET_CORE}, ET_CORE)`);
  const machineId = h.readUInt16LE(18);
  const machine = MACHINES[machineId];
  if (!machine) {
    const name = OTHER_MACHINES[machineId];
    throw bad(`core of an unsupported architecture (${name ? `${name}, ` : ''}e_machine ${machineId}); coredx reads x86-64 and AArch64 cores`);
  }

  const phoff = u64(h, 32);
  const phentsize = h.readUInt16LE(54);
  let phnum = h.readUInt16LE(56);
  if (phnum === PN_XNUM) phnum = extendedPhnum(fd, h, size, bad);
  if (phnum === 0) throw bad('corrupt core: no program headers');
  if (phentsize < PHDR_SIZE || phentsize > 1024) throw bad(`corrupt core: program header size ${phentsize} (expected ${PHDR_SIZE})`);
  const tableBytes = phnum * phentsize;
  if (tableBytes > MAX_PHDR_TABLE_BYTES) throw bad(`corrupt core: ${phnum} program headers is implausible`);
  if (phoff < EHDR_SIZE || phoff + tableBytes > size) {
    throw bad(phoff >= size || phoff < EHDR_SIZE ? 'truncated or corrupt core: the program headers lie outside the file' : 'truncated core: the file ends inside the program headers');
  }
  const ph = readAt(fd, tableBytes, phoff);

  const warnings: string[] = [];
  const notes: RawNote[] = [];
  let loadSegments = 0;
  let expectedSize = 0;
  let noteSegments = 0;
  for (let i = 0; i < phnum; i++) {
    const o = i * phentsize;
    const ptype = ph.readUInt32LE(o);
    const offset = u64(ph, o + 8);
    const filesz = u64(ph, o + 32);
    if (ptype === PT_LOAD) {
      loadSegments++;
      if (filesz > 0) expectedSize = Math.max(expectedSize, offset + filesz);
      continue;
    }
    if (ptype !== PT_NOTE) continue;
    noteSegments++;
    if (filesz > MAX_NOTES_BYTES) {
      warnings.push(`note segment ${noteSegments} claims ${filesz} bytes, which is implausible (corrupt core); it was not read`);
      continue;
    }
    if (offset >= size) {
      warnings.push(`note segment ${noteSegments} lies beyond the end of the file (truncated core)`);
      continue;
    }
    const data = readAt(fd, Math.min(filesz, size - offset), offset);
    if (data.length < filesz) warnings.push(`note segment ${noteSegments} is cut short (${data.length} of ${filesz} bytes; truncated core)`);
    const align = ph.readBigUInt64LE(o + 48) === 8n ? 8 : 4;
    parseNotes(data, align, notes, warnings);
  }
  if (noteSegments === 0) throw bad('corrupt core: no note segment (PT_NOTE), so no threads, signal or mapped files');
  if (notes.length === 0) throw bad(`no readable notes: ${warnings[0] ?? 'the note segment is empty'}`);
  if (expectedSize > size) {
    warnings.push(`the core is truncated: its memory segments need ${expectedSize} bytes, the file has ${size} (a size limit such as ulimit -c, a full disk or an interrupted copy); a debugger may show incomplete stacks`);
  }
  return { machine, size, notes, loadSegments, expectedSize, warnings };
}

/** With PN_XNUM, the real program header count is sh_info of section header 0. */
function extendedPhnum(fd: number, h: Buffer, size: number, bad: (why: string) => Error): number {
  const shoff = u64(h, 40);
  if (shoff < EHDR_SIZE || shoff + SHDR_SIZE > size) throw bad('corrupt core: extended program header count (PN_XNUM) without a readable section header 0');
  const sh = readAt(fd, SHDR_SIZE, shoff);
  return sh.readUInt32LE(44);
}

const alignTo = (n: number, a: number) => Math.ceil(n / a) * a;

/** Splits a note segment into notes; stops with a warning at the first damaged one. */
function parseNotes(data: Buffer, align: number, out: RawNote[], warnings: string[]): void {
  let at = 0;
  while (at + 12 <= data.length) {
    const namesz = data.readUInt32LE(at);
    const descsz = data.readUInt32LE(at + 4);
    const type = data.readUInt32LE(at + 8);
    const nameStart = at + 12;
    const descStart = nameStart + alignTo(namesz, align);
    if (namesz > 256 || descStart + descsz > data.length) {
      warnings.push(`note ${out.length + 1} is damaged or cut short; it and the notes after it were not read`);
      return;
    }
    const name = data.toString('latin1', nameStart, nameStart + namesz).replace(/\0+$/, '');
    out.push({ name, type, desc: data.subarray(descStart, descStart + descsz) });
    at = descStart + alignTo(descsz, align);
  }
}
