// findClues keeps its answers per thread (src/rules/clues.ts): the kept answer must be the one computed
// anew, for every question the rules ask (which frames, arguments or locals), on every sample.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { clueFrames, findClues } from '../../../src/rules/clues.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const files = [join(ROOT, 'samples'), ...readdirSync(join(ROOT, 'rules')).map((p) => join(ROOT, 'rules', p, 'samples'))].flatMap((d) => {
  try {
    return readdirSync(d).filter((f) => f.endsWith('.txt')).map((f) => join(d, f));
  } catch {
    return [];
  }
});

describe('the clue cache', () => {
  it('answers what finding the clues anew gives, for every thread of every sample and every question', () => {
    let asked = 0;
    let withClues = 0;
    for (const file of files)
      for (const r of analyze(readFileSync(file, 'utf8'), { rules: null }).reports)
        for (const t of r.threads)
          for (const where of ['args', 'locals', 'any'] as const)
            for (const [first, count] of [[0, 1], [0, 3], [1, 2]] as const) {
              const frames = clueFrames(t, first, count);
              const kept = findClues(t, frames, where);
              // A copy of the thread is another key: its clues are computed anew.
              expect(findClues(structuredClone(t), frames, where), `${file} ${where} ${frames}`).toEqual(kept);
              expect(findClues(t, frames, where)).toBe(kept);
              asked++;
              if (kept.length > 0) withClues++;
            }
    expect(asked).toBeGreaterThan(1000);
    expect(withClues).toBeGreaterThan(50);
  });
});
