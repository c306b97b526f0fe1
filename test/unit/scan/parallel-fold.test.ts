// scan --jobs N: a worker thread posts each file's groups packed (packGroup: one report per group,
// as JSON text), and the main thread folds them as they arrive (GroupFold.addPacked). Folded in
// any order, with reports kept in memory or written away, they are the groups a serial scan gives.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scan } from '../../../src/scan/scan.js';
import { GroupFold, packGroup, spillReports, type PackedGroup } from '../../../src/scan/group.js';
import { tempDir } from '../../support/tmp.js';

const crash = (fn: string, signal = 'SIGSEGV, Segmentation fault', before = '') =>
  `${before}Program terminated with signal ${signal}.\n#0  0x0000000000401136 in ${fn} (p=0x0) at src/${fn}.c:5\n#1  0x0000000000401150 in main () at src/main.c:9\n`;

/** Files whose groups span files; one group's best diagnosis is a later occurrence's, not its first report's. */
function tree(): string[] {
  const dir = tempDir('parallel-fold');
  const files: string[] = [];
  for (let i = 0; i < 8; i++) {
    let text = '';
    for (let k = 0; k <= i % 3; k++) text += `[INFO] ${k}\n`.repeat(k) + crash(`fn_${(i + k) % 4}`);
    text += crash('handle', '6, Aborted');
    // Within one file: the packed group's diagnosis is then not its report's (sent as its own text).
    if (i === 5) text += '[INFO] later\n'.repeat(40) + crash('handle', '6, Aborted', '*** stack smashing detected ***: terminated\n');
    const file = join(dir, `run-${i}.log`);
    writeFileSync(file, text);
    files.push(file);
  }
  return files;
}

/** What a worker posts for one file, as the main thread receives it (a structured clone). */
const postedFor = async (file: string): Promise<PackedGroup[]> => structuredClone((await scan([file], { jobs: 1 })).groups.map(packGroup));

afterEach(() => spillReports(false));

describe('parallel fold', () => {
  it("a file's message holds its groups, each with one report as JSON text and no report objects", async () => {
    const [file] = tree();
    const posted = await postedFor(file!);
    const serial = (await scan([file!])).groups;
    expect(posted.map((p) => p.signature)).toEqual(serial.map((g) => g.signature));
    for (const p of posted) {
      expect(typeof p.report).toBe('string');
      expect((JSON.parse(p.report) as { signature: string }).signature).toBe(p.signature);
      // Nothing else of a report: no object with a report's threads anywhere in the message.
      expect(JSON.stringify({ ...p, report: null })).not.toContain('"threads"');
    }
  });

  for (const after of [null, 0, 2]) {
    it(`folded in any order gives the serial scan's groups (${after === null ? 'reports in memory' : `spilled after ${after}`})`, async () => {
      const files = tree();
      const serial = await scan(files, { jobs: 1 });
      // The fixture has a group whose diagnosis comes from a later occurrence than its first.
      expect(serial.groups.some((g) => g.diagnosisAt !== g.occurrences[0] && JSON.stringify(g.diagnosis) !== JSON.stringify(g.report.diagnoses[0]))).toBe(true);
      if (after !== null) spillReports({ after });
      const posted = await Promise.all(files.map(postedFor));
      expect(posted.flat().filter((p) => p.diagnosis !== null)).toHaveLength(1);
      for (const order of [posted, [...posted].reverse(), [posted[3]!, posted[0]!, ...posted.slice(4), posted[2]!, posted[1]!]]) {
        const fold = new GroupFold();
        // A fresh copy each time: the fold takes over the occurrences it is given, as from a message.
        for (const part of structuredClone(order)) for (const g of part) fold.addPacked(g);
        expect(JSON.stringify(fold.groups())).toBe(JSON.stringify(serial.groups));
      }
    });

    it(`this thread's batches (add) and workers' files (addPacked) folded together give the serial scan's groups (${after === null ? 'reports in memory' : `spilled after ${after}`})`, async () => {
      const files = tree();
      const serial = await scan(files, { jobs: 1 });
      if (after !== null) spillReports({ after });
      // Even files scanned "here" as one batch, odd ones posted by a "worker": the same signatures
      // arrive both ways, interleaved.
      const here = (await scan(files.filter((_, i) => i % 2 === 0), { jobs: 1 })).groups;
      const posted = await Promise.all(files.filter((_, i) => i % 2 === 1).map(postedFor));
      expect(posted.flat().some((p) => here.some((g) => g.signature === p.signature))).toBe(true);
      const fold = new GroupFold();
      fold.addPacked(posted[0]![0]!);
      for (const g of here) fold.add(g);
      for (const [k, part] of posted.entries()) for (const g of part.slice(k === 0 ? 1 : 0)) fold.addPacked(g);
      expect(JSON.stringify(fold.groups())).toBe(JSON.stringify(serial.groups));
    });
  }
});
