// Running gdb or lldb in batch mode on a core, with a timeout and an output cap, to get every
// thread's stack with symbols. The output goes to the same parsers a pasted trace goes to.

import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type DebuggerName = 'gdb' | 'lldb';

export interface DebuggerRun {
  debugger: DebuggerName;
  command: string;
  output: string;
  exitCode: number | null;
  /** The signal that ended the debugger (SIGKILL after a timeout, SIGSEGV when it crashed). */
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Set when the debugger could not be started at all. */
  error: string | null;
}

const MAX_OUTPUT = 64 << 20;

/** The commands coredx runs (and recommends): every thread with locals, and the fault address. */
export const GDB_COMMANDS = ['thread apply all bt full', 'p $_siginfo._sifields._sigfault'];
export const LLDB_COMMANDS = ['bt all'];

export function onPath(program: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Debian's lldb starts its Python interpreter from a dist-packages directory it does not put on
 * PYTHONPATH itself; without it lldb still works but prints a traceback first.
 */
export function lldbEnv(): NodeJS.ProcessEnv {
  const root = '/usr/lib';
  if (!existsSync(root)) return {};
  for (const llvm of readdirSync(root).filter((d) => d.startsWith('llvm-')).sort().reverse()) {
    const lib = join(root, llvm, 'lib');
    if (!existsSync(lib)) continue;
    for (const py of readdirSync(lib).filter((d) => d.startsWith('python3'))) {
      const dist = join(lib, py, 'dist-packages');
      if (existsSync(join(dist, 'lldb'))) return { PYTHONPATH: dist };
    }
  }
  return {};
}

/** A path the debugger cannot mistake for an option. */
const operand = (path: string) => (path.startsWith('-') ? `./${path}` : path);

export function debuggerArgs(name: DebuggerName, coreFile: string, exeFile: string | null, sysroot: string | null): string[] {
  const core = operand(coreFile);
  const exe = exeFile === null ? null : operand(exeFile);
  if (name === 'gdb') {
    return [
      '-q', '-batch', '-nx',
      '-iex', 'set debuginfod enabled off',
      ...(sysroot ? ['-iex', `set sysroot ${sysroot}`] : []),
      ...GDB_COMMANDS.flatMap((c) => ['-ex', c]),
      ...(exe ? [exe] : []),
      ...(exe ? [core] : ['-c', core]),
    ];
  }
  return ['--batch', '--no-lldbinit', '-c', core, ...(exe ? [exe] : []), ...LLDB_COMMANDS.flatMap((c) => ['-o', c])];
}

export function runDebugger(name: DebuggerName, core: string, exe: string | null, options: { sysroot?: string | null; timeoutMs: number }): Promise<DebuggerRun> {
  const args = debuggerArgs(name, core, exe, options.sysroot ?? null);
  const command = [name, ...args.map((a) => (/[\s$']/.test(a) ? `'${a}'` : a))].join(' ');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let timedOut = false;
    let done = false;
    // Its own process group, so a timeout kills whatever the debugger started too (a hung helper
    // must not outlive the scan).
    const child = spawn(name, args, {
      env: { ...process.env, ...(name === 'lldb' ? lldbEnv() : {}), LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL'); // the group is gone already, or no group: the debugger alone
      }
    };
    process.once('exit', killGroup);
    const finish = (run: Omit<DebuggerRun, 'debugger' | 'command' | 'output'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      process.removeListener('exit', killGroup);
      resolve({ debugger: name, command, output: Buffer.concat(chunks).toString('utf8'), ...run });
    };
    const take = (b: Buffer) => {
      if (bytes < MAX_OUTPUT) chunks.push(b);
      bytes += b.length;
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    child.on('error', (err) => finish({ exitCode: null, signal: null, timedOut: false, error: err.message }));
    // 'close' waits for the pipes; after a kill, a process the debugger started may still hold
    // them, so a killed debugger is done as soon as it exits.
    child.on('exit', (code, signal) => {
      if (timedOut) {
        child.stdout.destroy();
        child.stderr.destroy();
        finish({ exitCode: code, signal, timedOut, error: null });
      }
    });
    child.on('close', (code, signal) => finish({ exitCode: code, signal, timedOut, error: null }));
  });
}

/**
 * What the debugger's own messages say about the inputs, as advice: an executable that does not
 * match the core, libraries or files it could not find (--sysroot), binaries without debug info,
 * the debugger's own failures.
 */
export function debuggerNotes(run: DebuggerRun, sysroot: string | null = null): string[] {
  const notes: string[] = [];
  const out = run.output;
  if (/core file may not match specified executable file/.test(out)) {
    notes.push(`${run.debugger}: the core may not match the executable (a different build?); symbols and stacks may be wrong: pass the exact binary that crashed with --exe`);
  }
  const libs = /Could not load shared library symbols for (\d+) librar(?:y|ies), e\.g\. (.+?)\.?$/m.exec(out);
  const where = sysroot ? `--sysroot ${sysroot} must hold the crashed machine's libraries at their paths (e.g. ${sysroot}/lib/...)` : "pass --sysroot DIR holding the crashed machine's libraries";
  if (libs) notes.push(`${run.debugger} could not load ${libs[1]} shared librar${libs[1] === '1' ? 'y' : 'ies'} (e.g. ${libs[2]}): ${where}`);
  const unopened = [...out.matchAll(/Can't open file (.+?) during file-backed mapping note processing/g)].map((m) => m[1]!);
  if (unopened.length && !libs) notes.push(`${run.debugger} could not open ${unopened.length} file${unopened.length === 1 ? '' : 's'} the core maps (e.g. ${unopened[0]}): ${where}`);
  const nodebug = [...new Set([...out.matchAll(/\(No debugging symbols found in (.+?)\)/g)].map((m) => m[1]!))];
  for (const file of nodebug.slice(0, 3)) notes.push(`${file} has no debug symbols: build with -g, or install its debug symbols (Debian: the -dbgsym/-dbg package)`);
  const internal = /^(?:.*internal-error: .*|Fatal signal: .*|.*Assertion .* failed\.)$/m.exec(out);
  if (internal) notes.push(`${run.debugger} reported an internal error: ${internal[0].trim().slice(0, 200)}`);
  return notes;
}
