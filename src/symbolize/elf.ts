// What the symbolizer step needs to know of an executable or shared object (ELF64, little-endian:
// x86-64 and AArch64): its type (a fixed-address executable or a position-independent one), its
// load segments, its build id (.note.gnu.build-id), its .gnu_debuglink, whether it carries DWARF
// itself, where .text starts (gdb's `info sharedlibrary` prints .text's address), and its symbols
// (for `prog(main+0x1d)` frames). Read with positioned reads; a file that is not such an ELF gives
// null, never an exception.

import { closeSync, openSync, readSync } from 'node:fs';

export interface ElfSymbol {
  name: string;
  value: bigint;
  size: bigint;
}

export interface ElfInfo {
  /** ET_EXEC: addresses are the link-time ones; ET_DYN (PIE, shared object): relative to the load base. */
  type: 'exec' | 'dyn' | 'other';
  /** Hex of the GNU build id, or null. */
  buildId: string | null;
  /** The file name .gnu_debuglink names, or null. */
  debuglink: string | null;
  /** True when the file carries DWARF line or info sections of its own (built with -g, not stripped). */
  hasDebugInfo: boolean;
  /** True when it has a .symtab (not stripped). */
  hasSymtab: boolean;
  /** PT_LOAD segments: virtual address, file offset, memory size. */
  loads: { vaddr: bigint; offset: bigint; memsz: bigint }[];
  /** Address of .text, or null. */
  textAddress: bigint | null;
  /** Function and object symbols (.symtab, else .dynsym), read on first use. */
  symbols(): ElfSymbol[];
}

const SHT_SYMTAB = 2;
const SHT_NOTE = 7;
const SHT_DYNSYM = 11;
const PT_LOAD = 1;
/** Headers or tables beyond this are corruption, not a program. */
const MAX_TABLE = 64 << 20;

function readAt(fd: number, length: number, position: bigint | number): Buffer {
  const buf = Buffer.alloc(Math.max(0, Math.min(length, MAX_TABLE)));
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, Number(position) + got);
    if (n === 0) break;
    got += n;
  }
  return got === buf.length ? buf : buf.subarray(0, got);
}

const cache = new Map<string, ElfInfo | null>();

/** The ELF facts of `path` (cached per path for the process), or null when it is no ELF64 LE file. */
export function readElfInfo(path: string): ElfInfo | null {
  if (cache.has(path)) return cache.get(path)!;
  let info: ElfInfo | null = null;
  try {
    info = read(path);
  } catch {
    info = null;
  }
  if (cache.size > 256) cache.clear();
  cache.set(path, info);
  return info;
}

