// Clues in what the debugger printed besides the frames' names: the arguments and `bt full` locals
// of the crashing frame and its caller (a null `this`, a pointer reading 0xdeadbeef, an empty
// shared_ptr, a variable gdb could not read), the program counter, and the fault address. Pure
// functions over the crash model, used by the `values` and `pc` conditions and the template facts.

import type { Frame, Report, Thread } from '../model.js';
import { argumentText } from './pattern.js';

/** What a value can say about the crash. */
export const VALUE_KINDS = ['null', 'null-member', 'unreadable', 'stack-unreadable', 'freed-pattern', 'empty-smart-pointer'] as const;
export type ValueKind = (typeof VALUE_KINDS)[number];

export interface NamedValue {
  name: string;
  value: string;
  /** As printed: "this=0x0" for an argument, "cfg = 0x0" for a local. */
  text: string;
  where: 'argument' | 'local';
}

export interface Clue extends NamedValue {
  kind: ValueKind;
  /** Index into the thread's frames. */
  frame: number;
  /** Plain words: why this value matters. */
  why: string;
}

/**
 * Fill bytes allocators and debug runtimes write into freed (or fresh) memory: a pointer read from
 * such memory holds the pattern, often plus a small member offset.
 */
export const FILL_PATTERNS: readonly { value: bigint; label: string }[] = [
  { value: 0xdeadbeefn, label: '0xdeadbeef, a debug fill for freed or poisoned memory' },
  { value: 0xfeeefeeen, label: '0xfeeefeee, the Windows heap\'s fill for freed memory' },
  { value: 0xddddddddn, label: '0xdddddddd, the MSVC debug heap\'s fill for freed memory' },
  { value: 0x5a5a5a5an, label: '0x5a5a5a5a, jemalloc\'s junk fill for freed memory' },
  { value: 0xa5a5a5a5n, label: '0xa5a5a5a5, jemalloc\'s junk fill for fresh allocations (or a freed pattern)' },
  { value: 0xbebebeben, label: '0xbebebebe, tcmalloc\'s debug fill' },
  { value: 0xcdcdcdcdn, label: '0xcdcdcdcd, a debug allocator\'s fill (gperftools\' freed blocks, MSVC\'s uninitialized heap)' },
  // macOS' malloc under MallocScribble (and Xcode's "Malloc Scribble"): freed blocks are 0x55 bytes.
  // Only the whole pattern: a PIE address under gdb (0x555555555169) is no fill.
  { value: 0x55555555n, label: '0x55555555, macOS malloc\'s scribble fill for freed memory (MallocScribble)' },
  // The kernel's slab debugging (slub_debug=P): a freed object's bytes are POISON_FREE, 0x6b.
  { value: 0x6b6b6b6bn, label: '0x6b6b6b6b, the Linux kernel slab\'s POISON_FREE (slub_debug): a freed object' },
  // A kernel oops' fault address (class: a list entry used after list_del(), which poisons its links).
  { value: 0xdead000000000100n, label: '0xdead000000000100, the Linux kernel\'s LIST_POISON1 (0x122: LIST_POISON2): a list entry used after list_del()' },
];

const MAX_OFFSET = 0x1000n;

/** The fill pattern a value holds (with up to a page of member offset), or null. */
export function fillPattern(hex: string): string | null {
  if (!/^0x[0-9a-f]{8,16}$/i.test(hex)) return null;
  const v = BigInt(hex);
  for (const p of FILL_PATTERNS) {
    for (const full of [p.value, (p.value << 32n) | p.value]) {
      const d = v > full ? v - full : full - v;
      if (d < MAX_OFFSET) return p.label;
    }
  }
  return null;
}

/** Splits "a=1, b={x = 2, y = 3}, s=0x55 \"a, b\"" at its top-level commas. */
export function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === '\'') quote = ch;
    else if (ch === '{' || ch === '(' || ch === '[' || ch === '<') depth++;
    else if ((ch === '}' || ch === ')' || ch === ']' || ch === '>') && depth > 0) depth--;
    else if (ch === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last) out.push(last);
  return out;
}

