// Running gdb or lldb in batch mode on a core, with a timeout and an output cap, to get every
// thread's stack with symbols. The output goes to the same parsers a pasted trace goes to.

import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { isMainThread, threadId } from 'node:worker_threads';
import { delimiter, join } from 'node:path';
import { CoredxInputError } from '../errors.js';

export type DebuggerName = 'gdb' | 'lldb';

export interface DebuggerRun {
  debugger: DebuggerName;
  command: string;
  /**
   * What the debugger printed (stdout and stderr as they came), at most MAX_OUTPUT bytes, as read:
   * never joined into one string (64 MB of it would be held three times over), parsed as a stream.
   */
  output: Buffer[];
  exitCode: number | null;
  /** The signal that ended the debugger (SIGKILL after a timeout, SIGSEGV when it crashed). */
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Set when the debugger could not be started at all. */
  error: string | null;
  /** Set when the debugger printed more than MAX_OUTPUT: it was stopped there and the rest not read. */
  outputCut?: boolean;
}

/** The debugger's output kept; a debugger printing more (a loop in its unwinder) is stopped there. */
export const MAX_OUTPUT = 64 << 20;

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
      // python3-lldb-14 also ships python3/dist-packages/lldb holding only the shared library:
      // the package is the folder with its __init__.py.
      if (existsSync(join(dist, 'lldb', '__init__.py'))) return { PYTHONPATH: dist };
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

/** setTimeout's limit: a longer delay fires at once (Node prints a warning and uses 1 ms). */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** How long a debugger's process group gets after SIGTERM before SIGKILL, when coredx is interrupted. */
export const KILL_GRACE_MS = 2000;

const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
type ExitSignal = keyof typeof SIGNAL_NUMBERS;

/**
 * Process groups of the debuggers this thread runs now (each debugger leads its own group), each
 * with its leader's start time at spawn (null when it was gone already).
 */
const liveGroups = new Map<number, string | null>();

let interrupted = false;
/** Installed for good by the CLI (installInterruptHandlers), or only while a debugger runs here. */
let installedForGood = false;
let installed = false;

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The process groups led by children of this process (debuggers started detached, from this
 * thread or a worker thread: threads share the process), read from /proc. Never this process's
 * own group.
 */
function childGroups(): Proc[] {
  const groups: Proc[] = [];
  let own = -1;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
    own = Number(statFields(readFileSync('/proc/self/stat', 'utf8'))[2]);
  } catch {
    return groups;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const f = statFields(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      // ppid, pgrp: a child leading its own group.
      if (Number(f[1]) === process.pid && Number(f[2]) === Number(entry) && Number(entry) !== own) groups.push({ pid: Number(entry), start: f[19]! });
    } catch {
      // gone meanwhile
    }
  }
  return groups;
}

/** /proc/PID/stat after "pid (comm) ": state, ppid, pgrp, ... (comm may hold spaces and parentheses). */
const statFields = (stat: string) => stat.slice(stat.lastIndexOf(')') + 2).split(' ');

/**
 * A process, by its pid and its start time (so a pid reused meanwhile is never signalled); null
 * when it was not known (the process was gone already).
 */
export interface Proc {
  pid: number;
  start: string | null;
}

/** The live process `pid`'s start time, or null when it is gone (or a zombie). */
function startTime(pid: number): string | null {
  try {
    const f = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return f[0] === 'Z' ? null : f[19]!;
  } catch {
    return null;
  }
}

/**
 * Every debugger's environment holds RUN_MARKER=<nonce>.<coredx's pid>.<thread>.<run>: whatever it
 * starts inherits it (gdb, setsid and shells pass the environment on), also a process that left the
 * debugger's process group and whose parent is gone (an orphan of init). The nonce is random, one
 * per coredx process: /proc shows the processes of containers too (other PID namespaces), where a
 * coredx may have this coredx's pid, thread and run numbers; only the nonce tells them apart.
 */
const RUN_MARKER = 'COREDX_DEBUGGER_RUN';
/**
 * Where the nonce is shared with worker threads (each loads this module anew; a worker's
 * process.env is a copy of the main thread's): "<pid>.<nonce>", taken only with this process's pid,
 * never from a parent coredx whose environment was inherited. A worker started with an environment
 * of its own draws its own nonce: its debuggers are still found on an interrupt by parentage.
 */
const NONCE_VAR = 'COREDX_DEBUGGER_NONCE';

