// The CLI does nothing a library user cannot: every name it imports from src/ (outside cli/) is
// one the public API (src/index.ts) exports. It imports the modules directly, not index.ts, so a
// one-paste analyze loads only its own path (docs/architecture.md).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', '..', 'src');
const code = (file: string) => readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
const names = (list: string) => list.split(',').map((n) => n.trim().replace(/^type\s+/, '')).filter(Boolean);

/** Names a module's `export ... from` / `export *` / declarations give, by what they are called outside. */
function exportedNames(file: string, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  if (seen.has(file)) return out;
  seen.add(file);
  const text = code(file);
  for (const m of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) for (const n of names(m[1]!)) out.add(n.split(/\s+as\s+/).pop()!);
  for (const m of text.matchAll(/export\s+\*\s+from\s+'(\.[^']+)'/g)) for (const n of exportedNames(join(file, '..', m[1]!.replace(/\.js$/, '.ts')), seen)) out.add(n);
  for (const m of text.matchAll(/export\s+(?:declare\s+)?(?:abstract\s+)?(?:const|let|function\*?|async function|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/g)) out.add(m[1]!);
  return out;
}

/** Names the CLI's files import from src/ outside cli/, with the file and module. */
function cliImports(): { name: string; where: string }[] {
  const cli = join(SRC, 'cli');
  const out: { name: string; where: string }[] = [];
  for (const f of readdirSync(cli).filter((n) => n.endsWith('.ts'))) {
    for (const m of code(join(cli, f)).matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'(\.\.\/[^']+)'/g)) {
      for (const n of names(m[1]!)) out.push({ name: n.split(/\s+as\s+/)[0]!, where: `cli/${f} from ${m[2]}` });
    }
  }
  return out;
}

describe('the CLI and the public API', () => {
  const api = exportedNames(join(SRC, 'index.ts'));
  it('reads both sides', () => {
    expect(api.has('analyzeFile')).toBe(true);
    expect(api.has('Report')).toBe(true); // through `export * from './model.js'`
    expect(cliImports().length).toBeGreaterThan(20);
  });
  it('every name the CLI imports from src/ is exported by src/index.ts', () => {
    const missing = cliImports().filter((i) => !api.has(i.name)).map((i) => `${i.name} (${i.where})`);
    expect(missing, 'export these from src/index.ts (or stop using them in the CLI)').toEqual([]);
  });
});
