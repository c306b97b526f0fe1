// Loads the signature policy (data/signature/v<SIGNATURE_VERSION>.toml) once, checks its shape and
// compiles its skip list into one predicate over frames and its [signature] table into values.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { basename, compileGlob, type GlobMatcher } from './glob.js';
import { compileGlobSet, type GlobSet } from './glob-set.js';
import { SIGNATURE_VERSION } from './signature-version.js';

export interface SkippableFrame {
  function: string;
  module: string | null;
  file: string | null;
}

interface SkipEntry {
  /** Why frames matching this entry say nothing about the bug (the policy file's reason). */
  reason: string;
  /** The entry names every function ("*"): only its locations can say a frame is machinery. */
  anyName: boolean;
  locations: PathTest[];
  /** Matchers that apply to the module only ("<executable>": the program itself, not a shared object). */
  moduleOnly: GlobMatcher[];
}

/** "<executable>" in a location group: a module that is not a shared object (.so, .dylib, .dll). */
const EXECUTABLE = '<executable>';
const isExecutable: GlobMatcher = (name) => !/\.(?:so(?:\.[\d.]+)?|dylib|dll)$/i.test(name) && !/\.so\./.test(name);

/** The policy file of the current signature version; earlier versions' files stay beside it. */
export const POLICY_FILE = fileURLToPath(new URL(`../../data/signature/v${SIGNATURE_VERSION}.toml`, import.meta.url));
const SKIP_FILE = POLICY_FILE;

/** The entries, and all their function globs as one set (each glob's entry in `owner`). */
let compiled: { entries: SkipEntry[]; functions: GlobSet; owner: number[] } | null = null;

/** The build's parse of SKIP_FILE (bench/build-validators.js), used while the TOML text is unchanged. */
export const PARSED_SKIP_FILE = fileURLToPath(new URL('./signature-skip.parsed.json', import.meta.url));

interface SkipDoc {
  version: number;
  signature: {
    frames: number;
    trampolines: string[];
    handler_names: string;
    signal_libraries: string;
    handler_dump_formats: string[];
    recursion: { max_cycle: number; repeats: number; search_frames: number };
  };
  locations: Record<string, string[]>;
  skip: { reason: string; functions: string[]; where: string[] }[];
}

/** The policy's [signature] table, compiled: what signature.ts reads instead of constants. */
export interface SignaturePolicy {
  version: number;
  frames: number;
  trampolines: ReadonlySet<string>;
  handlerName: RegExp;
  signalLibrary: RegExp;
  handlerDumpFormats: ReadonlySet<string>;
  recursion: { maxCycle: number; repeats: number; searchFrames: number };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The policy file's TOML parsed and checked: from the build's copy when the text is the same, else by the TOML parser. */
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
  return checkPolicy(TOML.parse(text), SKIP_FILE);
}

/** The policy document's shape, checked key by key: a typo or a wrong type names the file and the key. */
export function checkPolicy(doc: unknown, file: string): SkipDoc {
  const fail = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  const table = (v: unknown, key: string, keys: string[]): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(`${key} must be a table`);
    const extra = Object.keys(v).filter((k) => !keys.includes(k));
    if (extra.length) fail(`unknown key ${key === '' ? '' : `${key}.`}${extra[0]} (known: ${keys.join(', ')})`);
    return v as Record<string, unknown>;
  };
  const strings = (v: unknown, key: string) => (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x !== '') ? (v as string[]) : fail(`${key} must be a non-empty list of strings`));
  const count = (v: unknown, key: string) => (Number.isInteger(v) && (v as number) > 0 ? (v as number) : fail(`${key} must be a positive integer`));
  const regex = (v: unknown, key: string) => {
    if (typeof v !== 'string' || v === '') return fail(`${key} must be a regular expression`);
    try {
      new RegExp(v);
    } catch (err) {
      fail(`${key}: ${(err as Error).message}`);
    }
    return v;
  };
  const top = table(doc, '', ['version', 'signature', 'locations', 'skip']);
  if (top.version !== SIGNATURE_VERSION) fail(`version is ${String(top.version)}, but this is the policy file of signature version ${SIGNATURE_VERSION}`);
  const sig = table(top.signature, 'signature', ['frames', 'trampolines', 'handler_names', 'signal_libraries', 'handler_dump_formats', 'recursion']);
  const rec = table(sig.recursion, 'signature.recursion', ['max_cycle', 'repeats', 'search_frames']);
  const locations = table(top.locations, 'locations', Object.keys((top.locations as object | null) ?? {}));
  for (const [k, v] of Object.entries(locations)) strings(v, `locations.${k}`);
  if (!Array.isArray(top.skip) || top.skip.length === 0) fail('[[skip]] entries are missing');
  (top.skip as unknown[]).forEach((e, i) => {
    const entry = table(e, `skip[${i + 1}]`, ['reason', 'functions', 'where']);
    if (typeof entry.reason !== 'string' || entry.reason.trim() === '') fail(`[[skip]] entry ${i + 1} has no reason`);
    strings(entry.functions, `skip[${i + 1}].functions`);
    for (const group of strings(entry.where, `skip[${i + 1}].where`)) if (!(group in locations)) fail(`[[skip]] entry ${i + 1}: unknown location group "${group}"`);
  });
  return {
    version: top.version as number,
    signature: {
      frames: count(sig.frames, 'signature.frames'),
      trampolines: strings(sig.trampolines, 'signature.trampolines'),
      handler_names: regex(sig.handler_names, 'signature.handler_names'),
      signal_libraries: regex(sig.signal_libraries, 'signature.signal_libraries'),
      handler_dump_formats: strings(sig.handler_dump_formats, 'signature.handler_dump_formats'),
      recursion: { max_cycle: count(rec.max_cycle, 'signature.recursion.max_cycle'), repeats: count(rec.repeats, 'signature.recursion.repeats'), search_frames: count(rec.search_frames, 'signature.recursion.search_frames') },
    },
    locations: locations as Record<string, string[]>,
    skip: top.skip as SkipDoc['skip'],
  };
}