function processNonce(): string {
  const shared = /^(\d+)\.([0-9a-f]{16})$/.exec(process.env[NONCE_VAR] ?? '');
  if (shared && Number(shared[1]) === process.pid) return shared[2]!;
  const nonce = randomBytes(8).toString('hex');
  process.env[NONCE_VAR] = `${process.pid}.${nonce}`;
  return nonce;
}

const NONCE = processNonce();
/** Every debugger run of this process (all threads) has a marker starting so. */
const PROCESS_MARKER = `${RUN_MARKER}=${NONCE}.`;
let runs = 0;

/**
 * The group leaders whose descendants are the debuggers' (`leaders`, each with the start time it
 * had when it was spawned), given the live processes' start times now (`current`): a leader whose
 * pid is gone, or reused by another process (the debugger exited and was reaped), is none.
 */
export function parentageRoots(leaders: Iterable<Proc>, current: (pid: number) => string | null | undefined): number[] {
  const roots: number[] = [];
  for (const { pid, start } of leaders) {
    const now = current(pid);
    if (start !== null && now !== null && now !== undefined && now === start) roots.push(pid);
  }
  return roots;
}

/**
 * What a debugger started that left its process group (`setsid`, a new session), so that killing
 * the group misses it, read from /proc: every live descendant of the group leaders `leaders` (any
 * depth, any group or session) while each still is the process spawned (its start time unchanged),
 * and every process whose environment holds one of the `markers` ("RUN_MARKER=value\0", or a
 * prefix of it: PROCESS_MARKER for every run of this process).
 */
export function offspring(leaders: Iterable<Proc>, markers: readonly string[] = []): { pid: number; start: string }[] {
  const wanted = [...leaders];
  if (wanted.length === 0 && markers.length === 0) return [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  const found = new Map<number, string>();
  const starts = new Map<number, string>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const f = statFields(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (f[0] === 'Z') continue;
      starts.set(pid, f[19]!);
      const ppid = Number(f[1]);
      const list = children.get(ppid);
      if (list) list.push(pid);
      else children.set(ppid, [pid]);
      if (markers.length > 0) {
        const env = `\0${readFileSync(`/proc/${entry}/environ`, 'latin1')}`;
        if (markers.some((m) => env.includes(`\0${m}`))) found.set(pid, f[19]!);
      }
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  const queue = [...parentageRoots(wanted, (pid) => starts.get(pid)), ...found.keys()];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const c of children.get(pid) ?? []) {
      if (found.has(c)) continue;
      found.set(c, starts.get(c)!);
      queue.push(c);
    }
  }
  return [...found].map(([pid, start]) => ({ pid, start }));
}

function signalProcs(procs: readonly { pid: number; start: string }[], signal: NodeJS.Signals): void {
  for (const p of procs) {
    if (startTime(p.pid) !== p.start) continue;
    try {
      process.kill(p.pid, signal);
    } catch {
      // gone meanwhile
    }
  }
}


/**
 * SIGINT, SIGTERM or SIGHUP while a debugger runs: its whole process group gets SIGTERM, then
 * SIGKILL after KILL_GRACE_MS (at once on a second signal), and coredx exits with the shell's code
 * for the signal (130, 143, 129). Debuggers started by worker threads are found as this process's
 * children leading their own group.
 */
function onExitSignal(signal: ExitSignal): void {
  const code = 128 + SIGNAL_NUMBERS[signal];
  const leaders = [...[...liveGroups].map(([pid, start]) => ({ pid, start })), ...childGroups()];
  const groups = new Set(leaders.map((l) => l.pid));
  // Before the groups are signalled: once a debugger is gone, what it started with setsid is
  // found by its parentage no more.
  const escaped = offspring(leaders, [PROCESS_MARKER]);
  if (interrupted) {
    for (const pgid of groups) signalGroup(pgid, 'SIGKILL');
    signalProcs(escaped, 'SIGKILL');
    process.exit(code);
  }
  interrupted = true;
  for (const pgid of groups) signalGroup(pgid, 'SIGTERM');
  signalProcs(escaped, 'SIGTERM');
  let others = escaped;
  const deadline = Date.now() + KILL_GRACE_MS;
  const check = () => {
    for (const pgid of [...groups]) if (!groupAlive(pgid)) groups.delete(pgid);
    others = others.filter((p) => startTime(p.pid) === p.start);
    if ((groups.size > 0 || others.length > 0) && Date.now() < deadline) {
      setTimeout(check, 25);
      return;
    }
    for (const pgid of groups) signalGroup(pgid, 'SIGKILL');
    signalProcs(others, 'SIGKILL');
    process.exit(code);
  };
  check();
}

