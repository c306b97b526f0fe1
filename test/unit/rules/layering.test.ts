// rules/ sits below the pipeline (source -> parse -> normalize -> rules -> pipeline): a file of
// src/rules/ may import the model and normalize/, never the pipeline or anything built on it. The
// rule tester runs the pipeline, so it is src/rule-tester.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', '..', 'src');
const RULES = join(SRC, 'rules');
/** A re-export kept for one importer outside this work's files (see the file); none else. */
const SHIMS = new Set<string>();
/** What rules/ may depend on, as paths relative to src/. */
const ALLOWED = [/^rules\//, /^model(\.ts|\/)/, /^normalize\//];

/** Relative imports and re-exports of a file, resolved to .ts paths (comments left out). */
export function importsOf(file: string, text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specs = [...code.matchAll(/(?:^|[\n;])\s*(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g), ...code.matchAll(/import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)];
  return specs.map((m) => resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
}

describe('src/rules/ imports', () => {
  it('reach only rules/, the model and normalize/ (not the pipeline, scan, render or the CLI)', () => {
    const bad: string[] = [];
    for (const name of readdirSync(RULES).filter((n) => n.endsWith('.ts') && !SHIMS.has(n))) {
      const file = join(RULES, name);
      for (const target of importsOf(file, readFileSync(file, 'utf8'))) {
        const rel = relative(SRC, target).split('\\').join('/');
        if (!ALLOWED.some((a) => a.test(rel))) bad.push(`rules/${name} imports ${rel}`);
      }
    }
    expect(bad).toEqual([]);
  });
  it('the check sees an import of the pipeline', () => {
    const file = join(RULES, 'x.ts');
    const rel = importsOf(file, "import { analyze } from '../pipeline.js';\n").map((t) => relative(SRC, t));
    expect(rel).toEqual(['pipeline.ts']);
  });
  it('the rule tester is above the pipeline', () => {
    expect(readFileSync(join(SRC, 'rule-tester.ts'), 'utf8')).toMatch(/from '\.\/pipeline\.js'/);
  });
});
