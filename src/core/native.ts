// The native reading of a core: ELF notes -> the facts a debugger would start from (signal, fault
// address, threads with their pc/sp, program, mapped files). No debugger, no symbols.

import { CoredxInputError } from '../errors.js';
import { signalNameOf } from '../parse/signals.js';
import { readElfCore, type Machine } from './elf.js';
import {
  decodeFileNote, decodePrpsinfo, decodePrstatus, decodeSiginfo,
  NT_FILE, NT_PRPSINFO, NT_PRSTATUS, NT_SIGINFO, SI_KERNEL,
  type Mapping, type ProcessInfo, type SignalInfo, type ThreadStatus,
} from './notes.js';

export interface CoreThread extends ThreadStatus {
  /** The mapped file holding the pc, or null (anonymous memory, JIT, or a wild jump). */
  module: string | null;
  moduleOffset: bigint | null;
}

export interface CoreFacts {
  path: string;
  machine: Machine;
  size: number;
  process: ProcessInfo | null;
  signal: SignalInfo | null;
  signalName: string | null;
  signalDescription: string | null;
  faultAddress: string | null;
  threads: CoreThread[];
  /** Index into threads of the one that took the signal. */
  crashed: number | null;
  mappings: Mapping[];
  /** Distinct mapped files, in address order. */
  modules: string[];
  /** The executable's path as mapped: the mapped file named like the program (NT_PRPSINFO), else
   *  the first mapped file. Without the " (deleted)" the kernel adds for a file replaced since. */
  executable: string | null;
  /** The executable was deleted or replaced after the process started (a rebuild, a deploy). */
  executableReplaced: boolean;
  warnings: string[];
}

export function readCoreFacts(path: string): CoreFacts {
  const elf = readElfCore(path);
  const warnings = [...elf.warnings];
  const statuses: ThreadStatus[] = [];
  let process: ProcessInfo | null = null;
  let signal: SignalInfo | null = null;
  let mappings: Mapping[] = [];
  let sawFile = false;
  for (const note of elf.notes) {
    if (note.name !== 'CORE') continue;
    if (note.type === NT_PRSTATUS) {
      const s = decodePrstatus(note, elf.machine);
      if (s) statuses.push(s);
      else warnings.push('a thread status note (NT_PRSTATUS) is too short to read; that thread is left out');
    } else if (note.type === NT_PRPSINFO) {
      process ??= decodePrpsinfo(note);
      if (!process) warnings.push('the process note (NT_PRPSINFO) is too short to read: program name unknown');
    } else if (note.type === NT_SIGINFO) {
      signal ??= decodeSiginfo(note);
      if (!signal) warnings.push('the signal note (NT_SIGINFO) is too short to read: fault address unknown');
    } else if (note.type === NT_FILE && !sawFile) {
      sawFile = true;
      const table = decodeFileNote(note);
      mappings = table.mappings;
      if (table.problem) warnings.push(table.problem);
    }
  }
  // A note segment holding no core note at all (zeroed or overwritten): there is nothing to report.
  if (statuses.length === 0 && !signal && !process && !sawFile) throw new CoredxInputError('core-file', `${path}: corrupt core: its note segment holds no thread, signal, process or mapped-file note (zeroed or overwritten)`);
  if (statuses.length === 0) warnings.push('no thread status (NT_PRSTATUS) notes: no threads, pc or signal per thread');
  if (!sawFile) warnings.push('no mapped-file (NT_FILE) note: modules unknown');
  const moduleOf = (pc: bigint) => mappings.find((m) => pc >= m.start && pc < m.end) ?? null;
  const threads: CoreThread[] = statuses.map((s) => {
    const m = moduleOf(s.pc);
    return { ...s, module: m?.path ?? null, moduleOffset: m ? s.pc - m.start + m.offset : null };
  });
  const signo = signal?.signo ?? statuses.find((s) => s.signal > 0)?.signal ?? null;
  let crashed: number | null = threads.findIndex((t) => signo !== null && t.signal === signo);
  if (crashed < 0) crashed = threads.length ? 0 : null;
  const modules = [...new Set(mappings.map((m) => m.path))];
  const fname = process?.fname ?? '';
  const base = (p: string) => p.replace(DELETED, '').split('/').pop()!;
  const mappedExe = (fname && modules.find((p) => base(p) === fname || (fname.length >= 15 && base(p).startsWith(fname)))) || modules[0] || null;
  const name = signo === null ? null : signalNameOf(signo);
  return {
    path,
    machine: elf.machine,
    size: elf.size,
    process,
    signal,
    signalName: name?.name ?? null,
    signalDescription: signal ? describeCode(signal, name?.description ?? null) : name?.description ?? null,
    faultAddress: signal?.address !== null && signal?.address !== undefined ? `0x${signal.address.toString(16)}` : null,
    threads,
    crashed,
    mappings,
    modules,
    executable: mappedExe ? mappedExe.replace(DELETED, '') : null,
    executableReplaced: mappedExe !== null && DELETED.test(mappedExe),
    warnings,
  };
}

/** The kernel appends this to the path of a mapped file deleted or replaced since it was mapped. */
const DELETED = / \(deleted\)$/;

const CODES: Record<number, Record<number, string>> = {
  11: { 1: 'address not mapped', 2: 'invalid permissions for mapped object', 3: 'failed address bound checks', 4: 'failed protection key checks' },
  7: { 1: 'invalid address alignment', 2: 'nonexistent physical address', 3: 'object-specific hardware error' },
  8: { 1: 'integer divide by zero', 2: 'integer overflow', 3: 'floating-point divide by zero', 4: 'floating-point overflow', 5: 'floating-point underflow', 6: 'floating-point inexact result', 7: 'invalid floating-point operation' },
  4: { 1: 'illegal opcode', 2: 'illegal operand', 3: 'illegal addressing mode', 4: 'illegal trap', 5: 'privileged opcode', 6: 'privileged register', 7: 'coprocessor error', 8: 'internal stack error' },
};

function describeCode(s: SignalInfo, base: string | null): string | null {
  const parts = base ? [base] : [];
  if (s.code <= 0) parts.push(s.code === 0 ? `sent by kill() from pid ${s.senderPid}` : s.code === -6 ? `sent by tkill()/raise() from pid ${s.senderPid}` : `sent (si_code ${s.code})`);
  else if (s.code === SI_KERNEL && (s.signo === 11 || s.signo === 7)) parts.push('general protection fault, no address reported (e.g. a non-canonical pointer)');
  else if (CODES[s.signo]?.[s.code]) parts.push(CODES[s.signo]![s.code]!);
  return parts.length ? parts.join(', ') : null;
}