/** "name=value" (gdb, lldb), also after the parameter's type as Microsoft's debuggers print it
 *  ("net::Session * this=0x0000000000000000", WinDbg kp's "class Buffer * buf = 0x00000000`00000000"). */
const ARGUMENT = /^(?:[^=]*?[\s*&])?([A-Za-z_$][\w$.@]*)\s*=\s*([\s\S]*)$/;
/** WinDbg splits a 64-bit value in two with a backtick. */
const WINDBG_HEX = /^0x([0-9a-fA-F]{8})`([0-9a-fA-F]{8})\b/;
/** gdb's "p=p@entry=0x0": the value at entry, the same value for the purpose of a clue. */
const AT_ENTRY = /^[A-Za-z_$][\w$]*@entry=/;

/** The arguments the debugger printed for a frame, as name and value. */
export function frameArguments(f: Frame): NamedValue[] {
  const out: NamedValue[] = [];
  for (const part of splitTopLevel(argumentText(f.rawFunction))) {
    const m = ARGUMENT.exec(part);
    if (!m) continue;
    out.push({ name: m[1]!, value: m[2]!.replace(AT_ENTRY, '').trim().replace(WINDBG_HEX, '0x$1$2'), text: part, where: 'argument' });
  }
  return out;
}

const LOCAL = /^([A-Za-z_$][\w$:<>.]*)\s+=\s+([\s\S]*)$/;

/** The `bt full` locals of a frame, as name and value. */
export function frameLocals(f: Frame): NamedValue[] {
  const out: NamedValue[] = [];
  for (const line of f.locals ?? []) {
    const m = LOCAL.exec(line.trim());
    if (m) out.push({ name: m[1]!, value: m[2]!.trim(), text: line.trim(), where: 'local' });
  }
  return out;
}

const NEAR_NULL = /^(?:\([^()]*\)\s*)?0x0*[1-9a-fA-F][0-9a-fA-F]{0,2}$/;
const NULL_VALUE = /^(?:\([^()]*\)\s*)?(?:0x0+|nullptr|NULL)(?:\s+<[^>]*>)?$/;
const SMART_EMPTY = /^(?:std::)?(?:__\d+::|__cxx11::)?(?:shared_ptr|unique_ptr|weak_ptr)<[\s\S]*?(?:\(empty\)|get\(\) = 0x0+\b|__ptr_ = (?:0x0+|nullptr)\b|= nullptr\b)/;
const NULL_MEMBER = /^\{[\s\S]*?\b([A-Za-z_]\w*) = 0x0+[,}\s]/;
const UNREADABLE_VARIABLE = /<error reading variable:? ?[^>]*?Cannot access memory at address (0x[0-9a-fA-F]+)>/;
const UNREADABLE = /<error: Cannot access memory at address (0x[0-9a-fA-F]+)>/;
const HEX = /\b0x[0-9a-fA-F]{8,16}\b/g;

/** What a printed value says, if anything: its kind and why it matters, in plain words. */
export function classifyValue(v: NamedValue, fn: string): { kind: ValueKind; why: string } | null {
  const value = v.value;
  const who = `${v.where} ${v.name} of ${fn}`;
  if (SMART_EMPTY.test(value)) return { kind: 'empty-smart-pointer', why: `${who} is an empty smart pointer: dereferencing it reads through null` };
  if (NULL_VALUE.test(value)) {
    return { kind: 'null', why: v.name === 'this' ? `${fn} was called on a null object (this is null): any member access faults at the member's offset` : `${who} is null: dereferencing it faults in the null page` };
  }
  // `this` is always a pointer: a small non-zero one (this=0x10) is null plus a member's offset, the
  // object reached through a member of a null pointer (p->member.f()). Other small values may be counts.
  if (v.name === 'this' && NEAR_NULL.test(value) && BigInt(value.match(/0x[0-9a-fA-F]+/)![0]) < 0x1000n) {
    return { kind: 'null', why: `${fn} was called on an object at ${value}, a member of a null pointer (null plus the member's offset)` };
  }
  const sv = UNREADABLE_VARIABLE.exec(value);
  if (sv) return { kind: 'stack-unreadable', why: `the debugger could not read ${who} at ${sv[1]} (its own stack slot): the stack itself is not mapped there, as when a thread runs past its stack's guard page` };
  const u = UNREADABLE.exec(value);
  if (u) return { kind: 'unreadable', why: `${who} points to unmapped memory (${u[1]}): a dangling, corrupted or uninitialized pointer` };
  for (const h of value.match(HEX) ?? []) {
    const fill = fillPattern(h);
    if (fill) return { kind: 'freed-pattern', why: `${who} holds ${h}, near ${fill}: the object was most likely read from freed memory` };
  }
  const m = NULL_MEMBER.exec(value);
  if (m && v.where === 'local') return { kind: 'null-member', why: `${who} has a null member (${m[1]} = 0x0) that may have been passed down` };
  return null;
}

