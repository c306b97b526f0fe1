// Finding artifacts: paths, directories and globs -> a sorted list of files, plus the entries that
// could not be read and those left out on purpose (both reported, never dropped). Symlinks within
// the tree are followed (those leading out of it with --follow only; /proc, /sys and /dev never); within one argument a directory reached twice (a symlink loop) is walked once, and a
// file reached by several paths (a symlink to it, a directory linked twice, several arguments) is
// read once, under the first of its paths in sorted order. Globs are walked by the same walker
// (from the glob's static base), so they get the same loop, hidden-entry and de-duplication rules.

import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import picomatch from 'picomatch';

export interface WalkOptions {
  /** Globs matched on the path relative to the directory given (the working directory for a glob argument). */
  include?: string[];
  exclude?: string[];
  /**
   * Globs matched on the path relative to a fixed directory (the one holding .coredx.toml); they
   * apply to files inside that directory only.
   */
  rooted?: { base: string; include?: string[]; exclude?: string[] };
  /** Read hidden files and walk hidden folders (".git", ".cache"), left out (and listed) by default. */
  hidden?: boolean;
  /**
   * Follow symlinks that lead out of the tree being walked (left out, and listed, by default: a
   * link to / or /proc would never finish). Loops are still walked once, and /proc, /sys and /dev
   * are never entered.
   */
  follow?: boolean;
}

export interface WalkResult {
  files: string[];
  /** Paths that could not be walked or were not found, with the reason. */
  problems: { path: string; reason: string }[];
  /**
   * Entries deliberately not read: FIFOs, sockets, devices (reading one could block forever),
   * hidden files and folders, node_modules folders (one entry per folder).
   */
  special: { path: string; reason: string }[];
}

export const HIDDEN_REASON = 'hidden file/folder, not read: --hidden to include';
export const NODE_MODULES_REASON = 'node_modules folder, not read';
export const LEAVES_TREE_REASON = 'symlink leaves the scanned tree: --follow to read';

/** Kernel file systems: endless or blocking files (/proc/kcore, /dev/zero, /sys/...), never read. */
const SYSTEM_DIRS = ['/proc', '/sys', '/dev'];
/** The system folder a real path is in, or null. */
export function systemDir(real: string): string | null {
  return SYSTEM_DIRS.find((d) => real === d || real.startsWith(`${d}/`)) ?? null;
}
const systemReason = (dir: string) => `system folder (${dir}), not read`;
/** True when `real` is `root` or inside it. */
const inside = (real: string, root: string) => real === root || real.startsWith(root.endsWith('/') ? root : `${root}/`);

