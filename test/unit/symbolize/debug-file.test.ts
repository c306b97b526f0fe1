// ELF facts and separate debug files: built with the machine's gcc and binutils (skipped without).

import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findDebugFile } from '../../../src/symbolize/debug-file.js';
import { readElfInfo } from '../../../src/symbolize/elf.js';
import { tempDir } from '../../support/tmp.js';

const have = spawnSync('sh', ['-c', 'command -v gcc && command -v objcopy && command -v strip'], { encoding: 'utf8' }).status === 0;

function sh(cmd: string, cwd: string): string {
  const r = spawnSync('sh', ['-c', `${cmd} 2>&1`], { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stdout}`);
  return r.stdout;
}

describe.skipIf(!have)('ELF facts and separate debug files', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('symbolize-elf');
    writeFileSync(join(dir, 'p.c'), 'int helper(int x) { return x * 2; }\nint main(void) { return helper(1); }\n');
    sh('gcc -g -O0 p.c -o full && gcc -g -O0 -no-pie p.c -o fixed && cp full stripped && strip stripped', dir);
  });

  it('reads type, build id, DWARF and symbols', () => {
    const full = readElfInfo(join(dir, 'full'))!;
    expect(full.type).toBe('dyn');
    expect(full.buildId).toMatch(/^[0-9a-f]{40}$/);
    expect(full.hasDebugInfo).toBe(true);
    expect(full.symbols().some((s) => s.name === 'helper' && s.value > 0n)).toBe(true);
    expect(full.textAddress).not.toBeNull();
    expect(full.loads.length).toBeGreaterThan(0);
    expect(readElfInfo(join(dir, 'fixed'))!.type).toBe('exec');
    const stripped = readElfInfo(join(dir, 'stripped'))!;
    expect(stripped.hasDebugInfo).toBe(false);
    expect(stripped.hasSymtab).toBe(false);
    expect(stripped.buildId).toBe(full.buildId);
    expect(readElfInfo(join(dir, 'p.c'))).toBeNull();
    expect(readElfInfo(join(dir, 'missing'))).toBeNull();
  });

  it('finds the debug file by .gnu_debuglink next to the binary, in .debug/, and in a --debug-dir', () => {
    sh('cp full linked && objcopy --only-keep-debug linked linked.debug && strip linked && objcopy --add-gnu-debuglink=linked.debug linked', dir);
    const linked = join(dir, 'linked');
    const info = readElfInfo(linked)!;
    expect(info.debuglink).toBe('linked.debug');
    expect(findDebugFile(linked, info, [])).toEqual({ path: join(dir, 'linked.debug'), how: 'debuglink' });
    mkdirSync(join(dir, '.debug'));
    renameSync(join(dir, 'linked.debug'), join(dir, '.debug', 'linked.debug'));
    expect(findDebugFile(linked, info, [])).toEqual({ path: join(dir, '.debug', 'linked.debug'), how: 'debuglink' });
    const other = join(dir, 'other-debug');
    mkdirSync(other);
    renameSync(join(dir, '.debug', 'linked.debug'), join(other, 'linked.debug'));
    expect(findDebugFile(linked, info, []).how).toBe('symbols');
    expect(findDebugFile(linked, info, [other])).toEqual({ path: join(other, 'linked.debug'), how: 'debuglink' });
  });

  it('finds it by build id under DIR/.build-id/, and refuses a debug file of another build', () => {
    const info = readElfInfo(join(dir, 'stripped'))!;
    const id = info.buildId!;
    const debugDir = join(dir, 'by-id');
    mkdirSync(join(debugDir, '.build-id', id.slice(0, 2)), { recursive: true });
    const target = join(debugDir, '.build-id', id.slice(0, 2), `${id.slice(2)}.debug`);
    sh(`objcopy --only-keep-debug full ${target}`, dir);
    expect(findDebugFile(join(dir, 'stripped'), info, [debugDir])).toEqual({ path: target, how: 'build-id' });
    // A debug file named by the link but of another build (its build id differs) is not taken.
    sh('gcc -g -O1 p.c -o rebuilt && objcopy --only-keep-debug rebuilt stale.debug && cp stripped stale && objcopy --add-gnu-debuglink=stale.debug stale', dir);
    const stale = readElfInfo(join(dir, 'stale'))!;
    expect(findDebugFile(join(dir, 'stale'), stale, []).how).toBe('symbols');
    // A binary with its own DWARF is its own debug file.
    expect(findDebugFile(join(dir, 'full'), readElfInfo(join(dir, 'full'))!, [debugDir])).toEqual({ path: join(dir, 'full'), how: 'own' });
  });
});
