// Globs for frame fields ("brpc::policy::Process*Response", "libc.so*", "*/sysdeps/*"): `*` is any
// run of characters, `?` one character, everything else literal. Compiled once into an anchored
// regex of literals and `.*`, which the engine matches in linear time for these shapes.

export type GlobMatcher = (text: string) => boolean;

export function compileGlob(glob: string, options: { caseInsensitive?: boolean } = {}): GlobMatcher {
  if (!glob.includes('*') && !glob.includes('?')) {
    if (options.caseInsensitive) {
      const lower = glob.toLowerCase();
      return (t) => t.toLowerCase() === lower;
    }
    return (t) => t === glob;
  }
  if (glob === '*') return () => true;
  if (!glob.includes('?')) return literalRuns(glob.split('*'), options.caseInsensitive ?? false);
  let source = '^';
  for (const c of glob) {
    if (c === '*') source += source.endsWith('.*') ? '' : '.*';
    else if (c === '?') source += '.';
    else source += c.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  const re = new RegExp(source + '$', options.caseInsensitive ? 'is' : 's');
  return (t) => re.test(t);
}

/**
 * `*`-only globs ("*Got EOF of Socket{*", "brpc::policy::Process*Response") as a prefix, a suffix
 * and runs found in order with indexOf: no regex, linear, and the common case for log patterns.
 */
function literalRuns(parts: string[], caseInsensitive: boolean): GlobMatcher {
  if (caseInsensitive) parts = parts.map((p) => p.toLowerCase());
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((p) => p.length > 0);
  const minLength = parts.reduce((n, p) => n + p.length, 0);
  return (input) => {
    const t = caseInsensitive ? input.toLowerCase() : input;
    if (t.length < minLength || !t.startsWith(first) || !t.endsWith(last)) return false;
    let at = first.length;
    const end = t.length - last.length;
    for (const m of middle) {
      const i = t.indexOf(m, at);
      if (i < 0 || i + m.length > end) return false;
      at = i + m.length;
    }
    return true;
  };
}

/** The literal runs of a glob, longest first: what an index can look up before matching. */
export function globLiterals(glob: string): string[] {
  return glob
    .split(/[*?]/)
    .filter((s) => s.length > 0)
    .sort((a, b) => b.length - a.length);
}

/** Last path component: "/lib/x86_64-linux-gnu/libc.so.6" -> "libc.so.6". */
export function basename(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i >= 0 ? path.slice(i + 1) : path;
}
