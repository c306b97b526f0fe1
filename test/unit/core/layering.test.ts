// core/ is an adapter (issue #10, "One pipeline"): a core file becomes the pipeline's input, the
// debugger's text plus the core's own facts. Parsing that text, diagnosing and explaining are the
// pipeline's, once for text and cores alike: no file of src/core/ reaches src/pipeline.ts or
// src/rules/, directly or through another file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', '..', 'src');
const CORE = join(SRC, 'core');
/**
 * Re-exports of the pipeline's analyzeCore kept for importers outside this work's files
 * (src/index.ts, bench/core-bench.js import it from here); none else.
 */
const SHIMS = new Set<string>();
const FORBIDDEN = [/^pipeline\.ts$/, /^rules\//];

/** Relative imports and re-exports of a file (type-only ones too), resolved to .ts paths. */
function importsOf(file: string, text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specs = [...code.matchAll(/(?:^|[\n;])\s*(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g), ...code.matchAll(/import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)];
  return specs.map((m) => resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
}

/** Every src/ file `file` reaches, each with the path it was reached by. */
function reach(file: string): Map<string, string[]> {
  const seen = new Map<string, string[]>([[file, [file]]]);
  const queue = [file];
  for (let f = queue.shift(); f; f = queue.shift()) {
    for (const g of importsOf(f, readFileSync(f, 'utf8'))) {
      if (seen.has(g) || !existsSync(g)) continue;
      seen.set(g, [...seen.get(f)!, g]);
      queue.push(g);
    }
  }
  return seen;
}

const rel = (p: string) => relative(SRC, p).split('\\').join('/');

describe('src/core/', () => {
  it('reaches neither the pipeline nor rules/', () => {
    const bad: string[] = [];
    for (const name of readdirSync(CORE).filter((n) => n.endsWith('.ts') && !SHIMS.has(n))) {
      for (const [target, path] of reach(join(CORE, name))) {
        if (FORBIDDEN.some((f) => f.test(rel(target)))) bad.push(path.map(rel).join(' -> '));
      }
    }
    expect(bad).toEqual([]);
  });
  it('the check sees an import of the pipeline or of rules/', () => {
    const file = join(CORE, 'x.ts');
    expect(importsOf(file, "import { analyze } from '../pipeline.js';\nimport type { RuleSet } from '../rules/engine.js';\n").map(rel)).toEqual(['pipeline.ts', 'rules/engine.ts']);
  });
  it('the pipeline reads cores through core/read-core.ts and parses their text itself', () => {
    const pipeline = readFileSync(join(SRC, 'pipeline.ts'), 'utf8');
    expect(pipeline).toMatch(/from '\.\/core\/read-core\.js'/);
    expect(pipeline).not.toMatch(/from '\.\/core\/analyze-core\.js'/);
    // One diagnosing place: rules are applied by the pipeline only (scan and the CLI call it).
    for (const f of ['core/read-core.ts', 'scan/scan.ts', 'cli/analyze.ts']) expect(readFileSync(join(SRC, f), 'utf8'), f).not.toMatch(/\.(diagnose|explain)\(/);
  });
});
