// Loads data/signature-skip.toml once and compiles it into one predicate over frames.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
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
  /** Matchers that apply to the module only ("<executable>": the program itself, not a shared object). */
  moduleOnly: GlobMatcher[];
}

/** "<executable>" in a location group: a module that is not a shared object (.so, .dylib, .dll). */
const EXECUTABLE = '<executable>';
const isExecutable: GlobMatcher = (name) => !/\.(?:so(?:\.[\d.]+)?|dylib|dll)$/i.test(name) && !/\.so\./.test(name);

const SKIP_FILE = fileURLToPath(new URL('../../data/signature-skip.toml', import.meta.url));

let compiled: SkipEntry[] | null = null;

/** The build's parse of SKIP_FILE (bench/build-validators.js), used while the TOML text is unchanged. */
export const PARSED_SKIP_FILE = fileURLToPath(new URL('./signature-skip.parsed.json', import.meta.url));

interface SkipDoc {
  locations: Record<string, string[]>;
  skip: { reason?: string; functions: string[]; where: string[] }[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The skip list's TOML parsed: from the build's copy when the text is the same, else by the TOML parser. */
export function parseSkipFile(text: string = readFileSync(SKIP_FILE, 'utf8'), useBuilt = true): SkipDoc {
  if (useBuilt) {
    try {
      const built = JSON.parse(readFileSync(PARSED_SKIP_FILE, 'utf8')) as { sha256: string; doc: SkipDoc };
      if (built.sha256 === sha256(text)) return built.doc;
    } catch {
      // Not built (running from the sources) or unreadable: parse the TOML.
    }
  }
  // @iarna/toml is CommonJS: required here, so a process that has the built copy never loads it.
  const TOML = createRequire(import.meta.url)('@iarna/toml') as { parse(text: string): unknown };
  return TOML.parse(text) as SkipDoc;
}

/** What the build writes to PARSED_SKIP_FILE. */
export function builtSkipFile(): string {
  const text = readFileSync(SKIP_FILE, 'utf8');
  return JSON.stringify({ sha256: sha256(text), doc: parseSkipFile(text, false) });
}

function load(): SkipEntry[] {
  const doc = parseSkipFile();
  return doc.skip.map((entry, i) => {
    if (typeof entry.reason !== 'string' || entry.reason.trim() === '') throw new Error(`${SKIP_FILE}: [[skip]] entry ${i + 1} has no reason`);
    return {
    reason: entry.reason,
    functions: entry.functions.map((f) => compileGlob(f)),
    anyName: entry.functions.includes('*'),
    locations: entry.where.flatMap((group) => {
      const globs = doc.locations[group];
      if (!globs) throw new Error(`${SKIP_FILE}: unknown location group "${group}"`);
      return globs.filter((g) => g !== EXECUTABLE).map((g) => compileGlob(g, { caseInsensitive: true }));
    }),
    moduleOnly: entry.where.some((group) => doc.locations[group]!.includes(EXECUTABLE)) ? [isExecutable] : [],
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

/** Answers by (function, module, file): a log repeats the same frames in trace after trace. */
const reasonCache = new Map<string, string | null>();
const REASON_CACHE_LIMIT = 50_000;

/** Why the frame is machinery (the skip list entry's reason), or null when it may be the bug's. */
export function skipReason(frame: SkippableFrame): string | null {
  const key = `${frame.function}\0${frame.module ?? ''}\0${frame.file ?? ''}`;
  const known = reasonCache.get(key);
  if (known !== undefined) return known;
  const reason = computeSkipReason(frame);
  if (reasonCache.size >= REASON_CACHE_LIMIT) reasonCache.clear();
  reasonCache.set(key, reason);
  return reason;
}

function computeSkipReason(frame: SkippableFrame): string | null {
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
    if (module !== null && (entry.locations.some((m) => m(module)) || entry.moduleOnly.some((m) => m(module)))) return entry.reason;
    if (frame.file !== null && entry.locations.some((m) => m(frame.file!) || m(basename(frame.file!)))) return entry.reason;
  }
  return null;
}
