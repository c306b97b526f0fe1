// The crash signature: crash kind plus the top meaningful frames of the crashing thread, with
// addresses, paths and line numbers left out so rebuilds and other machines group together.
// Changing anything here or in data/signature-skip.toml changes groups: bump SIGNATURE_VERSION.

import { createHash } from 'node:crypto';
import { basename } from './glob.js';
import { isSkippedFrame } from './skip-list.js';
import type { Frame } from '../model.js';

// v3: skip list gained C++ standard-library headers, test and fuzzing harnesses, all of Go's runtime.
export const SIGNATURE_VERSION = 3;
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
  // Frames above "<signal handler called>" are the program's own crash handler (it logs, then
  // aborts); the fault happened in the frame below it.
  const handler = frames.findIndex((f) => f.function === '<signal handler called>');
  frames.forEach((frame, i) => {
    if (i <= handler || isSkippedFrame(frame)) skippedFrames.push(i);
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

function fallbackParts(frames: Frame[]): string[] {
  const modules = frames
    .filter((f) => f.module)
    .slice(0, SIGNATURE_FRAMES)
    .map((f) => `${basename(f.module!)}!${f.moduleOffset ? `+${f.moduleOffset}` : '??'}`);
  return modules.length > 0 ? modules : ['??'];
}
