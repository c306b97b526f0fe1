// The installed symbolizer, and one run of it per module: llvm-symbolizer (addresses on stdin),
// elfutils' eu-addr2line or binutils' addr2line (addresses as arguments, in chunks), whichever is on
// PATH first in that order. Each returns, per address, the frames at it innermost first (inlined
// calls first, the real function last), or null when it knows nothing of the address.

import { execFile } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type SymbolizerName = 'llvm-symbolizer' | 'eu-addr2line' | 'addr2line';

export interface Symbolizer {
  name: SymbolizerName;
  /** The program to run. */
  path: string;
}

export interface SymbolizedFrame {
  function: string | null;
  file: string | null;
  line: number | null;
  column: number | null;
}

/** Addresses one process is given at most (arguments stay far below the kernel's limit). */
const CHUNK = 500;
const TIMEOUT_MS = 60_000;

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first symbolizer on PATH (`llvm-symbolizer`, a versioned `llvm-symbolizer-N`, `eu-addr2line`, `addr2line`), or null. */
export function findSymbolizer(path: string = process.env.PATH ?? ''): Symbolizer | null {
  const dirs = path.split(delimiter).filter(Boolean);
  const find = (name: string) => dirs.map((d) => join(d, name)).find(executable) ?? null;
  const llvm = find('llvm-symbolizer') ?? versionedLlvm(dirs);
  if (llvm) return { name: 'llvm-symbolizer', path: llvm };
  for (const name of ['eu-addr2line', 'addr2line'] as const) {
    const p = find(name);
    if (p) return { name, path: p };
  }
  return null;
}

/** Debian's llvm-N packages install `llvm-symbolizer-N` only: the newest one on PATH. */
function versionedLlvm(dirs: string[]): string | null {
  let best: { version: number; path: string } | null = null;
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      const m = /^llvm-symbolizer-(\d+)$/.exec(n);
      if (m && (!best || Number(m[1]) > best.version) && executable(join(dir, n))) best = { version: Number(m[1]), path: join(dir, n) };
    }
  }
  return best?.path ?? null;
}

function run(program: string, args: string[], input: string | null): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(program, args, { encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 64 << 20, killSignal: 'SIGKILL' }, (err, stdout) => {
      // eu-addr2line exits 1 when some address had no source line, yet answered every one.
      if (err && !(typeof err.code === 'number' && !err.killed && stdout)) reject(err);
      else resolvePromise(stdout);
    });
    if (input !== null) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

const hex = (a: bigint) => `0x${a.toString(16)}`;

/**
 * Symbolizes `addresses` (link-time addresses of `file`) with `tool`: one process per call for
 * llvm-symbolizer, one per CHUNK addresses for the addr2lines. Rejects when the tool fails.
 */
export async function symbolizeAddresses(tool: Symbolizer, file: string, addresses: bigint[]): Promise<(SymbolizedFrame[] | null)[]> {
  if (addresses.length === 0) return [];
  if (tool.name === 'llvm-symbolizer') {
    const out = await run(tool.path, ['--inlining', '--demangle', '--functions=linkage', `--obj=${file}`], addresses.map(hex).join('\n') + '\n');
    return parseLlvm(out, addresses.length);
  }
  const results: (SymbolizedFrame[] | null)[] = [];
  for (let i = 0; i < addresses.length; i += CHUNK) {
    const chunk = addresses.slice(i, i + CHUNK);
    const out = await run(tool.path, ['-e', file, '-f', '-i', '-C', '-a', ...chunk.map(hex)], null);
    results.push(...parseAddr2line(out, chunk.length));
  }
  return results;
}

/** llvm-symbolizer: per address, (function, file:line:column) pairs, then an empty line. */
export function parseLlvm(out: string, count: number): (SymbolizedFrame[] | null)[] {
  const blocks = out.replace(/\r/g, '').split(/\n\n/);
  const results: (SymbolizedFrame[] | null)[] = [];
  for (let i = 0; i < count; i++) {
    const lines = (blocks[i] ?? '').split('\n').filter((l) => l !== '');
    const frames: SymbolizedFrame[] = [];
    for (let j = 0; j + 1 < lines.length; j += 2) frames.push(frameOf(lines[j]!, lines[j + 1]!));
    results.push(known(frames));
  }
  return results;
}

/** addr2line / eu-addr2line with -a: the address line, then (function, file:line) pairs. */
export function parseAddr2line(out: string, count: number): (SymbolizedFrame[] | null)[] {
  const results: (SymbolizedFrame[] | null)[] = [];
  let current: string[] | null = null;
  const blocks: string[][] = [];
  for (const line of out.replace(/\r/g, '').split('\n')) {
    if (/^0x[0-9a-fA-F]+$/.test(line)) blocks.push((current = []));
    else if (current && line !== '') current.push(line);
  }
  for (let i = 0; i < count; i++) {
    const lines = blocks[i] ?? [];
    const frames: SymbolizedFrame[] = [];
    for (let j = 0; j + 1 < lines.length; j += 2) frames.push(frameOf(lines[j]!.replace(/ inlined at .* in \S.*$/, ''), lines[j + 1]!));
    results.push(known(frames));
  }
  return results;
}

function frameOf(fn: string, location: string): SymbolizedFrame {
  // "file:line:column", "file:line", "file:line (discriminator 2)", "??:0", "??:?".
  const m = /^(.*?):(\d+|\?)(?::(\d+))?(?: \(discriminator \d+\))?$/.exec(location.trim());
  const file = m && m[1] !== '??' && m[1] !== '' ? m[1]! : null;
  const line = file && m![2] !== '?' && m![2] !== '0' ? Number(m![2]) : null;
  const column = file && line && m![3] && m![3] !== '0' ? Number(m![3]) : null;
  // A versioned symbol's version ("__libc_start_main@GLIBC_2.2.5", "memcpy@@GLIBC_2.14") is no part of its name.
  const name = fn.trim().replace(/@@?[A-Za-z_][\w.]*$/, '');
  return { function: name && name !== '??' ? name : null, file, line, column };
}

/** Null when the tool knew nothing (no function, no file) of the address. */
function known(frames: SymbolizedFrame[]): SymbolizedFrame[] | null {
  return frames.some((f) => f.function || f.file) ? frames : null;
}
