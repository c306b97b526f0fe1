// The abort messages' regexes are asked as one alternation: it must answer what trying each does.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ABORT_MESSAGES, ANY_ABORT_MESSAGE } from '../../../src/normalize/abort-message.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

function sampleLines(): string[] {
  const dirs = [join(ROOT, 'samples'), ...readdirSync(join(ROOT, 'rules')).map((p) => join(ROOT, 'rules', p, 'samples'))];
  return dirs.flatMap((d) => {
    try {
      return readdirSync(d).filter((f) => f.endsWith('.txt')).flatMap((f) => readFileSync(join(d, f), 'utf8').split('\n').map((l) => l.trim()));
    } catch {
      return [];
    }
  });
}

describe('the abort messages as one regex', () => {
  it('joins regexes that a join cannot change: no flags, no backreferences', () => {
    for (const re of ABORT_MESSAGES) {
      expect(re.flags, re.source).toBe('');
      expect(re.source, re.source).not.toMatch(/\\[1-9]|\\k</);
    }
  });

  it('answers what trying each regex answers, on every sample line', () => {
    const lines = sampleLines();
    expect(lines.length).toBeGreaterThan(5000);
    const differ = lines.filter((t) => ANY_ABORT_MESSAGE.test(t) !== ABORT_MESSAGES.some((re) => re.test(t)));
    expect(differ).toEqual([]);
    expect(lines.filter((t) => ANY_ABORT_MESSAGE.test(t)).length).toBeGreaterThan(20);
  });
});