/** What a directory entry or stat result is when it is neither a file nor a directory. */
function specialKind(s: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string | null {
  if (s.isFIFO()) return 'named pipe (FIFO)';
  if (s.isSocket()) return 'socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'device';
  return null;
}
const notRegular = (kind: string) => `${kind}, not a regular file: not read`;

const matcher = (globs: string[] | undefined) => (globs?.length ? picomatch(globs, { dot: true }) : null);

/** How deep below its base a glob can match (Infinity with ** or anything that may hide a slash). */
function globDepth(glob: string): number {
  return /\*\*|[{}()]/.test(glob) ? Infinity : glob.split('/').length;
}

export async function walkArtifacts(inputs: string[], options: WalkOptions = {}): Promise<WalkResult> {
  const include = matcher(options.include);
  const exclude = matcher(options.exclude);
  const rootedBase = options.rooted ? resolve(options.rooted.base) : null;
  const rootedInclude = matcher(options.rooted?.include);
  const rootedExclude = matcher(options.rooted?.exclude);
  /** Real path -> the path reported (the first in sorted order) and, when not read, why. */
  const found = new Map<string, { path: string; special: string | null }>();
  const problems: WalkResult['problems'] = [];
  let added = 0;

  const add = (path: string, real: string, special: string | null = null) => {
    added++;
    const seen = found.get(real);
    // A path it is read under beats one it would be left out under (a hidden link to a log).
    const better = !seen || (seen.special !== null && special === null) || ((seen.special === null) === (special === null) && path < seen.path);
    if (better) found.set(real, { path, special });
  };
  /** The path relative to the config file's directory, or null when outside it. */
  const rootedRel = (path: string) => {
    if (rootedBase === null) return null;
    const rel = relative(rootedBase, resolve(path));
    return rel && rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel) ? rel : null;
  };
  // Without globs nothing is left out or required: no path arithmetic per entry.
  const anyExclude = !!exclude || !!rootedExclude;
  const anyInclude = !!include || !!rootedInclude;
  const excluded = (path: string, base: string) => {
    if (!anyExclude) return false;
    const rel = relative(base, path) || path;
    const inRoot = rootedRel(path);
    return !!exclude?.(rel) || (inRoot !== null && !!rootedExclude?.(inRoot));
  };
  const wanted = (path: string, base: string) => {
    if (excluded(path, base)) return false;
    if (!anyInclude) return true;
    const rel = relative(base, path) || path;
    const inRoot = rootedRel(path);
    const verdicts: boolean[] = [];
    if (include) verdicts.push(include(rel));
    if (rootedInclude && inRoot !== null) verdicts.push(rootedInclude(inRoot));
    return verdicts.length === 0 || verdicts.includes(true);
  };

  /**
   * Walks `root` (real path `rootReal`). `base`: what include/exclude are relative to; `match`:
   * the glob a file's path relative to root must match (null: every file); `maxDepth`: how deep
   * below root a file may be.
   */
  function walkTree(root: string, rootReal: string, base: string, match: ((rel: string) => boolean) | null, maxDepth: number): void {
    const seenDirs = new Set<string>();
    const fileWanted = (path: string) => (!match || match(relative(root, path))) && wanted(path, base);
    // Synchronous directory reads: a walk of thousands of entries spends most of its time in the
    // thread-pool round trips of the asynchronous calls, and nothing else runs meanwhile anyway.
    const walkDir = (dir: string, real: string, depth: number): void => {
      if (seenDirs.has(real)) return;
      seenDirs.add(real);
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch (err) {
        problems.push({ path: dir, reason: reasonOf(err) });
        return;
      }
      const subdirs: { path: string; real: string }[] = [];
      for (const entry of entries) {
        const path = join(dir, entry.name);
        let entryReal = join(real, entry.name);
        let isDir = entry.isDirectory();
        let isFile = entry.isFile();
        let kind = specialKind(entry);
        let broken: string | null = null;
        if (entry.isSymbolicLink()) {
          try {
            const s = statSync(path);
            isDir = s.isDirectory();
            isFile = s.isFile();
            kind = specialKind(s);
            entryReal = realpathSync(path);
          } catch (err) {
            broken = `broken symlink (${reasonOf(err)})`;
          }
        }
        const couldHoldMatches = depth + 1 < maxDepth && !excluded(path, base);
        const system = broken ? null : systemDir(entryReal);
        const leaves = !broken && entry.isSymbolicLink() && !inside(entryReal, rootReal);
        if ((isDir || isFile || kind) && (system || (leaves && !options.follow)) && !(!options.hidden && entry.name.startsWith('.'))) {
          if (isDir ? couldHoldMatches : fileWanted(path)) add(path, entryReal, system ? systemReason(system) : LEAVES_TREE_REASON);
        } else if (!options.hidden && entry.name.startsWith('.')) {
          if (isDir ? couldHoldMatches : fileWanted(path)) add(path, entryReal, HIDDEN_REASON);
        } else if (broken) {
          if (fileWanted(path)) {
            added++;
            problems.push({ path, reason: broken });
          }
        } else if (isDir && entry.name === 'node_modules') {
          if (couldHoldMatches) add(path, entryReal, NODE_MODULES_REASON);
        } else if (isDir) {
          if (depth + 1 < maxDepth) subdirs.push({ path, real: entryReal });
        } else if (isFile || kind) {
          if (fileWanted(path)) add(path, entryReal, isFile ? null : notRegular(kind!));
        }
      }
      for (const sub of subdirs.sort((a, b) => (a.path < b.path ? -1 : 1))) walkDir(sub.path, sub.real, depth + 1);
    };
    walkDir(root, rootReal, 0);
  }

  for (const input of inputs) {
    let s;
    let statError: unknown = null;
    try {
      s = await stat(input);
    } catch (err) {
      s = null;
      statError = err;
    }
    if (s?.isDirectory() || s?.isFile() || (s && specialKind(s))) {
      let real: string;
      try {
        real = realpathSync(input);
      } catch (err) {
        problems.push({ path: input, reason: reasonOf(err) });
        continue;
      }
      const system = systemDir(real);
      if (system) add(input, real, systemReason(system));
      else if (s.isDirectory()) walkTree(input, real, input, null, Infinity);
      else add(input, real, s.isFile() ? null : notRegular(specialKind(s)!));
    } else if (picomatch.scan(input).isGlob) {
      const { base, glob } = picomatch.scan(input);
      const root = base || '.';
      const match = picomatch(glob, { dot: true });
      const before = added;
      let real: string | null = null;
      try {
        if (statSync(root).isDirectory()) real = realpathSync(root);
      } catch {
        real = null;
      }
      const system = real === null ? null : systemDir(real);
      if (system) add(root, real!, systemReason(system));
      else if (real !== null) walkTree(root, real, '.', match, globDepth(glob));
      if (added === before) problems.push({ path: input, reason: 'glob matched no file' });
    } else problems.push({ path: input, reason: statError ? reasonOf(statError) : 'no such file or directory' });
  }

  const entries = [...found.values()];
  const unique = new Map(problems.map((p) => [`${p.path}\0${p.reason}`, p]));
  return {
    files: entries.filter((e) => e.special === null).map((e) => e.path).sort(),
    problems: [...unique.values()],
    special: entries.filter((e) => e.special !== null).map((e) => ({ path: e.path, reason: e.special! })),
  };
}

export function reasonOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  // zlib's own words ("unexpected end of file") do not say it is the gzip data that is bad.
  if (typeof code === 'string' && code.startsWith('Z_')) return `corrupt gzip data: ${(err as Error).message.split('\n')[0]}`;
  const known: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', ELOOP: 'symlink loop', EISDIR: 'is a directory', EPERM: 'operation not permitted', ENAMETOOLONG: 'file name too long', ENOTDIR: 'a part of the path is not a directory' };
  return (code && known[code]) ?? (err as Error)?.message?.split('\n')[0] ?? String(err);
}
