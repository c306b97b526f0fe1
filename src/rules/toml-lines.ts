// Where each key of a TOML document sits, so schema errors can name a line. @iarna/toml returns
// plain values without positions; this scanner walks headers and `key =` lines (skipping
// multi-line strings) and records "when.stack.1.function" -> line.

export function keyLines(text: string): Map<string, number> {
  const lines = text.split(/\r?\n/);
  const out = new Map<string, number>();
  const arrayCounts = new Map<string, number>();
  let table: string[] = [];
  let inMultiline: '"""' | "'''" | null = null;
  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (inMultiline) {
      if (countOf(line, inMultiline) % 2 === 1) inMultiline = null;
      return;
    }
    if (line === '' || line.startsWith('#')) return;
    const arrayHeader = /^\[\[\s*([^\]]+?)\s*\]\]/.exec(line);
    const header = arrayHeader ? null : /^\[\s*([^\]]+?)\s*\]/.exec(line);
    if (arrayHeader) {
      const base = splitKey(arrayHeader[1]!).join('.');
      const idx = arrayCounts.get(base) ?? 0;
      arrayCounts.set(base, idx + 1);
      table = [...splitKey(arrayHeader[1]!), String(idx)];
      if (!out.has(base)) out.set(base, n);
      out.set(table.join('.'), n);
      return;
    }
    if (header) {
      table = splitKey(header[1]!);
      out.set(table.join('.'), n);
      return;
    }
    const kv = /^((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=(.*)$/.exec(line);
    if (!kv) return;
    const path = [...table, ...splitKey(kv[1]!)].join('.');
    if (!out.has(path)) out.set(path, n);
    for (const q of ['"""', "'''"] as const) {
      if (countOf(kv[2]!, q) % 2 === 1) inMultiline = q;
    }
  });
  return out;
}

function countOf(s: string, needle: string): number {
  return s.split(needle).length - 1;
}

function splitKey(key: string): string[] {
  return key.split('.').map((p) => p.trim().replace(/^["']|["']$/g, ''));
}

/** Line of the deepest known prefix of a path ("when.stack.1.functon" -> the [[when.stack]] line). */
export function lineOf(lines: Map<string, number>, path: string[]): number | null {
  for (let k = path.length; k > 0; k--) {
    const n = lines.get(path.slice(0, k).join('.'));
    if (n !== undefined) return n;
  }
  return null;
}
