// coredx merge reads a scan JSON report a group at a time and keeps each group compactly: a
// location given twice (the first occurrence and diagnosisAt) is one object, and merging with
// `consume` drops each input's groups once merged; the merged report is the same either way.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderScanJson } from '../../../src/render/scan-json.js';
import { mergeResults, readScanReport } from '../../../src/scan/merge.js';
import { scan } from '../../../src/scan/scan.js';
import { tempDir } from '../../support/tmp.js';

const crash = (fn: string) =>
  `Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000000000401136 in ${fn} (p=0x0) at src/${fn}.c:5\n#1  0x0000000000401150 in main () at src/main.c:9\n`;

async function report(): Promise<{ file: string; json: string }> {
  const dir = tempDir('merge-read');
  writeFileSync(join(dir, 'a.log'), crash('one') + crash('two') + crash('one'));
  writeFileSync(join(dir, 'b.log'), crash('two') + crash('three'));
  const json = renderScanJson(await scan([dir]));
  const file = join(dir, 'scan.json');
  writeFileSync(file, json);
  return { file, json };
}

describe('merge reads a report compactly', () => {
  it('shares a location named twice, and gives the groups as written', async () => {
    const { file, json } = await report();
    const input = readScanReport(file);
    const groups = input.result.groups;
    expect(groups.length).toBe(3);
    for (const g of groups) expect(g.diagnosisAt).toBe(g.occurrences[0]);
    expect(JSON.parse(JSON.stringify(groups))).toEqual(JSON.parse(json).groups);
  });

  it('with consume, empties the inputs and merges as without', async () => {
    const { file } = await report();
    const expected = JSON.stringify(mergeResults([readScanReport(file)]));
    const input = readScanReport(file);
    const merged = mergeResults([input], { consume: true });
    expect(input.result.groups).toEqual([]);
    expect(JSON.stringify(merged)).toBe(expected);
  });
});
