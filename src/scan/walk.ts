// Finding artifacts: paths, directories and globs -> a sorted list of files, plus the entries that
// could not be read (reported, never dropped). Symlinks are followed; a directory reached twice
// (a symlink loop) is walked once.

import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import fg from 'fast-glob';
import picomatch from 'picomatch';

export interface WalkOptions {
  include?: string[];
  exclude?: string[];
  /** Walk hidden folders (".git", ".cache"), left out by default. */
  hidden?: boolean;
}

export interface WalkResult {
  files: string[];
  /** Paths that could not be walked or were not found, with the reason. */
  problems: { path: string; reason: string }[];
  /** Entries deliberately not read (FIFOs, sockets, devices: reading one could block forever). */
  special: { path: string; reason: string }[];
}

/** What a directory entry or stat result is when it is neither a file nor a directory. */
function specialKind(s: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string | null {
  if (s.isFIFO()) return 'named pipe (FIFO)';
  if (s.isSocket()) return 'socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'device';
  return null;
}

const ALWAYS_EXCLUDED = ['**/node_modules/**'];

export async function walkArtifacts(inputs: string[], options: WalkOptions = {}): Promise<WalkResult> {
  const include = options.include?.length ? picomatch(options.include, { dot: true }) : () => true;
  const exclude = picomatch([...ALWAYS_EXCLUDED, ...(options.exclude ?? [])], { dot: true });
  const files = new Set<string>();
  const problems: WalkResult['problems'] = [];
  const special: WalkResult['special'] = [];
  const notRead = (path: string, kind: string) => special.push({ path, reason: `${kind}, not a regular file: not read` });
  const seenDirs = new Set<string>();

  const wanted = (file: string, base: string) => {
    const rel = relative(base, file) || file;
    return include(rel) && !exclude(rel);
  };
  const consider = (file: string, base: string) => {
    if (wanted(file, base)) files.add(file);
  };

  // Synchronous directory reads: a walk of thousands of entries spends most of its time in the
  // thread-pool round trips of the asynchronous calls, and nothing else runs meanwhile anyway.
  function walkDir(dir: string, base: string): void {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch (err) {
      problems.push({ path: dir, reason: reasonOf(err) });
      return;
    }
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      problems.push({ path: dir, reason: reasonOf(err) });
      return;
    }
    const subdirs: string[] = [];
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.name === 'node_modules' || (!options.hidden && entry.name.startsWith('.'))) continue;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      let kind = specialKind(entry);
      if (entry.isSymbolicLink()) {
        try {
          const s = statSync(path);
          isDir = s.isDirectory();
          isFile = s.isFile();
          kind = specialKind(s);
        } catch (err) {
          problems.push({ path, reason: `broken symlink (${reasonOf(err)})` });
          continue;
        }
      }
      if (isDir) subdirs.push(path);
      else if (isFile) consider(path, base);
      else if (kind && wanted(path, base)) notRead(path, kind);
    }
    for (const sub of subdirs.sort()) walkDir(sub, base);
  }

  for (const input of inputs) {
    let s;
    try {
      s = await stat(input);
    } catch {
      s = null;
    }
    if (s?.isDirectory()) walkDir(input, input);
    else if (s?.isFile()) files.add(input);
    else if (s && specialKind(s)) notRead(input, specialKind(s)!);
    else if (fg.isDynamicPattern(input)) {
      const matched = await fg(input, { dot: !!options.hidden, followSymbolicLinks: true, onlyFiles: true, ignore: ALWAYS_EXCLUDED, suppressErrors: false }).catch((err) => {
        problems.push({ path: input, reason: reasonOf(err) });
        return [] as string[];
      });
      if (matched.length === 0) problems.push({ path: input, reason: 'glob matched no file' });
      for (const m of matched) consider(m, resolve('.'));
    } else problems.push({ path: input, reason: 'no such file or directory' });
  }
  return { files: [...files].sort(), problems, special };
}

export function reasonOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  const known: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', ELOOP: 'symlink loop', EISDIR: 'is a directory', EPERM: 'operation not permitted' };
  return (code && known[code]) ?? (err as Error)?.message?.split('\n')[0] ?? String(err);
}
