// Where a binary's DWARF is: the binary itself when built with -g and not stripped, else a separate
// debug file found the way gdb looks (GDB manual, "Separate Debug Files"):
//   by build id:        DIR/.build-id/xx/rest.debug   (xx: the id's first byte in hex)
//   by .gnu_debuglink:  next to the binary, in its .debug/ folder, DIR/NAME, DIR/<binary's folder>/NAME
// for each DIR of --debug-dir (then /usr/lib/debug). A debuglink candidate must carry DWARF and,
// when both have one, the binary's build id (a stale debug file describes other code).

import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readElfInfo, type ElfInfo } from './elf.js';

export interface DebugFile {
  /** The file to give the symbolizer (the binary itself or its separate debug file). */
  path: string;
  /** How it was found, for warnings and tests: "own" (the binary's own DWARF), "build-id", "debuglink", "symbols" (no DWARF: symbol table only). */
  how: 'own' | 'build-id' | 'debuglink' | 'symbols';
}

const SYSTEM_DEBUG_DIR = '/usr/lib/debug';

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The file holding `binary`'s debug information (see above); the binary itself when none is found. */
export function findDebugFile(binary: string, info: ElfInfo, debugDirs: readonly string[]): DebugFile {
  if (info.hasDebugInfo) return { path: binary, how: 'own' };
  const dirs = [...debugDirs, ...(existsSync(SYSTEM_DEBUG_DIR) ? [SYSTEM_DEBUG_DIR] : [])];
  const matches = (candidate: string): boolean => {
    if (!isFile(candidate) || resolve(candidate) === resolve(binary)) return false;
    const other = readElfInfo(candidate);
    if (!other || !(other.hasDebugInfo || other.hasSymtab)) return false;
    return !info.buildId || !other.buildId || other.buildId === info.buildId;
  };
  if (info.buildId && info.buildId.length > 2) {
    for (const dir of dirs) {
      const candidate = join(dir, '.build-id', info.buildId.slice(0, 2), `${info.buildId.slice(2)}.debug`);
      if (matches(candidate)) return { path: candidate, how: 'build-id' };
    }
  }
  if (info.debuglink) {
    const own = dirname(binary);
    const candidates = [join(own, info.debuglink), join(own, '.debug', info.debuglink), ...dirs.flatMap((d) => [join(d, info.debuglink!), join(d, resolve(own), info.debuglink!)])];
    for (const candidate of candidates) if (matches(candidate)) return { path: candidate, how: 'debuglink' };
  }
  return { path: binary, how: 'symbols' };
}
