// The crash signature: crash kind plus the top meaningful frames of the crashing thread, with
// addresses, paths and line numbers left out so rebuilds and other machines group together.
// The policy (how many frames, which are machinery, what a trampoline and a crash handler look
// like) is data: data/signature/v<SIGNATURE_VERSION>.toml. Changing it, or the algorithm here,
// regroups crashes: that takes a new SIGNATURE_VERSION (signature-version.ts) and policy file.

import { createHash } from 'node:crypto';
import { basename } from './glob.js';
import { signaturePolicy, skipReason, type SignaturePolicy } from './skip-list.js';
import { SIGNATURE_VERSION } from './signature-version.js';
import { WAIT_REASON } from './hang.js';
import type { Frame } from '../model.js';

export { SIGNATURE_VERSION };

export interface Signature {
  signature: string;
  signatureText: string;
  signatureFrames: string[];
  skippedFrames: number[];
  /** Each skipped frame with the reason it says nothing about the bug. */
  skipped: SkippedFrame[];
}

export interface SkippedFrame {
  frame: number;
  reason: string;
}

const HANDLER_REASON = "the program's own crash handler, above the signal frame: the fault happened below it";
const RECURSION_REASON = 'above the recursion: whatever ran when the stack ran out';
export interface SignatureOptions {
  /** Replaces the crashing thread's top frames as what the signature names (a hang signs by the
   *  waiting program frames of several threads). */
  parts?: string[];
  /** Names a crash shown without frames. */
  program?: string | null;
  /** A runtime that grows stacks itself (Go) reports an overflow at the call that asked for more,
   *  the same call every time: its leaf is kept instead of the recursion. */
  leafOfOverflow?: boolean;
  /** The program printed this stack from its own fatal-signal handler: every frame above the signal
   *  trampoline is that handler (which printed, not faulted), named or not. */
  handlerDump?: boolean;
}

/** The options a report of `format` is signed with: the one place build-report, cores and symbolizing get them. */
export function signatureOptions(format: string, program: string | null, hangParts?: string[]): SignatureOptions {
  return { ...(hangParts ? { parts: hangParts } : {}), program, leafOfOverflow: format === 'go', handlerDump: signaturePolicy().handlerDumpFormats.has(format) };
}

export function computeSignature(crashKind: string, frames: Frame[], options: SignatureOptions = {}): Signature {
  const policy = signaturePolicy();
  const skippedFrames: number[] = [];
  const skipped: SkippedFrame[] = [];
  const chosen: string[] = [];
  const reasons: (string | null)[] = frames.map((f) => skipReason(f));
  // Frames above the signal frame are usually the program's own crash handler (it logs, then
  // aborts or re-raises): the fault happened in the frame below it. A handler that shows no such
  // machinery (raise, abort, logging, allocator: the skip list, or a handler's name) faulted
  // itself, and is the bug.
  const marker = signalFrameIndex(frames, options.handlerDump ?? false);
  // A handler stuck waiting for a lock (malloc's, a logger's) is the bug itself: it called
  // something that is not async-signal-safe while the interrupted code held that lock.
  const handlerWaits = marker > 0 && WAIT_REASON.test(reasons[0] ?? '');
  const showsHandler = options.handlerDump || frames.slice(0, marker).some((f, i) => reasons[i] !== null || policy.handlerName.test(f.function));
  const handler = handlerWaits || !(marker > 0 && showsHandler) ? -1 : marker;
  const recursion = /stack-overflow/.test(crashKind) && !options.leafOfOverflow ? recursionStart(frames.map((f) => f.function), policy.recursion) : -1;
  frames.forEach((frame, i) => {
    const reason = i < handler ? HANDLER_REASON : i === handler ? 'the signal frame (trampoline)' : i < recursion ? RECURSION_REASON : (reasons[i] ?? null);
    if (reason !== null) {
      skippedFrames.push(i);
      skipped.push({ frame: i, reason });
    } else if (chosen.length < policy.frames) chosen.push(frame.function);
  });
  // A stack with no symbol at all (stripped binary) still groups by the modules it ran in, and by
  // the pc's offset inside its module when known (native core reading): two different crashes in
  // one stripped binary then stay apart, while ASLR does not split one crash.
  const parts = options.parts && options.parts.length > 0 ? options.parts.slice(0, policy.frames) : chosen.length > 0 ? chosen : fallbackParts(frames, options.program ?? null, policy.frames);
  const signatureText = [crashKind, ...parts].join(' | ');
  const digest = createHash('sha256').update(`v${SIGNATURE_VERSION}\n${crashKind}\n${parts.join('\n')}`).digest('hex');
  return { signature: `${SIGNATURE_VERSION}:${digest.slice(0, 16)}`, signatureText, signatureFrames: chosen, skippedFrames, skipped };
}

/**
 * The signal trampoline's frame, or -1: gdb's "<signal handler called>", a restorer by name, or in a
 * dump without names (backtrace_symbols, butil) the unnamed libc/libpthread frame right below
 * frames whose names say crash handler ("sigsegv_handler", "print_stacktrace"), or any frames when
 * the format is a handler's own dump.
 */
export function signalFrameIndex(frames: Frame[], handlerDump: boolean): number {
  const { trampolines, signalLibrary, handlerName } = signaturePolicy();
  const named = frames.findIndex((f) => trampolines.has(f.function));
  if (named >= 0) return named;
  // A handler's own dump may start at the trampoline itself (Redis cuts its handler's frames): the
  // first unnamed libc frame is the one, also at the top.
  for (let i = handlerDump ? 0 : 1; i < Math.min(frames.length, 6); i++) {
    const f = frames[i]!;
    if (f.function !== '??' || !f.module || !signalLibrary.test(basename(f.module))) continue;
    // In a handler's own dump the frames above are the handler whatever their names.
    return handlerDump || frames.slice(0, i).some((g) => handlerName.test(g.function)) ? i : -1;
  }
  return -1;
}

/**
 * Where a stack overflow's recursion begins, or -1. The frames above it are whatever happened to
 * run when the stack ran out, different from run to run; the recursive cycle is the bug.
 */
function recursionStart(names: string[], { maxCycle, repeats, searchFrames }: SignaturePolicy['recursion']): number {
  const n = Math.min(names.length, searchFrames);
  for (let i = 0; i < n; i++) {
    for (let len = 1; len <= maxCycle && i + len * repeats <= names.length; len++) {
      let periodic = true;
      for (let k = i + len; k < i + len * repeats && periodic; k++) periodic = names[k] === names[k - len];
      if (periodic) return i;
    }
  }
  return -1;
}

function fallbackParts(frames: Frame[], program: string | null, count: number): string[] {
  if (frames.length === 0 && program) return [`${basename(program.split(/\s+/)[0]!)}!??`];
  const modules = frames
    .filter((f) => f.module)
    .slice(0, count)
    .map((f) => `${basename(f.module!)}!${f.moduleOffset ? `+${f.moduleOffset}` : '??'}`);
  return modules.length > 0 ? modules : ['??'];
}