/**
 * Frames worth reading values from: the first meaningful frame and the next `count - 1` frames (its
 * callers), each taken together with the callers it was inlined into.
 */
export function clueFrames(t: Thread, firstMeaningful: number, count: number): number[] {
  const out: number[] = [];
  let i = Math.max(0, firstMeaningful);
  let taken = 0;
  while (i < t.frames.length && taken < count) {
    out.push(i);
    if (!t.frames[i]!.inlined) taken++;
    i++;
  }
  return out;
}

/** findClues' answers per thread: every rule with a `values` or fault-address condition asks the same
 *  few questions of a report's crashing thread (a tenth of diagnosing a report, before). A report is
 *  diagnosed after its frames are final; the answers are read, never changed, by the callers. */
const clueCache = new WeakMap<Thread, Map<string, readonly Clue[]>>();

/** Every clue in the given frames of a thread, arguments before locals, innermost first. */
export function findClues(t: Thread, frames: number[], where: 'args' | 'locals' | 'any' = 'any'): readonly Clue[] {
  let cached = clueCache.get(t);
  if (!cached) clueCache.set(t, (cached = new Map()));
  const key = `${where}:${frames.join(',')}`;
  let clues = cached.get(key);
  if (!clues) cached.set(key, (clues = cluesIn(t, frames, where)));
  return clues;
}

function cluesIn(t: Thread, frames: number[], where: 'args' | 'locals' | 'any'): Clue[] {
  const out: Clue[] = [];
  for (const i of frames) {
    const f = t.frames[i]!;
    const values = [...(where !== 'locals' ? frameArguments(f) : []), ...(where !== 'args' ? frameLocals(f) : [])];
    for (const v of values) {
      const c = classifyValue(v, f.function === '??' ? `frame #${f.index}` : f.function);
      if (c) out.push({ ...v, ...c, frame: i });
    }
  }
  return out;
}

const TRAMPOLINES = new Set(['<signal handler called>', '__restore_rt', '_sigtramp', '__kernel_rt_sigreturn', '__sigtramp', 'sigtramp']);

/** The frame that was executing when the signal arrived: the one under the signal trampoline, else #0. */
export function faultingFrame(t: Thread): number {
  let last = -1;
  t.frames.forEach((f, i) => {
    if (TRAMPOLINES.has(f.function)) last = i;
  });
  return last >= 0 && last + 1 < t.frames.length ? last + 1 : t.frames.length > 0 ? 0 : -1;
}

/** The offset a null-page fault address gives a member access ("0x18 (24 bytes)"), or null. */
export function nullPageOffset(r: Report): string | null {
  if (!r.faultAddress || !/^0x[0-9a-f]+$/i.test(r.faultAddress)) return null;
  if (r.signal && !/^SIG(?:SEGV|BUS|ILL|FPE|TRAP)$/.test(r.signal)) return null;
  const a = BigInt(r.faultAddress);
  if (a >= 0x1000n) return null;
  return `0x${a.toString(16)} (${a} byte${a === 1n ? '' : 's'})`;
}