const handlers = Object.fromEntries((Object.keys(SIGNAL_NUMBERS) as ExitSignal[]).map((s) => [s, () => onExitSignal(s)])) as Record<ExitSignal, () => void>;

function install(): void {
  // Signals reach the main thread only.
  if (installed || !isMainThread) return;
  installed = true;
  for (const s of Object.keys(handlers) as ExitSignal[]) process.on(s, handlers[s]);
}

/**
 * For the CLI: from now on, SIGINT/SIGTERM/SIGHUP kill every debugger's process group (this
 * thread's and worker threads') before coredx exits 130/143/129.
 */
export function installInterruptHandlers(): void {
  installedForGood = true;
  install();
}

function track(pgid: number, start: string | null): void {
  install();
  liveGroups.set(pgid, start);
}

function untrack(pgid: number): void {
  liveGroups.delete(pgid);
  if (liveGroups.size === 0 && installed && !installedForGood && !interrupted) {
    installed = false;
    for (const s of Object.keys(handlers) as ExitSignal[]) process.removeListener(s, handlers[s]);
  }
}

export function runDebugger(name: DebuggerName, core: string, exe: string | null, options: { sysroot?: string | null; timeoutMs: number }): Promise<DebuggerRun> {
  if (!(options.timeoutMs > 0) || !Number.isFinite(options.timeoutMs) || options.timeoutMs > MAX_TIMEOUT_MS) {
    return Promise.reject(new CoredxInputError('usage', `--debugger-timeout: ${options.timeoutMs / 1000} s is not a usable time limit (a positive number of seconds up to ${Math.floor(MAX_TIMEOUT_MS / 1000)})`));
  }
  const args = debuggerArgs(name, core, exe, options.sysroot ?? null);
  const command = [name, ...args.map((a) => (/[\s$']/.test(a) ? `'${a}'` : a))].join(' ');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let timedOut = false;
    let done = false;
    // Its own process group (and session), so a timeout or an interrupted coredx kills whatever
    // the debugger started too (a hung helper must not outlive the scan).
    const marker = `${PROCESS_MARKER}${process.pid}.${threadId}.${++runs}`;
    const env: NodeJS.ProcessEnv = { ...process.env, ...(name === 'lldb' ? lldbEnv() : {}), LC_ALL: 'C', [RUN_MARKER]: marker.slice(RUN_MARKER.length + 1) };
    delete env[NONCE_VAR];
    const child = spawn(name, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const pgid = child.pid;
    // Read before this function returns: the debugger is not reaped before then, so its pid is not
    // reused yet (a debugger that exited already is a zombie: null, no descendants to walk anyway).
    // After it is reaped its pid may be another process's, whose descendants are not the debugger's:
    // they are walked only while the start time matches (the marker covers all the debugger started).
    const leader: Proc | null = pgid === undefined ? null : { pid: pgid, start: startTime(pgid) };
    if (pgid !== undefined) track(pgid, leader!.start);
    const killGroup = () => {
      // What left the group (setsid) first: the debugger's descendants, and whatever carries its marker.
      const escaped = offspring(leader ? [leader] : [], [`${marker}\0`]);
      try {
        if (pgid !== undefined) process.kill(-pgid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL'); // the group is gone already, or no group: the debugger alone
      }
      signalProcs(escaped, 'SIGKILL');
    };
    process.once('exit', killGroup);
    const finish = (run: Omit<DebuggerRun, 'debugger' | 'command' | 'output'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      process.removeListener('exit', killGroup);
      if (pgid !== undefined) {
        // Whatever the debugger left running in its group goes with it, and what left the group.
        signalGroup(pgid, 'SIGKILL');
        signalProcs(offspring([], [`${marker}\0`]), 'SIGKILL');
        untrack(pgid);
      }
      resolve({ debugger: name, command, output: chunks, ...run, ...(outputCut ? { outputCut: true, signal: null } : {}) });
    };
    let outputCut = false;
    const take = (b: Buffer) => {
      if (outputCut) return;
      const room = MAX_OUTPUT - bytes;
      chunks.push(b.length > room ? b.subarray(0, room) : b);
      bytes += Math.min(b.length, room);
      if (bytes >= MAX_OUTPUT) {
        // Everything a report needs comes long before 64 MB; more only costs memory and time.
        outputCut = true;
        killGroup();
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
      // The debugger exited already and what it started (killed now) held its pipes: no 'exit'
      // event is coming, and 'close' may never come.
      if (child.exitCode !== null || child.signalCode !== null) {
        child.stdout.destroy();
        child.stderr.destroy();
        finish({ exitCode: child.exitCode, signal: child.signalCode, timedOut, error: null });
      }
    }, options.timeoutMs);
    child.on('error', (err) => finish({ exitCode: null, signal: null, timedOut: false, error: err.message }));
    // 'close' waits for the pipes; after a kill, a process the debugger started may still hold
    // them, so a killed debugger is done as soon as it exits.
    child.on('exit', (code, signal) => {
      if (timedOut || outputCut) {
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
  let mismatch = false;
  let libs: RegExpExecArray | null = null;
  let internal: RegExpExecArray | null = null;
  const unopened: string[] = [];
  const nodebug = new Set<string>();
  for (const text of outputLines(run.output)) {
    mismatch ||= text.includes('core file may not match specified executable file');
    libs ??= /Could not load shared library symbols for (\d+) librar(?:y|ies), e\.g\. (.+?)\.?$/m.exec(text);
    if (text.includes("Can't open file")) for (const m of text.matchAll(/Can't open file (.+?) during file-backed mapping note processing/g)) unopened.push(m[1]!);
    if (text.includes('No debugging symbols')) for (const m of text.matchAll(/\(No debugging symbols found in (.+?)\)/g)) nodebug.add(m[1]!);
    // Its regex only where a literal of it is: run over every line, it cost more than parsing them.
    if (!internal && (text.includes('internal-error: ') || text.includes('Fatal signal: ') || text.includes('Assertion '))) internal = /^(?:.*internal-error: .*|Fatal signal: .*|.*Assertion .* failed\.)$/m.exec(text);
  }
  if (mismatch) {
    notes.push(`${run.debugger}: the core may not match the executable (a different build?); symbols and stacks may be wrong: pass the exact binary that crashed with --exe`);
  }
  const where = sysroot ? `--sysroot ${sysroot} must hold the crashed machine's libraries at their paths (e.g. ${sysroot}/lib/...)` : "pass --sysroot DIR holding the crashed machine's libraries";
  if (libs) notes.push(`${run.debugger} could not load ${libs[1]} shared librar${libs[1] === '1' ? 'y' : 'ies'} (e.g. ${libs[2]}): ${where}`);
  if (unopened.length && !libs) notes.push(`${run.debugger} could not open ${unopened.length} file${unopened.length === 1 ? '' : 's'} the core maps (e.g. ${unopened[0]}): ${where}`);
  for (const file of [...nodebug].slice(0, 3)) notes.push(`${file} has no debug symbols: build with -g, or install its debug symbols (Debian: the -dbgsym/-dbg package)`);
  if (internal) notes.push(`${run.debugger} reported an internal error: ${internal[0].trim().slice(0, 200)}`);
  return notes;
}

/**
 * The debugger's output as text, a run of whole lines at a time (a chunk's partial last line is
 * carried into the next run), so line-anchored searches see each line whole without the output
 * ever being one string.
 */
export function* outputLines(output: readonly Buffer[]): Generator<string> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for (const chunk of output) {
    // The line end is looked for in the new text only: a line longer than a read (a debugger
    // printing megabytes without one) is not searched again at every read.
    const piece = decoder.write(chunk);
    const end = piece.lastIndexOf('\n');
    if (end < 0) {
      carry += piece;
      continue;
    }
    const text = carry + piece.slice(0, end);
    carry = piece.slice(end + 1);
    yield text;
  }
  const rest = carry + decoder.end();
  if (rest) yield rest;
}

/** The first line of the debugger's output that holds something (for "printed no backtrace (...)"). */
export function firstOutputLine(output: readonly Buffer[]): string | null {
  for (const text of outputLines(output)) {
    for (let start = 0; start < text.length; ) {
      const end = text.indexOf('\n', start);
      const line = text.slice(start, end < 0 ? text.length : end).trim();
      if (line) return line.slice(0, 200);
      start = end < 0 ? text.length : end + 1;
    }
  }
  return null;
}
