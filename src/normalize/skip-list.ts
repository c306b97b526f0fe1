// Loads data/signature-skip.toml once and compiles it into one predicate over frames.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import TOML from '@iarna/toml';
import { basename, compileGlob, type GlobMatcher } from './glob.js';

export interface SkippableFrame {
  function: string;
  module: string | null;
  file: string | null;
}

interface SkipEntry {
  /** Why frames matching this entry say nothing about the bug (data/signature-skip.toml). */
  reason: string;
  functions: GlobMatcher[];
  /** The entry names every function ("*"): only its locations can say a frame is machinery. */
  anyName: boolean;
  locations: GlobMatcher[];
}

const SKIP_FILE = fileURLToPath(new URL('../../data/signature-skip.toml', import.meta.url));

let compiled: SkipEntry[] | null = null;

function load(): SkipEntry[] {
  const doc = TOML.parse(readFileSync(SKIP_FILE, 'utf8')) as unknown as {
    locations: Record<string, string[]>;
    skip: { reason?: string; functions: string[]; where: string[] }[];
  };
  return doc.skip.map((entry, i) => {
    if (typeof entry.reason !== 'string' || entry.reason.trim() === '') throw new Error(`${SKIP_FILE}: [[skip]] entry ${i + 1} has no reason`);
    return {
    reason: entry.reason,
    functions: entry.functions.map((f) => compileGlob(f)),
    anyName: entry.functions.includes('*'),
    locations: entry.where.flatMap((group) => {
      const globs = doc.locations[group];
      if (!globs) throw new Error(`${SKIP_FILE}: unknown location group "${group}"`);
      return globs.map((g) => compileGlob(g, { caseInsensitive: true }));
    }),
    };
  });
}

const DEBUGGER_MARKER = /^<[^<>]*>$/;

/** Reason given for frames without a name. */
export const UNKNOWN_FRAME_REASON = 'no function name (no symbols for it)';

/** True when the frame is machinery (signal delivery, abort, allocator, start-up) or unknown. */
export function isSkippedFrame(frame: SkippableFrame): boolean {
  return skipReason(frame) !== null;
}

/** Why the frame is machinery (the skip list entry's reason), or null when it may be the bug's. */
export function skipReason(frame: SkippableFrame): string | null {
  if (frame.function === '??' || frame.function === '') return UNKNOWN_FRAME_REASON;
  // "<signal handler called>", "<unknown>": a debugger's marker; "<T as Trait>::f" (Rust) is a name.
  if (frame.function.startsWith('<') && DEBUGGER_MARKER.test(frame.function)) return 'debugger marker, not a function';
  compiled ??= load();
  const module = frame.module ? basename(frame.module) : null;
  for (const entry of compiled) {
    if (!entry.functions.some((m) => m(frame.function))) continue;
    if (module === null && frame.file === null) {
      if (entry.anyName) continue;
      return entry.reason;
    }
    if (module !== null && entry.locations.some((m) => m(module))) return entry.reason;
    if (frame.file !== null && entry.locations.some((m) => m(frame.file!) || m(basename(frame.file!)))) return entry.reason;
  }
  return null;
}
