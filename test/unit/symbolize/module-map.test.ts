// Module maps a log may hold: /proc/self/maps dumps, ASan's memory map, gdb's `info sharedlibrary`.

import { describe, expect, it } from 'vitest';
import { mappingOf, mappingsOfModule, ModuleMapCollector, nearestDump } from '../../../src/symbolize/module-map.js';

function collect(lines: string[], first = 1) {
  const c = new ModuleMapCollector();
  lines.forEach((l, i) => c.push(l, first + i));
  return c.all;
}

describe('ModuleMapCollector', () => {
  it('reads /proc/self/maps lines with their file offsets (anonymous and [heap] lines are not modules)', () => {
    const maps = collect([
      '55f5da03b000-55f5da03c000 r--p 00000000 08:01 1234                       /srv/bin/server',
      '55f5da03c000-55f5da03d000 r-xp 00001000 08:01 1234                       /srv/bin/server',
      '55f5dae00000-55f5dae21000 rw-p 00000000 00:00 0                          [heap]',
      '7fc366017000-7fc36603d000 r--p 00000000 08:01 5678                       /usr/lib/x86_64-linux-gnu/libc.so.6',
      '7fc36603d000-7fc366192000 r-xp 00026000 08:01 5678                       /usr/lib/x86_64-linux-gnu/libc.so.6',
      '7ffd1a2f0000-7ffd1a311000 rw-p 00000000 00:00 0',
    ]);
    expect(maps.map((m) => [m.path, m.start.toString(16), m.offset?.toString(16)])).toEqual([
      ['/srv/bin/server', '55f5da03b000', '0'],
      ['/srv/bin/server', '55f5da03c000', '1000'],
      ['/usr/lib/x86_64-linux-gnu/libc.so.6', '7fc366017000', '0'],
      ['/usr/lib/x86_64-linux-gnu/libc.so.6', '7fc36603d000', '26000'],
    ]);
    expect(mappingOf(maps, 0x55f5da03c19en)?.offset).toBe(0x1000n);
    expect(mappingOf(maps, 0x1000n)).toBeNull();
    expect(mappingsOfModule(maps, 'libc.so.6')).toHaveLength(2);
  });

  it("reads ASan's memory map (ranges only) and gdb's info sharedlibrary (.text ranges)", () => {
    const maps = collect([
      '==30440==Process memory map follows:',
      '\t0x00007fff7000-0x00008fff7000\t',
      '\t0x561448af2000-0x561448af3000\t/tmp/asan',
      '==30440==End of process memory map.',
      'From                To                  Syms Read   Shared Object Library',
      '0x00007ffff7fc5090  0x00007ffff7fee335  Yes         /lib64/ld-linux-x86-64.so.2',
      '0x00007ffff7dab700  0x00007ffff7f3d93d  Yes (*)     /lib/x86_64-linux-gnu/libc.so.6',
    ]);
    expect(maps.map((m) => [m.path, m.offset, !!m.textStart])).toEqual([
      ['/tmp/asan', null, false],
      ['/lib64/ld-linux-x86-64.so.2', null, true],
      ['/lib/x86_64-linux-gnu/libc.so.6', null, true],
    ]);
  });

  it("reads gdb's info proc mappings, with and without the Perms column", () => {
    const maps = collect([
      '          Start Addr           End Addr       Size     Offset  Perms  objfile',
      '      0x555555554000     0x555555555000     0x1000        0x0  r--p   /tmp/prog',
      '      0x555555555000     0x555555556000     0x1000     0x1000  r-xp   /tmp/prog',
      '      0x7ffff7dd5000     0x7ffff7dfb000    0x26000        0x0 /usr/lib/x86_64-linux-gnu/libc.so.6',
    ]);
    expect(maps.map((m) => [m.path, m.start.toString(16), m.offset?.toString(16)])).toEqual([
      ['/tmp/prog', '555555554000', '0'],
      ['/tmp/prog', '555555555000', '1000'],
      ['/usr/lib/x86_64-linux-gnu/libc.so.6', '7ffff7dd5000', '0'],
    ]);
  });

  it('takes the dump nearest to a report when a log holds several processes', () => {
    const one = '55f5da03b000-55f5da03c000 r-xp 00000000 08:01 1 /srv/bin/server';
    const two = '56aaaa03b000-56aaaa03c000 r-xp 00000000 08:01 1 /srv/bin/server';
    const maps = collect([one, one, ...Array(50).fill('log line'), two, two]);
    expect(nearestDump(maps, 10).map((m) => m.start.toString(16))).toEqual(['55f5da03b000', '55f5da03b000']);
    expect(nearestDump(maps, 60).map((m) => m.start.toString(16))).toEqual(['56aaaa03b000', '56aaaa03b000']);
    expect(nearestDump([], 1)).toEqual([]);
  });
});
