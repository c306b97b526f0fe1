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
  let source = '^';
  for (const c of glob) {
    if (c === '*') source += source.endsWith('.*') ? '' : '.*';
    else if (c === '?') source += '.';
    else source += c.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  const re = new RegExp(source + '$', options.caseInsensitive ? 'is' : 's');
  return (t) => re.test(t);
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
