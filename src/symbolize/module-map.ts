// Where modules were loaded, as the input itself tells: a `/proc/self/maps` (or /proc/PID/maps)
// dump, gdb's `info proc mappings`, AddressSanitizer's module list (`==N==Process memory map follows:` then `\t0x...-0x...\t/path`),
// gdb's `info sharedlibrary` table (its From column is where .text was loaded, not the base). Lines
// are collected as the input streams; each mapping remembers its line, so a report takes the dump
// nearest to it (a log may hold several processes).

import { basename } from 'node:path';

export interface Mapping {
  /** The module as the dump names it. */
  path: string;
  start: bigint;
  end: bigint;
  /** File offset of `start` (/proc maps), or null when the dump does not say (ASan lists ranges only). */
  offset: bigint | null;
  /** gdb's `info sharedlibrary`: `start` is where .text was loaded, not a mapping of the file. */
  textStart?: boolean;
  line: number;
}

// 55f5da03b000-55f5da03c000 r-xp 00001000 08:01 1234   /path/prog
const PROC_MAPS = /^\s*([0-9a-fA-F]{4,16})-([0-9a-fA-F]{4,16})\s+[r-][w-][x-][ps]\s+([0-9a-fA-F]+)\s+[0-9a-fA-F]+:[0-9a-fA-F]+\s+\d+\s+(\/\S.*?)\s*$/;
//	0x561448af2000-0x561448af3000	/tmp/asan
const ASAN_MAP = /^\s*0x([0-9a-fA-F]+)-0x([0-9a-fA-F]+)\s+(\/\S.*?)\s*$/;
// gdb's `info proc mappings`: Start Addr, End Addr, Size, Offset, [Perms,] objfile
//       0x555555554000     0x555555555000     0x1000        0x0  r--p   /tmp/prog
const GDB_MAPPINGS = /^\s*0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)\s+0x[0-9a-fA-F]+\s+0x([0-9a-fA-F]+)\s+(?:[r-][w-][x-][ps]\s+)?(\/\S.*?)\s*$/;
// 0x00007ffff7fc5090  0x00007ffff7fee335  Yes         /lib64/ld-linux-x86-64.so.2
const GDB_SHARED = /^\s*0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)\s+(?:Yes|No)(?: \(\*\))?\s+(\/\S.*?)\s*$/;

export class ModuleMapCollector {
  private readonly mappings: Mapping[] = [];
  /** Mappings kept at most (a log of many dumps): the newest win. */
  private static readonly LIMIT = 20_000;

  push(line: string, lineNo: number): void {
    // Cheap first tests: most lines of a log are none of these.
    if (!line.includes('/') || !(line.includes('-') || line.includes('0x'))) return;
    let m = PROC_MAPS.exec(line);
    if (m) return this.add({ path: m[4]!, start: BigInt(`0x${m[1]}`), end: BigInt(`0x${m[2]}`), offset: BigInt(`0x${m[3]}`), line: lineNo });
    if ((m = GDB_MAPPINGS.exec(line))) return this.add({ path: m[4]!, start: BigInt(`0x${m[1]}`), end: BigInt(`0x${m[2]}`), offset: BigInt(`0x${m[3]}`), line: lineNo });
    if ((m = ASAN_MAP.exec(line))) return this.add({ path: m[3]!, start: BigInt(`0x${m[1]}`), end: BigInt(`0x${m[2]}`), offset: null, line: lineNo });
    if ((m = GDB_SHARED.exec(line))) return this.add({ path: m[3]!, start: BigInt(`0x${m[1]}`), end: BigInt(`0x${m[2]}`), offset: null, textStart: true, line: lineNo });
  }

  private add(m: Mapping): void {
    if (m.end <= m.start) return;
    if (this.mappings.length >= ModuleMapCollector.LIMIT) this.mappings.splice(0, this.mappings.length >> 1);
    this.mappings.push(m);
  }

  get all(): readonly Mapping[] {
    return this.mappings;
  }
}

/** The mappings nearest to line `near` (one dump: those within 5,000 lines of the nearest mapping). */
export function nearestDump(mappings: readonly Mapping[], near: number): Mapping[] {
  if (mappings.length === 0) return [];
  let best = mappings[0]!;
  for (const m of mappings) if (Math.abs(m.line - near) < Math.abs(best.line - near)) best = m;
  // A dump is a run of mapping lines: take the run around the nearest one.
  const sorted = [...mappings].sort((a, b) => a.line - b.line);
  const at = sorted.indexOf(best);
  let lo = at;
  let hi = at;
  while (lo > 0 && sorted[lo]!.line - sorted[lo - 1]!.line <= 3) lo--;
  while (hi + 1 < sorted.length && sorted[hi + 1]!.line - sorted[hi]!.line <= 3) hi++;
  return sorted.slice(lo, hi + 1);
}

/** The mapping holding `address`, or null. */
export function mappingOf(dump: readonly Mapping[], address: bigint): Mapping | null {
  return dump.find((m) => address >= m.start && address < m.end) ?? null;
}

/** The mappings of the module named `path` (same path, else same basename). */
export function mappingsOfModule(dump: readonly Mapping[], path: string): Mapping[] {
  const same = dump.filter((m) => m.path === path);
  return same.length ? same : dump.filter((m) => basename(m.path) === basename(path));
}
