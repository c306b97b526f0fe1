// Symbols for unsymbolized text traces (README "Symbols for release builds"): real programs built
// with -g, their debug information moved into separate files (objcopy --only-keep-debug, strip,
// --add-gnu-debuglink, and a build-id tree under a --debug-dir), run so that they print what
// release builds print; then `coredx analyze --exe ... --debug-dir ...` must name functions and files.

import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProgram, gdbLive, haveCompiler, haveGdb } from '../support/debuggers.js';
import { tempDir } from '../support/tmp.js';
import { findSymbolizer } from '../../src/symbolize/index.js';
import type { AnalyzeResult, Report } from '../../src/model.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coredx.js');
const tools = spawnSync('sh', ['-c', 'command -v objcopy && command -v strip && command -v readelf'], { encoding: 'utf8' }).status === 0;
const skip = !haveCompiler().ok || !tools || !findSymbolizer() ? 'needs gcc, binutils (objcopy, strip, readelf) and a symbolizer' : null;

function sh(cmd: string, cwd: string, env: NodeJS.ProcessEnv = {}): { out: string; status: number | null } {
  const r = spawnSync('sh', ['-c', `${cmd} 2>&1`], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  return { out: r.stdout ?? '', status: r.status };
}

function coredx(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { json: AnalyzeResult; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, [BIN, 'analyze', '--format', 'json', ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1', ...env } });
  if (!r.stdout) throw new Error(`coredx ${args.join(' ')}: no output (status ${r.status}, ${r.signal ?? 'no signal'}${r.error ? `, ${r.error.message}` : ''}): ${r.stderr}`);
  return { json: JSON.parse(r.stdout) as AnalyzeResult, stderr: r.stderr, status: r.status };
}

const crashed = (r: Report) => r.threads[r.crashedThread ?? 0]!.frames;

/** Moves `bin`'s DWARF into `bin.debug` beside it and leaves a stripped binary with a .gnu_debuglink. */
function splitDebug(bin: string, dir: string): void {
  for (const cmd of [`objcopy --only-keep-debug ${bin} ${bin}.debug`, `strip ${bin}`, `objcopy --add-gnu-debuglink=${bin}.debug ${bin}`]) {
    const r = sh(cmd, dir);
    if (r.status !== 0) throw new Error(`${cmd}: ${r.out}`);
  }
}

/** Moves `bin`'s DWARF into DIR/.build-id/xx/rest.debug and strips it (no debuglink). */
function buildIdLayout(bin: string, dir: string, debugDir: string): void {
  const id = /Build ID: ([0-9a-f]+)/.exec(sh(`readelf -n ${bin}`, dir).out)![1]!;
  mkdirSync(join(debugDir, '.build-id', id.slice(0, 2)), { recursive: true });
  for (const cmd of [`objcopy --only-keep-debug ${bin} ${join(debugDir, '.build-id', id.slice(0, 2), `${id.slice(2)}.debug`)}`, `strip ${bin}`]) {
    const r = sh(cmd, dir);
    if (r.status !== 0) throw new Error(`${cmd}: ${r.out}`);
  }
}

describe.skipIf(skip)('symbolizing text traces of stripped builds', () => {
  let dir: string;
  let trace: string;
  beforeAll(() => {
    dir = tempDir('symbolize');
    // The crash handler's program, without -rdynamic: a stripped release build prints offsets only.
    buildProgram('backtrace_symbols', dir);
    sh('gcc backtrace_symbols.c -g -O0 -o release', dir);
    splitDebug('release', dir);
    trace = sh('./release', dir).out;
    writeFileSync(join(dir, 'release.txt'), trace);
  });

  it('prints offsets only before, and names functions and files with --exe', () => {
    expect(trace).toMatch(/\.\/release\(\+0x[0-9a-f]+\) ?\[0x/);
    const plain = coredx(['release.txt'], dir).json.reports[0]!;
    expect(crashed(plain).every((f) => f.file === null)).toBe(true);
    expect(plain.signatureText).toContain('release!');

    const r = coredx(['release.txt', '--exe', './release'], dir).json.reports[0]!;
    const names = crashed(r).map((f) => f.function);
    expect(names).toEqual(expect.arrayContaining(['on_fatal', 'parse_record', 'load_records', 'main']));
    const parse = crashed(r).find((f) => f.function === 'parse_record')!;
    expect(parse.symbolized).toBeDefined();
    expect(parse.file).toMatch(/backtrace_symbols\.c$/);
    expect(parse.line).toBe(16);
    // The handler above the signal trampoline is not the bug: signed like gdb signs the crash.
    expect(r.signatureText).toBe('SIGSEGV | parse_record | load_records | main');
    expect(r.signatureFrames).toEqual(['parse_record', 'load_records', 'main']);
    expect(r.warnings).toEqual(['5 frames of release named by llvm-symbolizer from release.debug (found by .gnu_debuglink)'.replace('llvm-symbolizer', findSymbolizer()!.name)]);
    // libc's frames are another machine's library without --sysroot: left as printed.
    expect(crashed(r).filter((f) => f.module?.includes('libc.so')).every((f) => !f.symbolized)).toBe(true);
  });

  it('resolves symbol+offset lines of a stripped -rdynamic build by the symbol table', () => {
    // -rdynamic keeps the exported names in .dynsym after strip: "./exported(parse_record+0x10) [0x...]".
    sh('gcc backtrace_symbols.c -g -O0 -rdynamic -o exported', dir);
    splitDebug('exported', dir);
    const out = sh('./exported', dir).out;
    expect(out).toMatch(/\.\/exported\(parse_record\+0x[0-9a-f]+\)/);
    writeFileSync(join(dir, 'exported.txt'), out);
    const r = coredx(['exported.txt', '--exe', './exported'], dir).json.reports[0]!;
    const frames = crashed(r);
    const parse = frames.find((f) => f.function === 'parse_record')!;
    expect(parse).toMatchObject({ line: 16, symbolized: expect.any(String) });
    expect(frames.find((f) => f.function === 'load_records')).toMatchObject({ line: 17 });
    expect(frames[0]).toMatchObject({ function: 'on_fatal', line: 10 });
    expect(r.signatureText).toBe('SIGSEGV | parse_record | load_records | main');
  });

  it("finds butil's names demangled in place in the C++ symbol table", () => {
    buildProgram('backtrace_symbols_cpp', dir);
    sh('cp backtrace_symbols_cpp cxx', dir);
    splitDebug('cxx', dir);
    const out = sh('./cxx', dir).out;
    // butil prints the same lines with the names demangled in place, after its own header.
    const named = [...out.matchAll(/^\.\/cxx\((_ZN\S+)\+(0x[0-9a-f]+)\) ?\[(0x[0-9a-f]+)\]$/gm)];
    expect(named.length).toBe(2);
    const demangled = spawnSync('c++filt', { input: named.map((m) => m[1]).join('\n'), encoding: 'utf8' }).stdout.split('\n');
    if (!demangled[0]!.startsWith('ingest::')) return; // no c++filt: the names stay mangled anyway
    const dump = ['Received signal 11 SEGV_MAPERR 000000000000', ...named.map((m, i) => `./cxx(${demangled[i]}+${m[2]}) [${m[3]}]`)].join('\n');
    writeFileSync(join(dir, 'butil-cxx.txt'), dump);
    const r = coredx(['butil-cxx.txt', '--exe', './cxx'], dir).json.reports[0]!;
    expect(crashed(r).map((f) => [f.function, f.line])).toEqual([['ingest::measure', 10], ['ingest::run', 11]]);
  });

  it('turns the calls llvm-symbolizer reports inlined at a module offset into inlined frames', () => {
    if (findSymbolizer()!.name === 'addr2line') return;
    buildProgram('inlined', dir);
    splitDebug('inlined', dir);
    const compute = /^([0-9a-f]+) T compute$/m.exec(sh('nm inlined.debug', dir).out)![1]!;
    const offset = `0x${BigInt(`0x${compute}`).toString(16)}`;
    const dump = [
      'PLEASE submit a bug report to https://github.com/llvm/llvm-project/issues/ and include the crash backtrace.',
      'Stack dump:',
      '0.\tProgram arguments: ./inlined',
      ` #0 0x000055d1c3a0${offset.slice(-4)} (${join(dir, 'inlined')}+${offset})`,
      ' #1 0x00007f026e44524a (/lib/x86_64-linux-gnu/libc.so.6+0x2724a)',
      'Segmentation fault (core dumped)',
    ].join('\n');
    writeFileSync(join(dir, 'llvm.txt'), dump);
    const r = coredx(['llvm.txt', '--exe', './inlined'], dir).json.reports[0]!;
    expect(r.format).toBe('llvm');
    const frames = crashed(r).slice(0, 3);
    expect(frames.map((f) => [f.function, f.inlined])).toEqual([['read_value', true], ['scaled', true], ['compute', false]]);
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2]);
    expect(frames[0]!.file).toMatch(/inlined\.c$/);
    expect(crashed(r)[3]!.index).toBe(3);
  });

  it('reads the same trace from stdin and with every installed symbolizer', () => {
    for (const name of ['llvm-symbolizer', 'eu-addr2line', 'addr2line'] as const) {
      const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
      if (!found) continue;
      const only = join(dir, `only-${name}`);
      mkdirSync(only, { recursive: true });
      symlinkSync(found, join(only, name));
      const r = spawnSync(process.execPath, [BIN, 'analyze', '-f', 'json', '--exe', './release'], { cwd: dir, input: trace, encoding: 'utf8', env: { ...process.env, PATH: only } });
      const report = (JSON.parse(r.stdout) as AnalyzeResult).reports[0]!;
      const parse = crashed(report).find((f) => f.function === 'parse_record');
      expect(parse?.symbolized, name).toBe(name);
      expect(parse?.file, name).toMatch(/backtrace_symbols\.c$/);
      expect(report.signatureText, name).toBe('SIGSEGV | parse_record | load_records | main');
    }
  });

  it('finds the debug file by build id under --debug-dir (ASan without symbolizer)', () => {
    const asanOk = sh('gcc -fsanitize=address -x c /dev/null -c -o /dev/null', dir).status === 0;
    if (!asanOk) return;
    buildProgram('asan_overflow', dir);
    const debugDir = join(dir, 'debug');
    buildIdLayout('asan_overflow', dir, debugDir);
    const out = sh('./asan_overflow', dir, { ASAN_OPTIONS: 'symbolize=0:detect_leaks=0' }).out;
    expect(out).toMatch(/\(\S*asan_overflow\+0x[0-9a-f]+\)/);
    writeFileSync(join(dir, 'asan.txt'), out);
    const without = coredx(['asan.txt', '--exe', './asan_overflow'], dir).json.reports[0]!;
    expect(without.warnings?.join('\n'), JSON.stringify(without)).toMatch(/no debug information/);
    const r = coredx(['asan.txt', '--exe', './asan_overflow', '--debug-dir', 'debug'], dir).json.reports[0]!;
    expect(r.format).toBe('asan');
    const access = r.threads.find((t) => t.role === 'access')!.frames;
    expect(access[0]).toMatchObject({ function: 'fill', line: 5 });
    expect(access[0]!.file).toMatch(/asan_overflow\.c$/);
    expect(access.some((f) => f.function === 'main' && f.symbolized)).toBe(true);
    const alloc = r.threads.find((t) => t.role === 'allocated-by')!.frames;
    expect(alloc.some((f) => f.function === 'main' && f.line === 9)).toBe(true);
    expect(r.signatureText).toBe('heap-buffer-overflow | fill | main');
    expect(r.diagnoses[0]?.ruleId).toBe('generic/sanitizer-buffer-overflow');
    // Newer sanitizers print each module's build id: another build of the program is not used.
    writeFileSync(join(dir, 'asan-other-build.txt'), out.replace(/(\(\S*asan_overflow\+0x[0-9a-f]+\))$/gm, '$1 (BuildId: 0123456789abcdef0123456789abcdef01234567)'));
    const other = coredx(['asan-other-build.txt', '--exe', './asan_overflow', '--debug-dir', 'debug'], dir).json.reports[0]!;
    expect(other.threads.flatMap((t) => t.frames).some((f) => f.symbolized)).toBe(false);
    expect(other.warnings?.join('\n')).toMatch(/asan_overflow is not the build that crashed/);
  });

  it("places brpc's bare in-handler addresses by a /proc/self/maps dump in the log", () => {
    // The absolute addresses the release build printed, and where it was loaded (address - offset).
    const lines = [...trace.matchAll(/\.\/release\(\+(0x[0-9a-f]+)\) ?\[(0x[0-9a-f]+)\]/g)].map((m) => ({ offset: BigInt(m[1]!), address: BigInt(m[2]!) }));
    const base = lines[0]!.address - lines[0]!.offset;
    const hex = (n: bigint) => n.toString(16).padStart(12, '0');
    const maps = [
      `${hex(base)}-${hex(base + 0x1000n)} r--p 00000000 08:01 1234                       ${join(dir, 'release')}`,
      `${hex(base + 0x1000n)}-${hex(base + 0x2000n)} r-xp 00001000 08:01 1234                       ${join(dir, 'release')}`,
      `${hex(base + 0x2000n)}-${hex(base + 0x3000n)} r--p 00002000 08:01 1234                       ${join(dir, 'release')}`,
    ];
    const bare = ['Received signal 11 SEGV_MAPERR 000000000004', ...lines.slice(1).map((l) => ` [0x${l.address.toString(16)}]`), ''];
    // ASan's module list (ranges only) and gdb's `info sharedlibrary` (From: where .text was loaded).
    const text = BigInt(`0x${/\.text\s+PROGBITS\s+([0-9a-f]+)/.exec(sh('readelf -SW release', dir).out)![1]}`);
    const variants: [string, string[], string[]][] = [
      ['proc-maps', ['maps:', ...maps], []],
      ['asan-map', ['==1==Process memory map follows:', `\t0x${hex(base)}-0x${hex(base + 0x1000n)}\t${join(dir, 'release')}`, `\t0x${hex(base + 0x1000n)}-0x${hex(base + 0x2000n)}\t${join(dir, 'release')}`, '==1==End of process memory map.'], []],
      ['gdb-info-sharedlibrary', ['From                To                  Syms Read   Shared Object Library', `0x${hex(base + text)}  0x${hex(base + text + 0x200n)}  Yes         /release`], ['--sysroot', dir]],
    ];
    for (const [name, map, flags] of variants) {
      writeFileSync(join(dir, 'butil.txt'), [...bare, ...map].join('\n'));
      const r = coredx(['butil.txt', '--exe', './release', ...flags], dir).json.reports[0]!;
      expect(r.format, name).toBe('butil');
      const named = crashed(r).filter((f) => f.symbolized).map((f) => f.function);
      expect(named, name).toEqual(expect.arrayContaining(['parse_record', 'load_records', 'main']));
      expect(r.signatureText, name).toMatch(/^SIGSEGV \| parse_record \| load_records/);
    }
    // Without a map the addresses of a PIE cannot be placed: the report says what is missing.
    writeFileSync(join(dir, 'butil.txt'), bare.join('\n'));
    const unplaced = coredx(['butil.txt', '--exe', './release'], dir).json.reports[0]!;
    expect(crashed(unplaced).some((f) => f.symbolized)).toBe(false);
    expect(unplaced.warnings?.join('\n')).toMatch(/release is position-independent .* load address is needed/);
    writeFileSync(join(dir, 'butil.txt'), [...bare, 'maps:', ...maps].join('\n'));
  });

  it("names a Ceph dump's (()+0x...) frames, and its named frames by the load address they give", () => {
    const lines = [...trace.matchAll(/\.\/release\(\+(0x[0-9a-f]+)\) ?\[(0x[0-9a-f]+)\]/g)].map((m) => ({ offset: m[1]!, address: m[2]! }));
    const [, parse, load, main] = lines;
    const dump = [
      '2024-03-05T10:46:36.123+0000 7f8d5c3e6700 -1 *** Caught signal (Segmentation fault) **',
      ' in thread 7f8d5c3e6700 thread_name:worker',
      '',
      ' ceph version 16.2.10 (45fa1a083152e41a408d15505f594ec5f1b4fe17) pacific (stable)',
      ' 1: /lib64/libpthread.so.0(+0x12ce0) [0x7f8d7a0e6ce0]',
      ` 2: (()+${parse!.offset}) [${parse!.address}]`,
      ` 3: (load_records(char const*)+0x16) [${load!.address}]`,
      ` 4: ${join(dir, 'release')}(+${main!.offset}) [${main!.address}]`,
      ' NOTE: a copy of the executable, or `objdump -rdS <executable>` is needed to interpret this.',
    ].join('\n');
    writeFileSync(join(dir, 'ceph.txt'), dump);
    const r = coredx(['ceph.txt', '--exe', './release'], dir).json.reports[0]!;
    expect(r.format).toBe('ceph');
    expect(crashed(r).map((f) => [f.function, f.line])).toEqual([['??', null], ['parse_record', 16], ['load_records', 17], ['main', 21]]);
    expect(r.signatureText).toBe('SIGSEGV | parse_record | load_records | main');
  });

  it("names a stripped program's frames in gdb's bt by its info proc mappings", () => {
    if (!haveGdb().ok) return;
    buildProgram('stripped', dir);
    sh('gcc stripped.c -g -O0 -o stripped', dir);
    splitDebug('stripped', dir);
    // gdb follows the debuglink too: hidden while it runs, as on a machine without the debug file.
    renameSync(join(dir, 'stripped.debug'), join(dir, 'stripped.hidden'));
    const out = gdbLive('stripped', dir, ['bt', 'info proc mappings']).output;
    renameSync(join(dir, 'stripped.hidden'), join(dir, 'stripped.debug'));
    expect(out).toMatch(/#0 +0x[0-9a-f]+ in \?\? \(\)/);
    writeFileSync(join(dir, 'gdb.txt'), out);
    const r = coredx(['gdb.txt', '--exe', './stripped'], dir).json.reports[0]!;
    expect(crashed(r).slice(0, 2).map((f) => [f.function, f.line])).toEqual([['parse', 2], ['main', 3]]);
    expect(r.signatureText).toBe('SIGSEGV | parse | main');
  });

  it('says so and keeps the report when no symbolizer is on PATH', () => {
    const empty = join(dir, 'no-tools');
    mkdirSync(empty, { recursive: true });
    const { json, status } = coredx(['release.txt', '--exe', './release'], dir, { PATH: empty });
    expect(status).toBe(0);
    const r = json.reports[0]!;
    expect(r.warnings?.join('\n')).toMatch(/no symbolizer found on PATH/);
    expect(crashed(r).some((f) => f.symbolized)).toBe(false);
    expect(r.signatureText).toContain('release!');
  });

  it('warns about an --exe that is not there', () => {
    const r = coredx(['release.txt', '--exe', './missing'], dir).json.reports[0]!;
    expect(r.warnings?.join('\n')).toMatch(/--exe \.\/missing: no such file/);
  });

  it('scan --exe symbolizes too', () => {
    mkdirSync(join(dir, 'logs'), { recursive: true });
    renameSync(join(dir, 'butil.txt'), join(dir, 'logs', 'butil.log'));
    const r = spawnSync(process.execPath, [BIN, 'scan', 'logs', '--exe', './release', '-f', 'json', '-q', '--fail-on', 'none'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    const groups = (JSON.parse(r.stdout) as { groups: { signatureText: string }[] }).groups;
    expect(groups.map((g) => g.signatureText)).toEqual([expect.stringMatching(/^SIGSEGV \| parse_record \| load_records/)]);
  });
});
