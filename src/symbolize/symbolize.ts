// Names for the frames of release builds: a crash handler's `./prog(+0x1149) [0x55...]`, brpc's bare
// `[0x55...]`, a sanitizer's `(module+0x11dc)` without symbolizer, Ceph's and LLVM's module offsets.
// Each such frame is placed in a binary (its module matched to --exe by name, or found under
// --sysroot; no module: the module map's, else the executable) at a link-time address:
//   - a module offset is one already (pc minus the load bias: what glibc, the sanitizers and LLVM print);
//   - `symbol+0x1d` is the symbol's value (from the binary's or its debug file's symbol table) plus 0x1d;
//   - an absolute address of a fixed-address executable is one too; of a PIE or shared object it needs
//     the load bias: from the input's module map (/proc/self/maps, ASan's memory map, gdb's
//     `info sharedlibrary`) or from another frame of the same module in the same report that shows
//     both its offset and its absolute address.
// Return addresses (every frame but the innermost and the one a signal interrupted) are looked up one
// byte earlier, inside the call, as debuggers do; sanitizers print that address already.
// Then one symbolizer process per binary (its separate debug file when there is one, see debug-file.ts)
// resolves every address of the input at once; each frame gets the function, file and line, the
// calls inlined at it become frames of their own (marked inlined), and the report is signed again.

import { statSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import type { Frame, Report } from '../model.js';
import { parseLine } from '../parse/backtrace-symbols.js';
import { demangleNamesSync } from '../normalize/demangle.js';
import { normalizeFunctionName } from '../normalize/function-name.js';
import { computeSignature, signalFrameIndex, signatureOptions } from '../normalize/signature.js';
import { inferSignal } from '../normalize/infer-signal.js';
import { detectHang } from '../normalize/hang.js';
import { findDebugFile, type DebugFile } from './debug-file.js';
import { firstLoadBias, readElfInfo, vaddrOfOffset, type ElfInfo } from './elf.js';
import { mappingOf, mappingsOfModule, nearestDump, type Mapping } from './module-map.js';
import { findSymbolizer, symbolizeAddresses, type SymbolizedFrame, type Symbolizer } from './tools.js';

export interface SymbolizeOptions {
  /** The crashed program (`--exe`): frames without a module, and frames whose module has its name, are its. */
  exe?: string;
  /** The crashed machine's root (`--sysroot`): other modules are looked up under it by their path. */
  sysroot?: string;
  /** Folders of separate debug files (`--debug-dir`): DIR/.build-id/xx/rest.debug and .gnu_debuglink names. */
  debugDirs?: string[];
  /** PATH searched for the symbolizer (default: the process's). */
  searchPath?: string;
}

/** Formats whose frames below the innermost hold return addresses as printed (sanitizers print pc-1 themselves). */
const PRINTS_PC_MINUS_ONE = new Set(['asan', 'lsan', 'msan', 'tsan', 'ubsan', 'hwasan', 'libfuzzer']);

interface Target {
  binary: string;
  vaddr: bigint;
}

interface Located {
  report: Report;
  thread: number;
  frame: number;
  target: Target;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

const big = (hex: string | null | undefined): bigint | null => {
  if (!hex || !/^0x[0-9a-fA-F]+$/.test(hex)) return null;
  return BigInt(hex);
};

/** What a frame's own text says beyond the parsed fields: `(+0x1149)`, `(main+0x1d)`, Ceph's `(()+0x4de8f2)`. */
function rawFacts(f: Frame): { offset: bigint | null; symbol: string | null; symbolOffset: bigint | null } {
  const m = parseLine(f.raw);
  if (m) {
    const s = /^(.*?)\+(0x[0-9a-fA-F]+)$/.exec(m[2]!);
    if (s && s[1] === '') return { offset: BigInt(s[2]!), symbol: null, symbolOffset: null };
    if (s && s[1]) return { offset: null, symbol: s[1]!, symbolOffset: BigInt(s[2]!) };
  }
  const ceph = /\(\(\)\+(0x[0-9a-fA-F]+)\)/.exec(f.raw);
  if (ceph) return { offset: BigInt(ceph[1]!), symbol: null, symbolOffset: null };
  return { offset: null, symbol: null, symbolOffset: null };
}

/** The report's frames symbolized in place; warnings added where it could not be done. */
export class SymbolizeRun {
  private readonly exe: string | null;
  private readonly debugFiles = new Map<string, DebugFile>();

  constructor(private readonly options: SymbolizeOptions) {
    this.exe = options.exe && isFile(options.exe) ? options.exe : null;
  }

  /** The binary a module path stands for on this machine, or null (another machine's library). */
  private binaryOf(module: string | null): string | null {
    if (module === null) return this.exe;
    const path = module.split(/\s+/)[0]!;
    if (this.exe && basename(path) === basename(this.exe)) return this.exe;
    if (this.options.sysroot && isAbsolute(path)) {
      const under = join(this.options.sysroot, path);
      if (isFile(under)) return under;
    }
    return null;
  }

  private symbolValue(binary: string, info: ElfInfo, name: string): bigint | null {
    // butil and Chromium print names demangled in place ("brpc::Socket::ProcessEvent(void*)"): the
    // table's C++ names are demangled (c++filt, once per binary) to find them.
    const demangledName = name.includes('(') || name.includes('::');
    const find = (i: ElfInfo) => (demangledName ? demangledTable(i) : symbolTable(i)).get(name) ?? null;
    const own = find(info);
    if (own !== null) return own;
    const debug = this.debugFileOf(binary, info);
    if (debug.path === binary) return null;
    const di = readElfInfo(debug.path);
    return di ? find(di) : null;
  }

  debugFileOf(binary: string, info: ElfInfo): DebugFile {
    let d = this.debugFiles.get(binary);
    if (!d) this.debugFiles.set(binary, (d = findDebugFile(binary, info, this.options.debugDirs ?? [])));
    return d;
  }

  /** Where each unsymbolized frame of `report` lies: binary and link-time address. */
  locate(report: Report, maps: readonly Mapping[]): Located[] {
    const located: Located[] = [];
    const dump = nearestDump(maps, report.source.line);
    // Load biases learned from frames that show both an offset and the absolute address.
    const biases = new Map<string, bigint>();
    const pending: { thread: number; frame: number; binary: string; info: ElfInfo; address: bigint; exact: boolean }[] = [];
    const mismatched = new Set<string>();
    report.threads.forEach((t, ti) => {
      t.frames.forEach((f, fi) => {
        if (f.file !== null || f.symbolized) return;
        const binary = this.binaryOf(f.module);
        const address = big(f.address);
        // A frame with a module that is not the program nor under --sysroot: its own address may
        // still fall in a module the input's map names.
        let bin = binary;
        let info = bin ? readElfInfo(bin) : null;
        const facts = rawFacts(f);
        const offset = big(f.moduleOffset) ?? facts.offset;
        // Sanitizers print the module's build id: another build's binary would give wrong names.
        const printedId = /\(BuildId: ([0-9a-fA-F]+)\)/.exec(f.raw)?.[1]?.toLowerCase();
        if (bin && info && printedId && info.buildId && printedId !== info.buildId) {
          mismatched.add(`${basename(bin)} is not the build that crashed (the trace names build id ${printedId}, the file has ${info.buildId}); its frames keep their addresses`);
          return;
        }
        let vaddr: bigint | null = null;
        if (bin && info && offset !== null) vaddr = inLoads(info, offset) ? offset : null;
        else if (bin && info && facts.symbol) {
          const value = this.symbolValue(bin, info, facts.symbol);
          if (value !== null) vaddr = value + facts.symbolOffset!;
        }
        if (vaddr !== null && address !== null && info!.type === 'dyn') biases.set(bin!, address - vaddr);
        if (vaddr === null && address !== null) {
          const mapped = this.fromMap(dump, f.module, address);
          if (mapped) {
            bin = mapped.binary;
            info = mapped.info;
            vaddr = mapped.vaddr;
          } else if (bin && info) {
            if (info.type === 'exec') vaddr = inLoads(info, address) ? address : null;
            else if (info.type === 'dyn') {
              pending.push({ thread: ti, frame: fi, binary: bin, info, address, exact: this.exact(report, ti, fi) });
              return;
            }
          }
        }
        if (vaddr === null || !bin || !info) return;
        located.push({ report, thread: ti, frame: fi, target: { binary: bin, vaddr: this.exact(report, ti, fi) ? vaddr : vaddr - 1n } });
      });
    });
    const unplaced = new Set<string>();
    for (const p of pending) {
      const bias = biases.get(p.binary);
      if (bias === undefined) {
        unplaced.add(basename(p.binary));
        continue;
      }
      const vaddr = p.address - bias;
      if (vaddr < 0n || !inLoads(p.info, vaddr)) continue;
      located.push({ report, thread: p.thread, frame: p.frame, target: { binary: p.binary, vaddr: p.exact ? vaddr : vaddr - 1n } });
    }
    const notes = [
      ...mismatched,
      ...[...unplaced].map((name) => `${name} is position-independent and the trace shows only absolute addresses of it: its load address is needed (a /proc/self/maps dump or ASan's memory map in the log, or a line with its offset such as "${name}(+0x1149) [0x55...]"); those frames keep their addresses`),
    ];
    if (notes.length) report.warnings = [...new Set([...(report.warnings ?? []), ...notes])];
    return located;
  }

  /** Placed by the input's module map: the mapping holding the address (gdb's table: the module's .text range). */
  private fromMap(dump: Mapping[], module: string | null, address: bigint): { binary: string; info: ElfInfo; vaddr: bigint } | null {
    if (dump.length === 0) return null;
    const holding = mappingOf(dump, address);
    // An address no mapping holds is another process's (or outside .text, for gdb's table).
    const candidates = holding ? [holding] : module ? mappingsOfModule(dump, module.split(/\s+/)[0]!).filter((x) => x.textStart) : [];
    const m = candidates[0];
    if (!m) return null;
    const binary = this.binaryOf(m.path);
    const info = binary ? readElfInfo(binary) : null;
    if (!binary || !info) return null;
    if (info.type === 'exec') return inLoads(info, address) ? { binary, info, vaddr: address } : null;
    let vaddr: bigint | null = null;
    if (m.textStart) vaddr = info.textAddress === null ? null : address - (m.start - info.textAddress);
    else if (m.offset !== null && holding) vaddr = vaddrOfOffset(info, address - m.start + m.offset) ?? address - m.start + m.offset;
    else {
      // ASan's list gives ranges only: the module's lowest one is where its first segment was loaded.
      const all = mappingsOfModule(dump, m.path);
      const withOffsets = all.filter((x) => x.offset !== null && !x.textStart);
      const base = withOffsets.length
        ? withOffsets.reduce((a, b) => (a.start - a.offset! < b.start - b.offset! ? a : b))
        : all.reduce((a, b) => (a.start < b.start ? a : b));
      vaddr = address - (base.start - (base.offset ?? 0n)) + firstLoadBias(info);
    }
    return vaddr !== null && vaddr >= 0n && inLoads(info, vaddr) ? { binary, info, vaddr } : null;
  }

  /** True when the frame's pc is the faulting instruction itself (or was printed as pc-1 already). */
  private exact(report: Report, thread: number, frame: number): boolean {
    if (frame === 0 || PRINTS_PC_MINUS_ONE.has(report.format)) return true;
    // The frame right below the signal trampoline is the faulting instruction, not a return address.
    return signalFrameIndex(report.threads[thread]!.frames, true) === frame - 1;
  }
}

const symbolTables = new WeakMap<ElfInfo, Map<string, bigint>>();

/** The binary's symbols by name (first definition wins). */
function symbolTable(info: ElfInfo): Map<string, bigint> {
  let table = symbolTables.get(info);
  if (!table) {
    table = new Map();
    for (const s of info.symbols()) if (!table.has(s.name)) table.set(s.name, s.value);
    symbolTables.set(info, table);
  }
  return table;
}

const demangledTables = new WeakMap<ElfInfo, Map<string, bigint>>();

/** The binary's C++ symbols by their demangled names (first definition wins). */
function demangledTable(info: ElfInfo): Map<string, bigint> {
  let table = demangledTables.get(info);
  if (table) return table;
  table = new Map();
  const cxx = info.symbols().filter((s) => s.name.startsWith('_Z'));
  const names = demangleNamesSync(cxx.map((s) => s.name));
  for (const s of cxx) {
    const name = names.get(s.name) ?? s.name;
    if (!table.has(name)) table.set(name, s.value);
  }
  demangledTables.set(info, table);
  return table;
}

function inLoads(info: ElfInfo, vaddr: bigint): boolean {
  return info.loads.length === 0 || info.loads.some((l) => vaddr >= l.vaddr && vaddr < l.vaddr + l.memsz);
}

/** Symbolizer answers by debug file and address: a scan meets the same crash in many files. */
const answers = new Map<string, SymbolizedFrame[] | null>();
const ANSWER_LIMIT = 100_000;

/**
 * Symbolizes the unsymbolized frames of `reports` (one input's) in place, then signs each changed
 * report again and calls `rediagnose` on it. `maps`: the input's module-map lines (ModuleMapCollector).
 */
export async function symbolizeReports(reports: Report[], options: SymbolizeOptions, maps: readonly Mapping[] = [], rediagnose?: (r: Report) => void): Promise<void> {
  if (reports.length === 0) return;
  const run = new SymbolizeRun(options);
  const warn = (r: Report, w: string) => {
    r.warnings = [...new Set([...(r.warnings ?? []), w])];
  };
  if (options.exe && !isFile(options.exe)) {
    for (const r of reports) warn(r, `--exe ${options.exe}: no such file; frames were not symbolized`);
    return;
  }
  const located = reports.flatMap((r) => run.locate(r, maps));
  if (located.length === 0) return;
  const touched = [...new Set(located.map((l) => l.report))];
  const tool: Symbolizer | null = findSymbolizer(options.searchPath);
  if (!tool) {
    for (const r of touched) warn(r, 'no symbolizer found on PATH (llvm-symbolizer, eu-addr2line or addr2line; Debian: apt-get install llvm, elfutils or binutils): the frames keep their addresses');
    return;
  }
  // One process per binary's debug file, every address of the input at once.
  const byFile = new Map<string, { debug: DebugFile; binary: string; items: Located[] }>();
  for (const l of located) {
    const info = readElfInfo(l.target.binary)!;
    const debug = run.debugFileOf(l.target.binary, info);
    let group = byFile.get(debug.path);
    if (!group) byFile.set(debug.path, (group = { debug, binary: l.target.binary, items: [] }));
    group.items.push(l);
  }
  const results = new Map<Located, SymbolizedFrame[]>();
  for (const [file, group] of byFile) {
    const key = (a: bigint) => `${tool.name}\n${file}\n${a}`;
    const missing = [...new Set(group.items.map((l) => l.target.vaddr))].filter((a) => !answers.has(key(a)));
    if (missing.length) {
      try {
        const got = await symbolizeAddresses(tool, file, missing);
        if (answers.size + missing.length > ANSWER_LIMIT) answers.clear();
        missing.forEach((a, i) => answers.set(key(a), got[i] ?? null));
      } catch (err) {
        for (const r of new Set(group.items.map((l) => l.report))) warn(r, `${tool.name} failed on ${basename(file)} (${firstLine(err)}): its frames keep their addresses`);
        continue;
      }
    }
    for (const l of group.items) {
      const a = answers.get(key(l.target.vaddr));
      if (a) results.set(l, a);
    }
    if (group.debug.how === 'symbols') {
      const reports = new Set(group.items.map((l) => l.report));
      const where = (options.debugDirs ?? []).length ? ` (looked for a separate debug file by build id and .gnu_debuglink next to it and under ${options.debugDirs!.join(', ')})` : ' (no separate debug file by build id or .gnu_debuglink next to it; pass --debug-dir DIR)';
      for (const r of reports) warn(r, `${basename(group.binary)} has no debug information${where}: function names from its symbol table only, no files or lines`);
    }
  }
  for (const report of touched) {
    const mine = located.filter((l) => l.report === report && results.has(l));
    if (mine.length === 0) continue;
    // Which file named which frames: the user can tell a stale debug file from a wrong trace.
    const byDebugFile = new Map<string, { binary: string; how: DebugFile['how']; frames: number }>();
    for (const l of mine) {
      const debug = run.debugFileOf(l.target.binary, readElfInfo(l.target.binary)!);
      const entry = byDebugFile.get(debug.path) ?? { binary: l.target.binary, how: debug.how, frames: 0 };
      entry.frames++;
      byDebugFile.set(debug.path, entry);
    }
    for (const [path, e] of byDebugFile) {
      const from = e.how === 'own' || e.how === 'symbols' ? basename(path) : `${path} (found by ${e.how === 'build-id' ? 'build id' : '.gnu_debuglink'})`;
      warn(report, `${e.frames} frame${e.frames === 1 ? '' : 's'} of ${basename(e.binary)} named by ${tool.name} from ${from}`);
    }
    applyToReport(report, mine, results, tool.name);
    resign(report);
    rediagnose?.(report);
  }
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!.slice(0, 200);
}

function applyToReport(report: Report, mine: Located[], results: Map<Located, SymbolizedFrame[]>, tool: NonNullable<Frame['symbolized']>): void {
  const byThread = new Map<number, Map<number, SymbolizedFrame[]>>();
  for (const l of mine) {
    let t = byThread.get(l.thread);
    if (!t) byThread.set(l.thread, (t = new Map()));
    t.set(l.frame, results.get(l)!);
  }
  for (const [ti, frames] of byThread) {
    const thread = report.threads[ti]!;
    const out: Frame[] = [];
    thread.frames.forEach((f, fi) => {
      const answer = frames.get(fi);
      if (!answer) return void out.push(f);
      // Innermost first: the calls inlined at this pc, then the function the pc is in.
      answer.forEach((s, k) => {
        const outer = k === answer.length - 1;
        const raw = s.function ?? (outer && f.rawFunction !== '??' ? f.rawFunction : '??');
        const name = normalizeFunctionName(raw);
        out.push({
          ...f,
          function: name.short,
          fullFunction: name.full,
          rawFunction: raw,
          file: s.file,
          line: s.line,
          column: s.column,
          inlined: !outer || f.inlined,
          symbolized: tool,
        });
      });
    });
    if (out.length !== thread.frames.length) out.forEach((f, i) => (f.index = i));
    thread.frames = out;
  }
}

/** Signs the report again from its (now named) frames; infers the signal anew when none was known. */
function resign(report: Report): void {
  const frames = report.crashedThread === null ? [] : report.threads[report.crashedThread]!.frames;
  if (report.signal === null && report.crashKind === 'UNKNOWN') {
    const inferred = inferSignal(frames, report.context, report.abortMessage);
    if (inferred) {
      report.signal = inferred.signal;
      report.signalInferredFrom = inferred.from;
      report.crashKind = inferred.signal;
    }
  }
  const hang = report.crashKind === 'hang' ? detectHang(report.threads) : null;
  // A crash handler's own dump names its frames above the signal trampoline once symbolized: the
  // signature's handler-dump option passes over them, so the crash signs as it does unsymbolized.
  Object.assign(report, computeSignature(report.crashKind, frames, signatureOptions(report.format, report.program, hang?.parts)));
}