let policy: SignaturePolicy | null = null;

/** The signing algorithm's values from the policy file, compiled once. */
export function signaturePolicy(): SignaturePolicy {
  if (policy) return policy;
  const doc = parseSkipFile();
  const s = doc.signature;
  policy = {
    version: doc.version,
    frames: s.frames,
    trampolines: new Set(s.trampolines),
    handlerName: new RegExp(s.handler_names, 'i'),
    signalLibrary: new RegExp(s.signal_libraries),
    handlerDumpFormats: new Set(s.handler_dump_formats),
    recursion: { maxCycle: s.recursion.max_cycle, repeats: s.recursion.repeats, searchFrames: s.recursion.search_frames },
  };
  return policy;
}

/** What the build writes to PARSED_SKIP_FILE. */
export function builtSkipFile(): string {
  const text = readFileSync(SKIP_FILE, 'utf8');
  return JSON.stringify({ sha256: sha256(text), doc: parseSkipFile(text, false) });
}

function load(): NonNullable<typeof compiled> {
  const doc = parseSkipFile();
  const owner = doc.skip.flatMap((entry, k) => entry.functions.map(() => k));
  const functions = compileGlobSet(doc.skip.flatMap((entry) => entry.functions));
  const entries = doc.skip.map((entry): SkipEntry => {
    return {
    reason: entry.reason,
    anyName: entry.functions.includes('*'),
    locations: entry.where.flatMap((group) => {
      return doc.locations[group]!.filter((g) => g !== EXECUTABLE).map(pathTest);
    }),
    moduleOnly: entry.where.some((group) => doc.locations[group]!.includes(EXECUTABLE)) ? [isExecutable] : [],
    };
  });
  return { entries, functions, owner };
}

/** A location glob, case-insensitive, asked of a path and the path lower-cased (once per frame). */
type PathTest = (path: string, lower: string) => boolean;

/** Without `?`, a case-insensitive glob is the lower-cased glob on the lower-cased text, which is
 *  how compileGlob matches it; with `?` (a regex with the i flag), as compileGlob matches it. */
function pathTest(glob: string): PathTest {
  if (glob.includes('?')) {
    const m = compileGlob(glob, { caseInsensitive: true });
    return (path) => m(path);
  }
  const m = compileGlob(glob.toLowerCase());
  return (_path, lower) => m(lower);
}

const DEBUGGER_MARKER = /^<[^<>]*>$/;

/** Reason given for frames without a name. */
export const UNKNOWN_FRAME_REASON = 'no function name (no symbols for it)';

/** True when the frame is machinery (signal delivery, abort, allocator, start-up) or unknown. */
export function isSkippedFrame(frame: SkippableFrame): boolean {
  return skipReason(frame) !== null;
}

/** Answers by function, module and file (a log repeats the same frames in trace after trace), in
 *  nested maps: a lookup builds no key string. A missing module or file is "" (as it was in one key). */
const reasonCache = new Map<string, Map<string, Map<string, string | null>>>();
let cachedReasons = 0;
export const REASON_CACHE_LIMIT = 50_000;

/** How many answers the cache holds (for its tests). */
export function reasonCacheSize(): number {
  return cachedReasons;
}

/** Why the frame is machinery (the skip list entry's reason), or null when it may be the bug's. */
export function skipReason(frame: SkippableFrame): string | null {
  const module = frame.module ?? '';
  const file = frame.file ?? '';
  let byModule = reasonCache.get(frame.function);
  let byFile = byModule?.get(module);
  const known = byFile?.get(file);
  if (known !== undefined) return known;
  const reason = computeSkipReason(frame);
  if (cachedReasons >= REASON_CACHE_LIMIT) {
    reasonCache.clear();
    cachedReasons = 0;
    byModule = byFile = undefined;
  }
  if (!byModule) reasonCache.set(frame.function, (byModule = new Map()));
  if (!byFile) byModule.set(module, (byFile = new Map()));
  byFile.set(file, reason);
  cachedReasons++;
  return reason;
}

/** skipReason without the cache (its tests compare the two). */
export function computeSkipReason(frame: SkippableFrame): string | null {
  if (frame.function === '??' || frame.function === '') return UNKNOWN_FRAME_REASON;
  // "<signal handler called>", "<unknown>": a debugger's marker; "<T as Trait>::f" (Rust) is a name.
  if (frame.function.startsWith('<') && DEBUGGER_MARKER.test(frame.function)) return 'debugger marker, not a function';
  compiled ??= load();
  const module = frame.module ? basename(frame.module) : null;
  const moduleLower = module?.toLowerCase() ?? '';
  const file = frame.file;
  const fileLower = file?.toLowerCase() ?? '';
  const fileBase = file === null ? '' : basename(file);
  const fileBaseLower = fileBase.toLowerCase();
  // The entries naming the function, in the list's order (the first whose locations fit wins).
  let last = -1;
  for (const g of compiled.functions.matching(frame.function)) {
    const k = compiled.owner[g]!;
    if (k === last) continue;
    last = k;
    const entry = compiled.entries[k]!;
    if (module === null && frame.file === null) {
      if (entry.anyName) continue;
      return entry.reason;
    }
    if (module !== null && (entry.locations.some((m) => m(module, moduleLower)) || entry.moduleOnly.some((m) => m(module)))) return entry.reason;
    if (file !== null && entry.locations.some((m) => m(file, fileLower) || m(fileBase, fileBaseLower))) return entry.reason;
  }
  return null;
}
