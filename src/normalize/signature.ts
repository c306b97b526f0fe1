// The crash signature: crash kind plus the top meaningful frames of the crashing thread, with
// addresses, paths and line numbers left out so rebuilds and other machines group together.
// Changing anything here or in data/signature-skip.toml changes groups: bump SIGNATURE_VERSION.

import { createHash } from 'node:crypto';
import { basename } from './glob.js';
import { isSkippedFrame } from './skip-list.js';
import type { Frame } from '../model.js';

// v3: skip list gained C++ standard-library headers, test and fuzzing harnesses, all of Go's runtime;
// a stack overflow signs by its recursion.
// v4: frames above <signal handler called> are skipped only when they show crash-handler machinery.
// v5: skip list gained Valgrind's replacement allocator and string routines (vg_replace_*.c, vgpreload_*.so).
export const SIGNATURE_VERSION = 8;
export const SIGNATURE_FRAMES = 3;

export interface Signature {
  signature: string;
  signatureText: string;
  signatureFrames: string[];
  skippedFrames: number[];
}

export function computeSignature(crashKind: string, frames: Frame[]): Signature {
  const skippedFrames: number[] = [];
  const chosen: string[] = [];
  // Frames above "<signal handler called>" are usually the program's own crash handler (it logs,
  // then aborts or re-raises): the fault happened in the frame below it. A handler that shows no such
  // machinery (raise, abort, logging, allocator: the skip list) faulted itself, and is the bug.
  const marker = frames.findIndex((f) => f.function === '<signal handler called>');
  const handler = marker > 0 && !frames.slice(0, marker).some(isSkippedFrame) ? -1 : marker;
  const recursion = /stack-overflow/.test(crashKind) ? recursionStart(frames.map((f) => f.function)) : -1;
  frames.forEach((frame, i) => {
    if (i <= handler || i < recursion || isSkippedFrame(frame)) skippedFrames.push(i);
    else if (chosen.length < SIGNATURE_FRAMES) chosen.push(frame.function);
  });
  // A stack with no symbol at all (stripped binary) still groups by the modules it ran in, and by
  // the pc's offset inside its module when known (native core reading): two different crashes in
  // one stripped binary then stay apart, while ASLR does not split one crash.
  const parts = chosen.length > 0 ? chosen : fallbackParts(frames);
  const signatureText = [crashKind, ...parts].join(' | ');
  const digest = createHash('sha256').update(`v${SIGNATURE_VERSION}\n${crashKind}\n${parts.join('\n')}`).digest('hex');
  return { signature: `${SIGNATURE_VERSION}:${digest.slice(0, 16)}`, signatureText, signatureFrames: chosen, skippedFrames };
}

/** A run of up to this many frames repeated this many times in a row is a recursion. */
const MAX_CYCLE = 10;
const CYCLE_REPEATS = 3;
const CYCLE_SEARCH_FRAMES = 200;

/**
 * Where a stack overflow's recursion begins, or -1. The frames above it are whatever happened to
 * run when the stack ran out, different from run to run; the recursive cycle is the bug.
 */
function recursionStart(names: string[]): number {
  const n = Math.min(names.length, CYCLE_SEARCH_FRAMES);
  for (let i = 0; i < n; i++) {
    for (let len = 1; len <= MAX_CYCLE && i + len * CYCLE_REPEATS <= names.length; len++) {
      let periodic = true;
      for (let k = i + len; k < i + len * CYCLE_REPEATS && periodic; k++) periodic = names[k] === names[k - len];
      if (periodic) return i;
    }
  }
  return -1;
}

function fallbackParts(frames: Frame[]): string[] {
  const modules = frames
    .filter((f) => f.module)
    .slice(0, SIGNATURE_FRAMES)
    .map((f) => `${basename(f.module!)}!${f.moduleOffset ? `+${f.moduleOffset}` : '??'}`);
  return modules.length > 0 ? modules : ['??'];
}
