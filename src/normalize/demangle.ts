// Demangling of Itanium C++ names ("_ZN6ingest3runEi" -> "ingest::run(int)") with binutils' c++filt,
// as a service outside the parsers: a parser leaves a name as the tool printed it and marks the frame
// (`ParsedFrame.mangled`); the pipeline demangles the marked frames of a batch of traces with one
// c++filt process before the traces become reports. Names are cached (bounded): a scan meets the
// same crash many times. Without c++filt (not installed, failing) names stay as printed.
//
//   demangleNames(names)        async, one c++filt for the whole batch   -> Map<name, demangled>
//   demangleNamesSync(names)    the same, synchronous (for analyze(text))
//   demangleTraces(traces)      async: the marked frames of parsed traces, in place
//   demangleTracesSync(traces)  synchronous variant

import { spawn, spawnSync } from 'node:child_process';
import type { ParsedFrame, ParsedTrace } from '../parse/types.js';

import { isMangled } from '../parse/backtrace-symbols.js';
export { isMangled };

/** Names demangled so far, oldest first (a Map keeps insertion order). */
const cache = new Map<string, string>();
/** Entries the cache holds at most; the oldest go first. */
export const DEMANGLE_CACHE_LIMIT = 50_000;
/** How long one c++filt may take for a batch. */
const TIMEOUT_MS = 5000;

/** Whether c++filt ran: null until tried, false once it was missing or failed (not tried again). */
let available: boolean | null = null;
/** The program run; tests point it elsewhere (setDemangler). */
let program = 'c++filt';

/** Tests: use another program (a missing one to see names stay as printed); resets the cache. */
export function setDemangler(command: string): void {
  program = command;
  available = null;
  cache.clear();
}

function remember(names: readonly string[], out: readonly string[]): void {
  const overflow = cache.size + names.length - DEMANGLE_CACHE_LIMIT;
  if (overflow > 0) {
    let n = overflow;
    for (const key of cache.keys()) {
      if (n-- <= 0) break;
      cache.delete(key);
    }
  }
  names.forEach((name, i) => cache.set(name, out[i] || name));
}

/** The distinct names not cached yet, or none when c++filt is known to be missing. */
function unknownOf(names: Iterable<string>): string[] {
  if (available === false) return [];
  const unknown = new Set<string>();
  for (const n of names) if (!cache.has(n)) unknown.add(n);
  return [...unknown];
}

function answer(names: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of names) out.set(n, cache.get(n) ?? n);
  return out;
}

/** Demangles names with one c++filt for the batch; each name maps to itself when it cannot be. */
export async function demangleNames(names: Iterable<string>): Promise<Map<string, string>> {
  const all = [...names];
  const unknown = unknownOf(all);
  if (unknown.length > 0) {
    const out = await runFilter(unknown);
    if (out === null) available = false;
    else {
      available = true;
      remember(unknown, out);
    }
  }
  return answer(all);
}

/** demangleNames for a synchronous caller (analyze(text)): the same batch, cache and fallback. */
export function demangleNamesSync(names: Iterable<string>): Map<string, string> {
  const all = [...names];
  const unknown = unknownOf(all);
  if (unknown.length > 0) {
    const r = spawnSync(program, [], { input: unknown.join('\n') + '\n', encoding: 'utf8', timeout: TIMEOUT_MS, windowsHide: true });
    if (r.error || r.status !== 0) available = false;
    else {
      available = true;
      remember(unknown, r.stdout.split('\n'));
    }
  }
  return answer(all);
}

/** c++filt's output lines for `names` (one per line), or null when it could not run. */
function runFilter(names: readonly string[]): Promise<string[] | null> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (out: string[] | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(out);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(program, [], { stdio: ['pipe', 'pipe', 'ignore'], windowsHide: true });
    } catch {
      return finish(null);
    }
    const timer = setTimeout(() => {
      child.kill();
      finish(null);
    }, TIMEOUT_MS);
    const chunks: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', () => finish(null));
    child.stdin!.on('error', () => finish(null));
    child.on('close', (code) => finish(code === 0 ? Buffer.concat(chunks).toString('utf8').split('\n') : null));
    child.stdin!.end(names.join('\n') + '\n');
  });
}

/** The frames of these traces a parser marked as still mangled. */
function markedFrames(traces: Iterable<ParsedTrace>): ParsedFrame[] {
  const frames: ParsedFrame[] = [];
  for (const t of traces) for (const th of t.threads) for (const f of th.frames) if (f.mangled) frames.push(f);
  return frames;
}

function apply(frames: readonly ParsedFrame[], names: Map<string, string>): void {
  for (const f of frames) {
    f.rawFunction = names.get(f.rawFunction) ?? f.rawFunction;
    delete f.mangled;
  }
}

/**
 * Demangles, in place, the frames of parsed traces their parser marked `mangled` (one c++filt for
 * all of them), before the traces become reports: names, the signature and the rules then see the
 * C++ names. Frames whose name c++filt cannot read keep it as printed.
 */
export async function demangleTraces(traces: Iterable<ParsedTrace>): Promise<void> {
  const frames = markedFrames(traces);
  if (frames.length === 0) return;
  apply(frames, await demangleNames(frames.map((f) => f.rawFunction)));
}

/** demangleTraces for the synchronous entry point (analyze(text)). */
export function demangleTracesSync(traces: Iterable<ParsedTrace>): void {
  const frames = markedFrames(traces);
  if (frames.length === 0) return;
  apply(frames, demangleNamesSync(frames.map((f) => f.rawFunction)));
}
