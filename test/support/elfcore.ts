// Builds small ELF64 little-endian core files by hand, for what a real core of this machine cannot
// show: another architecture's register layout (AArch64), PN_XNUM program header counts, a
// general-protection SIGSEGV, deleted executables, damaged notes. Layouts follow the kernel's
// elf_prstatus / elf_prpsinfo / siginfo_t / NT_FILE, as src/core/notes.ts reads them.

export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;

export interface NoteSpec {
  name?: string;
  type: number;
  desc: Buffer;
}

export interface CoreSpec {
  machine: number;
  notes: NoteSpec[];
  /** PT_LOAD segments: [vaddr, file size]. Their bytes are zeros placed after the notes. */
  loads?: Array<[bigint, number]>;
  /** Write e_phnum = PN_XNUM and the real count in section header 0. */
  xnum?: boolean;
}

const align4 = (n: number) => (n + 3) & ~3;

function noteBytes(notes: NoteSpec[]): Buffer {
  const parts: Buffer[] = [];
  for (const n of notes) {
    const name = Buffer.from(`${n.name ?? 'CORE'}\0`, 'latin1');
    const head = Buffer.alloc(12);
    head.writeUInt32LE(name.length, 0);
    head.writeUInt32LE(n.desc.length, 4);
    head.writeUInt32LE(n.type, 8);
    parts.push(head, name, Buffer.alloc(align4(name.length) - name.length), n.desc, Buffer.alloc(align4(n.desc.length) - n.desc.length));
  }
  return Buffer.concat(parts);
}

export function buildCore(spec: CoreSpec): Buffer {
  const loads = spec.loads ?? [];
  const phnum = 1 + loads.length;
  const notes = noteBytes(spec.notes);
  const phoff = 64;
  const shoff = spec.xnum ? phoff + phnum * 56 : 0;
  const notesOff = phoff + phnum * 56 + (spec.xnum ? 64 : 0);
  let at = align4(notesOff + notes.length);
  const h = Buffer.alloc(64);
  h.write('\x7fELF', 0, 'latin1');
  h[4] = 2; // ELFCLASS64
  h[5] = 1; // little-endian
  h[6] = 1; // EV_CURRENT
  h.writeUInt16LE(4, 16); // ET_CORE
  h.writeUInt16LE(spec.machine, 18);
  h.writeUInt32LE(1, 20);
  h.writeBigUInt64LE(BigInt(phoff), 32);
  h.writeBigUInt64LE(BigInt(shoff), 40);
  h.writeUInt16LE(64, 52);
  h.writeUInt16LE(56, 54);
  h.writeUInt16LE(spec.xnum ? 0xffff : phnum, 56);
  h.writeUInt16LE(spec.xnum ? 64 : 0, 58);
  h.writeUInt16LE(spec.xnum ? 1 : 0, 60);
  const ph = Buffer.alloc(phnum * 56);
  ph.writeUInt32LE(4, 0); // PT_NOTE
  ph.writeBigUInt64LE(BigInt(notesOff), 8);
  ph.writeBigUInt64LE(BigInt(notes.length), 32);
  ph.writeBigUInt64LE(BigInt(notes.length), 40);
  ph.writeBigUInt64LE(4n, 48);
  loads.forEach(([vaddr, size], i) => {
    const o = (i + 1) * 56;
    ph.writeUInt32LE(1, o); // PT_LOAD
    ph.writeUInt32LE(6, o + 4);
    ph.writeBigUInt64LE(BigInt(at), o + 8);
    ph.writeBigUInt64LE(vaddr, o + 16);
    ph.writeBigUInt64LE(BigInt(size), o + 32);
    ph.writeBigUInt64LE(BigInt(size), o + 40);
    ph.writeBigUInt64LE(4096n, o + 48);
    at += size;
  });
  const sh = Buffer.alloc(spec.xnum ? 64 : 0);
  if (spec.xnum) sh.writeUInt32LE(phnum, 44);
  const body = Buffer.concat([h, ph, sh, notes]);
  return Buffer.concat([body, Buffer.alloc(at - body.length)]);
}

/** NT_PRSTATUS for a thread: pr_cursig, pr_pid (the LWP) and the pc/sp registers. */
export function prstatus(machine: number, lwp: number, signal: number, pc: bigint, sp: bigint): NoteSpec {
  const regs = machine === EM_AARCH64 ? 34 : 27;
  const d = Buffer.alloc(112 + regs * 8 + 8);
  d.writeInt32LE(signal, 0); // pr_info.si_signo
  d.writeInt16LE(signal, 12); // pr_cursig
  d.writeInt32LE(lwp, 32); // pr_pid
  if (machine === EM_AARCH64) {
    d.writeBigUInt64LE(sp, 112 + 31 * 8);
    d.writeBigUInt64LE(pc, 112 + 32 * 8);
  } else {
    d.writeBigUInt64LE(pc, 112 + 16 * 8); // rip
    d.writeBigUInt64LE(sp, 112 + 19 * 8); // rsp
  }
  return { type: 1, desc: d };
}

export function prpsinfo(pid: number, fname: string, args: string): NoteSpec {
  const d = Buffer.alloc(136);
  d.writeInt32LE(pid, 24);
  d.write(fname.slice(0, 15), 40, 'utf8');
  d.write(args.slice(0, 79), 56, 'utf8');
  return { type: 3, desc: d };
}

export function siginfo(signo: number, code: number, addrOrPid: bigint): NoteSpec {
  const d = Buffer.alloc(128);
  d.writeInt32LE(signo, 0);
  d.writeInt32LE(code, 8);
  d.writeBigUInt64LE(addrOrPid, 16);
  return { type: 0x53494749, desc: d };
}

/** NT_FILE with file offsets given in bytes (stored in pages, as the kernel does). */
export function fileNote(mappings: Array<{ start: bigint; end: bigint; offset: bigint; path: string }>, pageSize = 4096n): NoteSpec {
  const head = Buffer.alloc(16 + mappings.length * 24);
  head.writeBigUInt64LE(BigInt(mappings.length), 0);
  head.writeBigUInt64LE(pageSize, 8);
  mappings.forEach((m, i) => {
    head.writeBigUInt64LE(m.start, 16 + i * 24);
    head.writeBigUInt64LE(m.end, 24 + i * 24);
    head.writeBigUInt64LE(m.offset / pageSize, 32 + i * 24);
  });
  return { type: 0x46494c45, desc: Buffer.concat([head, ...mappings.map((m) => Buffer.from(`${m.path}\0`))]) };
}
