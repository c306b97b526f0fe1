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
    skip: { functions: string[]; where: string[] }[];
  };
  return doc.skip.map((entry) => ({
    functions: entry.functions.map((f) => compileGlob(f)),
    anyName: entry.functions.includes('*'),
    locations: entry.where.flatMap((group) => {
      const globs = doc.locations[group];
      if (!globs) throw new Error(`${SKIP_FILE}: unknown location group "${group}"`);
      return globs.map((g) => compileGlob(g, { caseInsensitive: true }));
    }),
  }));
}

/** True when the frame is machinery (signal delivery, abort, allocator, start-up) or unknown. */
export function isSkippedFrame(frame: SkippableFrame): boolean {
  if (frame.function === '??' || frame.function.startsWith('<')) return true;
  compiled ??= load();
  const module = frame.module ? basename(frame.module) : null;
  for (const entry of compiled) {
    if (!entry.functions.some((m) => m(frame.function))) continue;
    if (module === null && frame.file === null) {
      if (entry.anyName) continue;
      return true;
    }
    if (module !== null && entry.locations.some((m) => m(module))) return true;
    if (frame.file !== null && entry.locations.some((m) => m(frame.file!) || m(basename(frame.file!)))) return true;
  }
  return false;
}
