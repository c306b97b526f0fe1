// `coredx debugger-setup gdb|lldb`: the one line that gives gdb (~/.gdbinit) or lldb (~/.lldbinit)
// a `coredx` command, naming the scripts in this package's debugger/ folder by their real path.
// With --install the line is appended to the init file (once).

import type { Command } from 'commander';
import { appendFileSync, existsSync, readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lldbEnv } from '../core/debugger.js';
import { describeError } from '../errors.js';
import { EXIT } from './exit-codes.js';

const SCRIPTS = { gdb: 'coredx-gdb.py', lldb: 'coredx_lldb.py' } as const;
type Debugger = keyof typeof SCRIPTS;
const INIT_FILES: Record<Debugger, string> = { gdb: '.gdbinit', lldb: '.lldbinit' };

/** The package's debugger/ folder: beside dist/ (this file is dist/cli/debugger-setup.js). */
export function debuggerDir(): string {
  return fileURLToPath(new URL('../../debugger/', import.meta.url));
}

/** The path of the gdb script or lldb module, symlinks resolved (an `npm link`ed clone). */
export function debuggerScript(name: Debugger): string {
  const path = join(debuggerDir(), SCRIPTS[name]);
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * The init-file line. gdb's `source` takes the rest of the line as the file name (spaces and all,
 * no quoting); lldb splits its arguments, so a path holding spaces or quotes is quoted.
 */
export function setupLine(name: Debugger, script = debuggerScript(name)): string {
  if (name === 'gdb') return `source ${script}`;
  const arg = /^[\w@%+=:,./-]+$/.test(script) ? script : `"${script.replace(/[\\"`]/g, (c) => `\\${c}`)}"`;
  return `command script import ${arg}`;
}

export function registerDebuggerSetup(program: Command): void {
  program
    .command('debugger-setup')
    .description('print the line that adds a `coredx` command to gdb (~/.gdbinit) or lldb (~/.lldbinit)')
    .argument('<debugger>', 'gdb or lldb')
    .option('--install', 'append the line to ~/.gdbinit or ~/.lldbinit (unless it is there already)')
    .addHelpText(
      'after',
      '\nThen, in the debugger, stopped at a crash (live or on a core): coredx, coredx --json, coredx --explain.\n' +
        'Example: coredx debugger-setup gdb >> ~/.gdbinit',
    )
    .action((name: string, flags: { install?: boolean }) => {
      process.exitCode = runSetup(name, flags.install === true);
    });
}

function runSetup(name: string, install: boolean): number {
  if (name !== 'gdb' && name !== 'lldb') {
    process.stderr.write(`coredx: unknown debugger "${name}" (expected gdb or lldb)\n`);
    return EXIT.USAGE_OR_INPUT;
  }
  const script = debuggerScript(name);
  if (!existsSync(script)) {
    process.stderr.write(`coredx: ${script} is missing: this copy of coredx was installed without its debugger/ folder; reinstall it\n`);
    return EXIT.USAGE_OR_INPUT;
  }
  const line = setupLine(name, script);
  // Debian's lldb 14 starts its Python only with its dist-packages folder on PYTHONPATH.
  const env = name === 'lldb' ? lldbEnv().PYTHONPATH : undefined;
  const pythonNote = env && !(process.env.PYTHONPATH ?? '').split(':').includes(env)
    ? `note: this lldb needs PYTHONPATH=${env} in its environment for Python commands (Debian's lldb 14), e.g. alias lldb='PYTHONPATH=${env} lldb'\n`
    : '';
  if (!install) {
    process.stdout.write(`${line}\n`);
    if (process.stdout.isTTY) process.stderr.write(`add it to ~/${INIT_FILES[name]} (coredx debugger-setup ${name} --install), then run \`coredx\` in ${name} at a crash\n`);
    process.stderr.write(pythonNote);
    return EXIT.OK;
  }
  const initFile = join(homedir(), INIT_FILES[name]);
  try {
    const current = existsSync(initFile) ? readFileSync(initFile, 'utf8') : '';
    if (current.split('\n').some((l) => l.trim() === line)) {
      process.stdout.write(`${initFile} already has: ${line}\n`);
    } else {
      appendFileSync(initFile, `${current === '' || current.endsWith('\n') ? '' : '\n'}${line}\n`);
      process.stdout.write(`added to ${initFile}: ${line}\n`);
    }
  } catch (err) {
    process.stderr.write(`coredx: ${initFile}: ${describeError(err)}\n`);
    return EXIT.USAGE_OR_INPUT;
  }
  process.stderr.write(pythonNote);
  return EXIT.OK;
}