function read(path: string): ElfInfo | null {
  const fd = openSync(path, 'r');
  try {
    const eh = readAt(fd, 64, 0);
    if (eh.length < 64 || eh.readUInt32BE(0) !== 0x7f454c46 || eh[4] !== 2 || eh[5] !== 1) return null;
    const etype = eh.readUInt16LE(16);
    const phoff = eh.readBigUInt64LE(32);
    const shoff = eh.readBigUInt64LE(40);
    const phentsize = eh.readUInt16LE(54);
    const phnum = eh.readUInt16LE(56);
    const shentsize = eh.readUInt16LE(58);
    const shnum = eh.readUInt16LE(60);
    const shstrndx = eh.readUInt16LE(62);
    const loads: ElfInfo['loads'] = [];
    if (phoff > 0n && phentsize >= 56) {
      const ph = readAt(fd, phentsize * phnum, phoff);
      for (let i = 0; (i + 1) * phentsize <= ph.length; i++) {
        const o = i * phentsize;
        if (ph.readUInt32LE(o) !== PT_LOAD) continue;
        loads.push({ offset: ph.readBigUInt64LE(o + 8), vaddr: ph.readBigUInt64LE(o + 16), memsz: ph.readBigUInt64LE(o + 40) });
      }
    }
    const sections: { name: string; type: number; addr: bigint; offset: bigint; size: bigint; link: number; entsize: bigint }[] = [];
    if (shoff > 0n && shentsize >= 64 && shnum > 0) {
      const sh = readAt(fd, shentsize * shnum, shoff);
      const raw = [];
      for (let i = 0; (i + 1) * shentsize <= sh.length; i++) {
        const o = i * shentsize;
        raw.push({ nameOff: sh.readUInt32LE(o), type: sh.readUInt32LE(o + 4), addr: sh.readBigUInt64LE(o + 16), offset: sh.readBigUInt64LE(o + 24), size: sh.readBigUInt64LE(o + 32), link: sh.readUInt32LE(o + 40), entsize: sh.readBigUInt64LE(o + 56) });
      }
      const strtab = raw[shstrndx];
      const names = strtab ? readAt(fd, Number(strtab.size), strtab.offset) : Buffer.alloc(0);
      for (const s of raw) sections.push({ ...s, name: cString(names, s.nameOff) });
    }
    const byName = (n: string) => sections.find((s) => s.name === n);
    let buildId: string | null = null;
    for (const s of sections.filter((s) => s.type === SHT_NOTE)) {
      const data = readAt(fd, Number(s.size), s.offset);
      for (let o = 0; o + 12 <= data.length; ) {
        const namesz = data.readUInt32LE(o);
        const descsz = data.readUInt32LE(o + 4);
        const type = data.readUInt32LE(o + 8);
        const nameStart = o + 12;
        const descStart = nameStart + align4(namesz);
        if (descStart + descsz > data.length) break;
        if (type === 3 && data.toString('latin1', nameStart, nameStart + namesz).replace(/\0+$/, '') === 'GNU') buildId = data.subarray(descStart, descStart + descsz).toString('hex');
        o = descStart + align4(descsz);
      }
      if (buildId) break;
    }
    let debuglink: string | null = null;
    const link = byName('.gnu_debuglink');
    if (link) debuglink = cString(readAt(fd, Number(link.size), link.offset), 0) || null;
    // A debug file from `objcopy --only-keep-debug` keeps the section headers but not the bytes (NOBITS):
    // .debug_* sections of type PROGBITS (1) are real DWARF.
    const hasDebugInfo = sections.some((s) => (s.name === '.debug_info' || s.name === '.debug_line' || s.name === '.zdebug_info') && s.type === 1 && s.size > 0n);
    const symtab = sections.find((s) => s.type === SHT_SYMTAB && s.size > 0n);
    const dynsym = sections.find((s) => s.type === SHT_DYNSYM && s.size > 0n);
    const text = byName('.text');
    let symbols: ElfSymbol[] | null = null;
    const info: ElfInfo = {
      type: etype === 2 ? 'exec' : etype === 3 ? 'dyn' : 'other',
      buildId,
      debuglink,
      hasDebugInfo,
      hasSymtab: !!symtab,
      loads,
      textAddress: text ? text.addr : null,
      symbols: () => {
        if (symbols) return symbols;
        symbols = [];
        const table = symtab ?? dynsym;
        const strs = table ? sections[table.link] : undefined;
        if (!table || !strs) return symbols;
        let sfd: number | null = null;
        try {
          sfd = openSync(path, 'r');
          const data = readAt(sfd, Number(table.size), table.offset);
          const names = readAt(sfd, Number(strs.size), strs.offset);
          const size = Number(table.entsize) || 24;
          for (let o = 0; o + size <= data.length; o += size) {
            const kind = data[o + 4]! & 0xf;
            const shndx = data.readUInt16LE(o + 6);
            if ((kind !== 1 && kind !== 2) || shndx === 0) continue; // OBJECT or FUNC, defined
            const name = cString(names, data.readUInt32LE(o));
            if (name) symbols.push({ name, value: data.readBigUInt64LE(o + 8), size: data.readBigUInt64LE(o + 16) });
          }
        } catch {
          // unreadable now: no symbols
        } finally {
          if (sfd !== null) closeSync(sfd);
        }
        return symbols;
      },
    };
    return info;
  } finally {
    closeSync(fd);
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function cString(buf: Buffer, at: number): string {
  if (at >= buf.length) return '';
  const end = buf.indexOf(0, at);
  return buf.toString('utf8', at, end < 0 ? buf.length : end);
}

/** The link-time address of a file offset (through the PT_LOAD segment holding it), or null. */
export function vaddrOfOffset(info: ElfInfo, offset: bigint): bigint | null {
  for (const l of info.loads) if (offset >= l.offset && offset < l.offset + l.memsz) return l.vaddr + (offset - l.offset);
  return null;
}

/** The lowest PT_LOAD's link-time address minus its file offset (0 for nearly every PIE and shared object). */
export function firstLoadBias(info: ElfInfo): bigint {
  const first = [...info.loads].sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0))[0];
  return first ? first.vaddr - first.offset : 0n;
}
