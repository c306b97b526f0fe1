// Paths as URIs for report formats (SARIF): pure string work on paths already resolved by the
// caller (src/scan/render-context.ts finds the repository root and what exists in it).


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
