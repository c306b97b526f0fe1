// Path spelling for report formats: pure string work (no file system), shared by the renderers and
// the render context that resolves what exists.

import { isAbsolute as isAbsolutePath, relative, sep } from 'node:path';

/** `path` relative to `root` with forward slashes when it lies inside it by its spelling, else null. */
export function relativeInside(root: string, path: string): string | null {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolutePath(rel) ? rel.split(sep).join('/') : null;
}
