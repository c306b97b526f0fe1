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

export function debuggerArgs(name: DebuggerName, core: string, exe: string | null, sysroot: string | null): string[] {
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
    const child = spawn(name, args, {
      env: { ...process.env, ...(name === 'lldb' ? lldbEnv() : {}), LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const take = (b: Buffer) => {
      if (bytes < MAX_OUTPUT) chunks.push(b);
      bytes += b.length;
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ debugger: name, command, output: '', exitCode: null, timedOut: false, error: err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ debugger: name, command, output: Buffer.concat(chunks).toString('utf8'), exitCode: code, timedOut, error: null });
    });
  });
}
