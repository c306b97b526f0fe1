// normalizeFunctionName keeps its answers by raw name: the cached answer must be the computed one,
// a caller changing its copy must not change the next answer, and the cache must stay bounded.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { computeNormalizedName, nameCacheSize, NAME_CACHE_LIMIT, normalizeFunctionName } from '../../../src/normalize/function-name.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** Every committed sample: samples/ and the rule packs' samples/. */
function sampleFiles(): string[] {
  const dirs = [join(ROOT, 'samples'), ...readdirSync(join(ROOT, 'rules')).map((p) => join(ROOT, 'rules', p, 'samples'))];
  return dirs.flatMap((d) => {
    try {
      return readdirSync(d).filter((f) => f.endsWith('.txt')).map((f) => join(d, f));
    } catch {
      return [];
    }
  });
}

describe('the function-name cache', () => {
  it('answers what normalizing anew gives, for every frame of every sample', () => {
    const raws = new Set<string>();
    for (const file of sampleFiles()) {
      for (const r of analyze(readFileSync(file)).reports) for (const t of r.threads) for (const f of t.frames) raws.add(f.rawFunction);
    }
    expect(raws.size).toBeGreaterThan(500);
    // analyze filled the cache: these are cached answers.
    for (const raw of raws) expect(normalizeFunctionName(raw), raw).toEqual(computeNormalizedName(raw));
  });

  it('hands out copies', () => {
    const first = normalizeFunctionName('ns::Widget<int>::draw(int) const');
    first.short = 'changed';
    expect(normalizeFunctionName('ns::Widget<int>::draw(int) const')).toEqual({ full: 'ns::Widget<int>::draw', short: 'ns::Widget<>::draw' });
  });

  it('stays bounded', () => {
    for (let i = 0; i < NAME_CACHE_LIMIT + 100; i++) normalizeFunctionName(`f${i}(int)`);
    expect(nameCacheSize()).toBeLessThanOrEqual(NAME_CACHE_LIMIT);
    expect(nameCacheSize()).toBeGreaterThan(0);
  });
});
