// Decoding the Linux core notes coredx needs: NT_PRSTATUS (per thread: signal, LWP, pc, sp),
// NT_PRPSINFO (program name and arguments), NT_SIGINFO (signal, code, fault address), NT_FILE
// (mapped files). Layouts are those of the 64-bit kernel structures (elf_prstatus, elf_prpsinfo,
// siginfo_t, the NT_FILE table), identical on x86-64 and AArch64 except for the registers.

import type { RawNote } from './elf.js';

export const NT_PRSTATUS = 1;
export const NT_PRPSINFO = 3;
export const NT_SIGINFO = 0x53494749;
export const NT_FILE = 0x46494c45;

export interface ThreadStatus {
  lwp: number;
  /** pr_cursig: the signal the thread was stopped by (0 for the other threads of a kernel core). */
  signal: number;
  pc: bigint;
  sp: bigint;
}

export interface ProcessInfo {
  pid: number;
  fname: string;
  args: string;
}

export interface SignalInfo {
  signo: number;
  code: number;
  /** si_addr for the fault signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP); null otherwise. */
  address: bigint | null;
  /** Sender of a signal sent with kill/tgkill (si_code <= 0). */
  senderPid: number | null;
}

export interface Mapping {
  start: bigint;
  end: bigint;
  offset: bigint;
  path: string;
}

const PR_REG = 112;
const REGS = {
  // user_regs_struct: r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs eflags rsp ...
  'x86-64': { pc: 16, sp: 19, count: 27 },
  // user_pt_regs: x0..x30, sp, pc, pstate
  aarch64: { pc: 32, sp: 31, count: 34 },
} as const;

export function decodePrstatus(note: RawNote, machine: 'x86-64' | 'aarch64'): ThreadStatus | null {
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

export function decodePrpsinfo(note: RawNote): ProcessInfo | null {
  const d = note.desc;
  if (d.length < 136) return null;
  return { pid: d.readInt32LE(24), fname: cString(d.subarray(40, 56)), args: cString(d.subarray(56, 136)).trim() };
}

const FAULT_SIGNALS = new Set([4, 5, 7, 8, 11]); // SIGILL SIGTRAP SIGBUS SIGFPE SIGSEGV

export function decodeSiginfo(note: RawNote): SignalInfo | null {
  const d = note.desc;
  if (d.length < 24) return null;
  const signo = d.readInt32LE(0);
  const code = d.readInt32LE(8);
  const fromKill = code <= 0; // SI_USER, SI_TKILL, SI_QUEUE...: sent, not a fault
  return {
    signo,
    code,
    address: FAULT_SIGNALS.has(signo) && !fromKill ? d.readBigUInt64LE(16) : null,
    senderPid: fromKill ? d.readInt32LE(16) : null,
  };
}

export function decodeFileNote(note: RawNote): Mapping[] {
  const d = note.desc;
  if (d.length < 16) return [];
  const count = Number(d.readBigUInt64LE(0));
  const tableEnd = 16 + count * 24;
  if (count > 1_000_000 || tableEnd > d.length) return [];
  const mappings: Mapping[] = [];
  let s = tableEnd;
  for (let i = 0; i < count; i++) {
    const z = d.indexOf(0, s);
    if (z < 0) break;
    const o = 16 + i * 24;
    mappings.push({ start: d.readBigUInt64LE(o), end: d.readBigUInt64LE(o + 8), offset: d.readBigUInt64LE(o + 16), path: d.toString('utf8', s, z) });
    s = z + 1;
  }
  return mappings;
}
