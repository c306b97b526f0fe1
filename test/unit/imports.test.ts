// Import direction: the modules of src/ form no cycle at file level (data flows source -> parse ->
// normalize -> rules -> render, docs/architecture.md). A cycle makes load order matter and hides
// which stage owns what; the test names the cycle's path.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** Cycles allowed for now, each as its sorted list of files, with why. None today. */
const ALLOWED_CYCLES: string[][] = [];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** Relative imports and re-exports of a file (type-only ones too: they still couple the files). */
export function importsOf(file: string, text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out: string[] = [];
  for (const m of code.matchAll(/(?:^|[\n;])\s*(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g)) {
    out.push(resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
  }
  for (const m of code.matchAll(/import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)) out.push(resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
  return out;
}

/** Every elementary cycle found by a depth-first search, each reported once (from its smallest file). */
function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 'open') {
        const cycle = stack.slice(stack.indexOf(g));
        const key = [...cycle].sort().join('|');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...cycle, g]);
        }
      } else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return cycles;
}

describe('import graph of src/', () => {
  const files = tsFiles(SRC).sort();
  const graph = new Map(files.map((f) => [f, importsOf(f, readFileSync(f, 'utf8')).filter((g) => files.includes(g))]));
  const rel = (f: string) => relative(SRC, f);

  it('reads the imports of every file', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(graph.get(join(SRC, 'index.ts'))).toContain(join(SRC, 'pipeline.ts'));
    expect(importsOf(join(SRC, 'x.ts'), "import type { A } from './a.js';\nexport * from './b/c.js';\n// import './no.js'\nconst m = await import('./d.js');"))
      .toEqual([join(SRC, 'a.ts'), join(SRC, 'b', 'c.ts'), join(SRC, 'd.ts')]);
  });

  it('has no cycle at file level', () => {
    const allowed = new Set(ALLOWED_CYCLES.map((c) => [...c].sort().join('|')));
    const cycles = findCycles(graph)
      .filter((c) => !allowed.has([...new Set(c.map(rel))].sort().join('|')))
      .map((c) => c.map(rel).join(' -> '));
    expect(cycles, `import cycles:\n${cycles.join('\n')}`).toEqual([]);
  });

  // The stages, lowest first (docs/architecture.md): a module imports only from its own stage or a
  // lower one. Stages on one level do not import each other, except as listed in SIBLINGS.
  const STAGES: [string, number][] = [
    ['model', 0], ['errors.ts', 0],
    ['source', 1],
    ['parse', 2],
    ['normalize', 3],
    ['rules', 4], ['core', 4], ['symbolize', 4],
    ['config.ts', 5],
    ['pipeline.ts', 6],
    ['scan', 7], ['rule-tester.ts', 7],
    ['render', 8],
    ['cli', 9], ['index.ts', 9],
  ];
  const stageOf = (f: string) => {
    // src/model.ts and src/model/ are one stage: the report types and their vocabulary.
    const top = rel(f).split(/[\\/]/)[0]!.replace(/^model\.ts$/, 'model');
    const s = STAGES.find(([name]) => name === top);
    if (!s) throw new Error(`${rel(f)}: no stage for "${top}" in STAGES`);
    return s;
  };

  it('imports run one way between stages: model <- source <- parse <- normalize <- rules, core <- pipeline <- scan <- render <- cli', () => {
    const against: string[] = [];
    for (const [f, targets] of graph) {
      const [from, level] = stageOf(f);
      for (const g of targets) {
        const [to, targetLevel] = stageOf(g);
        if (to === from) continue;
        if (targetLevel > level || (targetLevel === level && to !== from)) against.push(`${rel(f)} -> ${rel(g)} (${from} is below or beside ${to})`);
      }
    }
    expect(against, `imports against the direction:\n${against.join('\n')}`).toEqual([]);
  });

  it('the direction check sees an import that goes up', () => {
    expect(stageOf(join(SRC, 'parse', 'gdb.ts'))[1]).toBeLessThan(stageOf(join(SRC, 'normalize', 'signature.ts'))[1]);
    expect(stageOf(join(SRC, 'scan', 'scan.ts'))[1]).toBeLessThan(stageOf(join(SRC, 'render', 'sarif.ts'))[1]);
    expect(() => stageOf(join(SRC, 'newstage', 'x.ts'))).toThrow(/no stage/);
  });
});
