// Many globs asked at once which of them match a text (the skip list's ~600 function globs, asked
// for every new frame name): a name is looked up, not tried against each glob. Exact names are one
// Map lookup; globs with a literal start are filed under its first PREFIX characters and tried only
// on texts that start so; the few others (a leading `*` or `?`) are tried on every text.

import { compileGlob, type GlobMatcher } from './glob.js';

const PREFIX = 3;

export interface GlobSet {
  /** The positions (in the list compiled) of the globs that match `text`, ascending. */
  matching(text: string): number[];
}

/** Case-sensitive globs, as compileGlob(glob) matches each. */
export function compileGlobSet(globs: readonly string[]): GlobSet {
  const exact = new Map<string, number[]>();
  const byPrefix = new Map<string, [number, GlobMatcher][]>();
  const always: [number, GlobMatcher][] = [];
  globs.forEach((glob, i) => {
    const wild = glob.search(/[*?]/);
    if (wild < 0) {
      const list = exact.get(glob);
      if (list) list.push(i);
      else exact.set(glob, [i]);
    } else if (wild >= PREFIX) {
      const key = glob.slice(0, PREFIX);
      const list = byPrefix.get(key);
      const entry: [number, GlobMatcher] = [i, compileGlob(glob)];
      if (list) list.push(entry);
      else byPrefix.set(key, [entry]);
    } else always.push([i, compileGlob(glob)]);
  });
  return {
    matching(text) {
      const out: number[] = [...(exact.get(text) ?? [])];
      for (const [i, m] of byPrefix.get(text.slice(0, PREFIX)) ?? []) if (m(text)) out.push(i);
      for (const [i, m] of always) if (m(text)) out.push(i);
      return out.sort((a, b) => a - b);
    },
  };
}
