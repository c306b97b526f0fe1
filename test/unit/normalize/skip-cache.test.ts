// skipReason keeps its answers by (function, module, file): the cached answer must be the computed
// one for every frame of every sample, and the cache must stay bounded.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { computeSkipReason, reasonCacheSize, REASON_CACHE_LIMIT, skipReason } from '../../../src/normalize/skip-list.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

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

describe('the skip reason cache', () => {
  it('answers what computing anew gives, for every frame of every sample', () => {
    const differ: string[] = [];
    let frames = 0;
    for (const file of sampleFiles()) {
      for (const r of analyze(readFileSync(file), { rules: null }).reports) {
        for (const t of r.threads) {
          for (const f of t.frames) {
            frames++;
            // Asked twice: the second answer is the cache's.
            for (const got of [skipReason(f), skipReason(f)]) if (got !== computeSkipReason(f)) differ.push(`${f.function} ${f.module} ${f.file}`);
          }
        }
      }
    }
    expect(frames).toBeGreaterThan(1500);
    expect(differ).toEqual([]);
  });

  it('tells frames apart by module and by file', () => {
    const frame = { function: 'malloc', module: null, file: null };
    expect(skipReason({ ...frame, module: '/lib/x86_64-linux-gnu/libc.so.6' })).toBe(computeSkipReason({ ...frame, module: '/lib/x86_64-linux-gnu/libc.so.6' }));
    expect(skipReason({ ...frame, module: '/opt/app/bin/server' })).toBe(computeSkipReason({ ...frame, module: '/opt/app/bin/server' }));
    expect(skipReason({ ...frame, file: 'src/app/alloc.cc' })).toBe(computeSkipReason({ ...frame, file: 'src/app/alloc.cc' }));
  });

  it('stays bounded', () => {
    for (let i = 0; i < REASON_CACHE_LIMIT + 100; i++) skipReason({ function: `f${i % 1000}`, module: `m${i}`, file: null });
    expect(reasonCacheSize()).toBeLessThanOrEqual(REASON_CACHE_LIMIT);
    expect(reasonCacheSize()).toBeGreaterThan(0);
  });
});
