// The build's rule index is a shortcut for text it has seen: a file is taken from it unread only
// while its size and modification time are the build's, and by its text's hash otherwise.
import { mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexedEntry, indexedEntryByStat, textHash, type RuleIndex } from '../../../src/rules/rule-index.js';
import type { RuleSpec } from '../../../src/rules/schema.js';
import { tempDir } from '../../support/tmp.js';

describe('the rule index', () => {
  const dir = tempDir('rule-index');
  const file = join(dir, 'pack', 'a.toml');
  const text = 'id = "pack/a"\n';
  const setUp = (): RuleIndex => {
    mkdirSync(join(dir, 'pack'), { recursive: true });
    writeFileSync(file, text);
    const st = statSync(file);
    return { schemaDigest: 's', compilerDigest: 'c', rules: { 'pack/a.toml': { sha256: textHash(text), size: st.size, mtimeMs: st.mtimeMs, spec: { id: 'pack/a' } as RuleSpec, tokens: null } } };
  };

  it('takes a file the build saw, by its size and time, without its text', () => {
    const index = setUp();
    expect(indexedEntryByStat(index, dir, file)?.spec.id).toBe('pack/a');
    expect(indexedEntry(index, dir, file, text)?.spec.id).toBe('pack/a');
  });
  it('does not take a file edited since (another time), nor one of another size', () => {
    const index = setUp();
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    expect(indexedEntryByStat(index, dir, file)).toBeNull();
    writeFileSync(file, 'id = "pack/b"\n');
    expect(indexedEntryByStat(index, dir, file)).toBeNull();
    // Read, its text is not the indexed one either.
    expect(indexedEntry(index, dir, file, 'id = "pack/b"\n')).toBeNull();
  });
  it('takes nothing for a file it does not list or cannot stat', () => {
    const index = setUp();
    expect(indexedEntryByStat(index, dir, join(dir, 'pack', 'other.toml'))).toBeNull();
    expect(indexedEntryByStat(null, dir, file)).toBeNull();
    const { size, mtimeMs, ...old } = index.rules['pack/a.toml']!;
    expect(size + mtimeMs).toBeGreaterThan(0);
    // An index from before sizes and times were kept: by the text only.
    expect(indexedEntryByStat({ ...index, rules: { 'pack/a.toml': old as never } }, dir, file)).toBeNull();
  });
});
