// Decoding the Linux core notes coredx needs: NT_PRSTATUS (per thread: signal, LWP, pc, sp),
// NT_PRPSINFO (program name and arguments), NT_SIGINFO (signal, code, fault address), NT_FILE
// (mapped files). Layouts are those of the 64-bit kernel structures (elf_prstatus, elf_prpsinfo,
// siginfo_t, the NT_FILE table), identical on x86-64 and AArch64 except for the registers.
// Decoders never throw: a note too short for its structure gives null (or a partial table).

import type { Machine, RawNote } from './elf.js';

export const NT_PRSTATUS = 1;
export const NT_PRPSINFO = 3;
export const NT_SIGINFO = 0x53494749;
export const NT_FILE = 0x46494c45;

export interface ThreadStatus {
  /** pr_pid: the kernel thread id (LWP). */
  lwp: number;
  /** pr_cursig: the fatal signal. The kernel (and gdb's generate-core-file) write it for every
   *  thread, the thread that took it first; 0 in a core written while nothing was pending. */
  signal: number;
  pc: bigint;
  sp: bigint;
}

export interface ProcessInfo {
  pid: number;
  /** pr_fname: the executable's name, cut to 15 bytes by the kernel. */
  fname: string;
  /** pr_psargs: the command line, arguments separated by spaces, cut to 79 bytes. */
  args: string;
}

export interface SignalInfo {
  signo: number;
  code: number;
  /** si_addr for a fault the kernel raised with an address (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
   *  SIGTRAP with si_code > 0 and not SI_KERNEL); null otherwise. */
  address: bigint | null;
  /** Sender of a signal sent with kill/tkill/sigqueue (si_code <= 0). */
  senderPid: number | null;
}

export interface Mapping {
  start: bigint;
  end: bigint;
  /** Offset into the file in bytes (the note stores it in pages). */
  offset: bigint;
  path: string;
}

export interface FileTable {
  mappings: Mapping[];
  pageSize: number;
  /** Set when the table was damaged: what could not be read. */
  problem: string | null;
}

/** Offset of pr_reg in elf_prstatus (after pr_info, pr_cursig, sigpend/hold, pids and four timevals). */
const PR_REG = 112;
const REGS: Record<Machine, { pc: number; sp: number; count: number }> = {
  // user_regs_struct: r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs eflags rsp ss ...
  'x86-64': { pc: 16, sp: 19, count: 27 },
  // user_pt_regs: x0..x30, sp, pc, pstate
  aarch64: { pc: 32, sp: 31, count: 34 },
};

export function decodePrstatus(note: RawNote, machine: Machine): ThreadStatus | null {
  const d = note.desc;
  const r = REGS[machine];
  if (d.length < PR_REG + r.count * 8) return null;
  return {
    signal: d.readInt16LE(12),
    lwp: d.readInt32LE(32),
    pc: d.readBigUInt64LE(PR_REG + r.pc * 8),
    sp: d.readBigUInt64LE(PR_REG + r.sp * 8),
  };
}

const cString = (b: Buffer) => {
  const z = b.indexOf(0);
  return b.toString('utf8', 0, z < 0 ? b.length : z);
};

/** elf_prpsinfo on 64-bit Linux: state, sname, zomb, nice, flag, uid, gid, pid, ppid, pgrp, sid, fname[16], psargs[80]. */
export function decodePrpsinfo(note: RawNote): ProcessInfo | null {
  const d = note.desc;
  if (d.length < 136) return null;
  return { pid: d.readInt32LE(24), fname: cString(d.subarray(40, 56)), args: cString(d.subarray(56, 136)).trim() };
}

const FAULT_SIGNALS = new Set([4, 5, 7, 8, 11]); // SIGILL SIGTRAP SIGBUS SIGFPE SIGSEGV
/** si_code of a fault the kernel raised without an address (x86-64: general protection, e.g. a non-canonical pointer). */
export const SI_KERNEL = 0x80;

export function decodeSiginfo(note: RawNote): SignalInfo | null {
  const d = note.desc;
  if (d.length < 24) return null;
  const signo = d.readInt32LE(0);
  const code = d.readInt32LE(8);
  const sent = code <= 0; // SI_USER, SI_QUEUE, SI_TKILL...: sent by a process, not a fault
  return {
    signo,
    code,
    address: FAULT_SIGNALS.has(signo) && !sent && code !== SI_KERNEL ? d.readBigUInt64LE(16) : null,
    senderPid: sent ? d.readInt32LE(16) : null,
  };
}

/** NT_FILE: count, page size, count x {start, end, file offset in pages}, then count NUL-terminated paths. */
export function decodeFileNote(note: RawNote): FileTable {
  const d = note.desc;
  if (d.length < 16) return { mappings: [], pageSize: 0, problem: 'the mapped-file note (NT_FILE) is too short' };
  const count = d.readBigUInt64LE(0);
  const pageSize = d.readBigUInt64LE(8);
  const fits = count <= BigInt(Math.floor((d.length - 16) / 24));
  if (!fits) return { mappings: [], pageSize: 0, problem: `the mapped-file note (NT_FILE) claims ${count} mappings but holds at most ${Math.floor((d.length - 16) / 24)}` };
  const validPage = pageSize > 0n && pageSize <= 1n << 30n && (pageSize & (pageSize - 1n)) === 0n;
  const n = Number(count);
  const tableEnd = 16 + n * 24;
  const mappings: Mapping[] = [];
  let s = tableEnd;
  for (let i = 0; i < n; i++) {
    const z = d.indexOf(0, s);
    if (z < 0) break;
    const o = 16 + i * 24;
    const start = d.readBigUInt64LE(o);
    const end = d.readBigUInt64LE(o + 8);
    const pages = d.readBigUInt64LE(o + 16);
    if (end > start) mappings.push({ start, end, offset: validPage ? pages * pageSize : 0n, path: d.toString('utf8', s, z) });
    s = z + 1;
  }
  const problems: string[] = [];
  if (!validPage) problems.push(`its page size ${pageSize} is not valid, so file offsets are unknown`);
  if (mappings.length < n) problems.push(`${n - mappings.length} of its ${n} entries are damaged or lack a path`);
  return { mappings, pageSize: validPage ? Number(pageSize) : 0, problem: problems.length ? `the mapped-file note (NT_FILE) is damaged: ${problems.join('; ')}` : null };
}
