// A 2 GB log (generated here, deleted after) is scanned in bounded memory, and the crash at its end
// is found at its exact line.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'coredx-2g-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('scans a 2 GB log with peak RSS under 200 MB', () => {
  const path = join(dir, 'huge.log');
  const line = '2025-01-02T03:04:05.1234567Z [INFO] request served in 3ms by worker-7, all good\n';
  const block = Buffer.from(line.repeat(Math.floor((1 << 20) / line.length)));
  const linesPerBlock = block.toString().split('\n').length - 1;
  const blocks = Math.ceil((2 * 1024 ** 3) / block.length);
  const fd = openSync(path, 'w');
  for (let i = 0; i < blocks; i++) writeSync(fd, block);
  writeSync(fd, 'Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000000000401136 in at_the_end (p=0x0) at end.c:5\n');
  closeSync(fd);

  const script = `
    const { scan } = await import(${JSON.stringify(join(import.meta.dirname, '..', '..', 'dist', 'index.js'))});
    const r = await scan([${JSON.stringify(path)}]);
    console.log(JSON.stringify({ rss: process.resourceUsage().maxRSS / 1024, totals: r.totals, line: r.groups[0]?.occurrences[0]?.line, top: r.groups[0]?.report.signatureFrames[0] }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 170_000 });
  expect(child.stderr).toBe('');
  const out = JSON.parse(child.stdout);
  expect(out.totals.bytes).toBeGreaterThanOrEqual(2 * 1024 ** 3);
  expect(out.totals.crashes).toBe(1);
  expect(out.top).toBe('at_the_end');
  expect(out.line).toBe(blocks * linesPerBlock + 1);
  expect(out.rss).toBeLessThan(200);
}, 240_000);
