// A glob set answers which of its globs match a text by lookup (exact names, literal starts): the
// answer must be the globs compileGlob matches one by one, in their order.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob } from '../../../src/normalize/glob.js';
import { compileGlobSet } from '../../../src/normalize/glob-set.js';

/** The reference: each glob tried on its own. */
const oneByOne = (globs: string[]) => {
  const matchers = globs.map((g) => compileGlob(g));
  return (text: string) => matchers.flatMap((m, i) => (m(text) ? [i] : []));
};

describe('glob sets', () => {
  it('match what each glob matches, on names built from the globs', () => {
    const globs = ['abort', 'abort', '__libc_*', '__lib*', 'ab', '*', '*_wait', '?bort', 'std::__*::operator()', 'a*b?c', '', 'x?', '__libc_start_main'];
    const set = compileGlobSet(globs);
    const one = oneByOne(globs);
    const part = fc.constantFrom('a', 'b', 'c', 'x', 'abort', '__libc_', 'start_main', '_wait', 'std::__', '::operator()', '?', '*', '');
    fc.assert(
      fc.property(fc.array(part, { maxLength: 5 }), (parts) => {
        const text = parts.join('');
        expect(set.matching(text)).toEqual(one(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('match what each glob matches, for the signature skip list on its own names', () => {
    const dir = join(import.meta.dirname, '..', '..', '..', 'data', 'signature');
    const policy = readdirSync(dir).filter((f) => f.endsWith('.toml')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    const globs = [...policy.matchAll(/"([^"\n]*)"/g)].map((m) => m[1]!);
    expect(globs.length).toBeGreaterThan(500);
    const set = compileGlobSet(globs);
    const one = oneByOne(globs);
    // Each glob as a name, with its wildcards filled in, and cut short.
    const names = globs.flatMap((g) => [g, g.replaceAll('*', 'xy').replaceAll('?', 'z'), g.replaceAll('*', ''), g.slice(0, 4)]);
    const differ = names.filter((name) => JSON.stringify(set.matching(name)) !== JSON.stringify(one(name)));
    expect(differ).toEqual([]);
  });
});
