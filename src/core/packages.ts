// Which distribution package a library comes from, to say which debug-symbol package to install.
// Debian/Ubuntu only (dpkg-query); elsewhere, or for a file no package owns, null.

import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { onPath } from './debugger.js';

const cache = new Map<string, string | null>();

/** The Debian package owning `path` (a mapped file of the core), or null. */
export function owningPackage(path: string): string | null {
  if (cache.has(path)) return cache.get(path)!;
  let found: string | null = null;
  if (path.startsWith('/') && onPath('dpkg-query')) {
    const candidates = new Set([path]);
    try {
      candidates.add(realpathSync(path));
    } catch {
      // not on this machine: only the name as mapped
    }
    // usrmerge: dpkg knows /lib/... while the kernel maps /usr/lib/... (and the other way round).
    for (const p of [...candidates]) candidates.add(p.startsWith('/usr/lib/') ? p.slice(4) : p.startsWith('/lib') ? `/usr${p}` : p);
    for (const p of candidates) {
      const r = spawnSync('dpkg-query', ['-S', p], { encoding: 'utf8', timeout: 5_000 });
      const m = r.status === 0 ? /^([a-z0-9][a-z0-9+.-]*)(?::[a-z0-9-]+)?: /m.exec(r.stdout) : null;
      if (m) {
        found = m[1]!;
        break;
      }
    }
  }
  cache.set(path, found);
  return found;
}

/** "Debian: apt-get install libc6-dbg" style advice for a library, or null when its package is unknown. */
export function debugPackageHint(path: string): string | null {
  const pkg = owningPackage(path);
  if (!pkg) return null;
  // glibc ships its own -dbg package in the main archive; everything else has -dbgsym in the debug archive.
  const dbg = pkg === 'libc6' ? 'libc6-dbg' : `${pkg}-dbgsym`;
  return `it comes from the Debian package ${pkg}: apt-get install ${dbg}${dbg.endsWith('-dbgsym') ? ' (from the debug archive)' : ''}, or use debuginfod`;
}
