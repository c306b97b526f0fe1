// Where the repository is, for the SARIF report's locations: GitHub code scanning reads relative
// URIs against the checkout's root, so paths must be relative to that root, not to wherever coredx
// happens to run.

import { spawnSync } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * The repository root: $GITHUB_WORKSPACE when set (the checkout on GitHub Actions), else the git
 * top level of `cwd` (`git rev-parse --show-toplevel`), else `cwd` itself.
 */
export function repositoryRoot(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  if (env.GITHUB_WORKSPACE) return resolve(cwd, env.GITHUB_WORKSPACE);
  const git = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000, windowsHide: true });
  const top = git.status === 0 ? git.stdout.replace(/\r?\n$/, '') : '';
  return top ? resolve(top) : resolve(cwd);
}

/** `path` relative to `root` with forward slashes when it lies inside it (symlinks resolved too), else null. */
export function pathInside(root: string, path: string): string | null {
  const inside = (r: string, p: string) => {
    const rel = relative(r, p);
    return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel) ? rel.split(sep).join('/') : null;
  };
  const direct = inside(root, path);
  if (direct !== null) return direct;
  try {
    return inside(realpathSync(root), realpathSync(path));
  } catch {
    return null;
  }
}

/**
 * A frame's source file as a path relative to the repository root, when it is an existing file
 * there. A relative name ("null_deref.c", "src/x.c") is taken relative to the root, never to the
 * working directory, where a file of the same name may be unrelated.
 */
export function sourceInRepository(root: string, file: string): string | null {
  const abs = isAbsolute(file) ? file : resolve(root, file);
  try {
    if (!statSync(abs).isFile()) return null;
  } catch {
    return null;
  }
  return pathInside(root, abs);
}

/** RFC 3986 path segments: everything but unreserved characters percent-encoded. */
export function encodePath(segments: string[]): string {
  return segments.map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
}

/** An absolute path as a file: URI ("file:///a/b%20c", "file:///C:/x", "file://server/share/x"). */
export function fileUri(absolute: string): string {
  const p = absolute.replace(/\\/g, '/');
  const drive = /^([A-Za-z]):(\/.*)?$/.exec(p);
  if (drive) return `file:///${drive[1]}:/${encodePath((drive[2] ?? '/').slice(1).split('/'))}`;
  if (p.startsWith('//')) return `file://${encodePath(p.slice(2).split('/'))}`;
  return `file://${encodePath(p.split('/'))}`;
}
