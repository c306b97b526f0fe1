// Compact groups stay compact: comparing with a baseline, merging and keeping a JSON report's groups
// do not read their reports back into memory (each would be one report per group again), and give
// the groups plain ones give.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scan } from '../../../src/index.js';
import { compareWithBaseline } from '../../../src/scan/baseline.js';
import { holdGroup, mergeGroups, spillReports, type CrashGroup } from '../../../src/scan/group.js';
import { tempDir } from '../../support/tmp.js';

const trace = (fn: string, line = 12) => `Program received signal SIGSEGV, Segmentation fault.
#0  0x0000555555555431 in ${fn} (this=0x0) at src/handler.cpp:${line}
#1  0x0000555555555252 in app::dispatch (b=0x5555) at src/dispatch.cpp:8
#2  0x00005555555553cc in main () at src/main.cpp:20

`;

const isLazy = (g: CrashGroup) => typeof Object.getOwnPropertyDescriptor(g, 'report')?.get === 'function' && typeof Object.getOwnPropertyDescriptor(g, 'diagnosis')?.get === 'function';

async function tree() {
  const dir = tempDir('compact-groups');
  const root = join(dir, 'tree');
  mkdirSync(root);
  writeFileSync(join(root, 'a.log'), trace('app::one') + trace('app::two') + trace('app::one', 13));
  writeFileSync(join(root, 'b.log'), trace('app::two') + trace('app::three'));
  return root;
}

afterEach(() => spillReports(false));

describe('compact groups', () => {
  it('compareWithBaseline marks each group without reading its report back or changing the input', async () => {
    const root = await tree();
    const plain = await scan([root]);
    spillReports({ after: 0 });
    const spilled = await scan([root]);
    expect(spilled.groups.every(isLazy)).toBe(true);
    const baseline = { path: 'b.json', signatureVersion: spilled.signatureVersion, groups: [{ signature: plain.groups[0]!.signature, signatureText: '', title: '', crashKind: 'SIGSEGV', severity: 'high' as const, count: 1, first: null }] };
    const compared = compareWithBaseline(spilled, baseline);
    expect(compared.groups.every(isLazy)).toBe(true);
    expect(spilled.groups.some((g) => 'baselineState' in g)).toBe(false);
    expect(compared.groups.map((g) => g.baselineState)).toEqual(['unchanged', 'new', 'new']);
    expect(JSON.parse(JSON.stringify(compared))).toEqual(JSON.parse(JSON.stringify(compareWithBaseline(plain, baseline))));
  });

  it('holdGroup keeps a JSON report group compactly, the same group to its readers', async () => {
    const root = await tree();
    const plain = await scan([root]);
    const fromJson = JSON.parse(JSON.stringify(plain.groups)) as CrashGroup[];
    spillReports({ after: 0 });
    const held = fromJson.map(holdGroup);
    expect(held.every(isLazy)).toBe(true);
    expect(JSON.stringify(held)).toBe(JSON.stringify(plain.groups));
  });

  it('mergeGroups with consume empties each part once merged, and merges as without', async () => {
    const root = await tree();
    const a = await scan([join(root, 'a.log')]);
    const b = await scan([join(root, 'b.log')]);
    const expected = JSON.stringify(mergeGroups([a.groups, b.groups]));
    spillReports({ after: 1 });
    const parts = [(await scan([join(root, 'a.log')])).groups, (await scan([join(root, 'b.log')])).groups];
    const merged = mergeGroups(parts, { consume: true });
    expect(parts).toEqual([[], []]);
    expect(JSON.stringify(merged)).toBe(expected);
    expect(merged.map((g) => g.count)).toEqual([2, 2, 1]);
    // Overlapping parts are still refused.
    expect(() => mergeGroups([a.groups, structuredClone(a.groups)], { consume: true })).toThrow(/is in more than one report/);
  });
});
