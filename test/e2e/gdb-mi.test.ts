// GDB/MI, as IDEs drive gdb: the real gdb in MI mode on crashing programs, its records analyzed
// (src/parse/gdb-mi.ts). WRITE_SAMPLES=1 rewrites the committed sample from this run.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline.js';
import { buildProgram, haveCompiler, haveGdb } from '../support/debuggers.js';
import { samplePath } from '../support/samples.js';
import { tempDir } from '../support/tmp.js';

const ok = haveGdb().ok && haveCompiler().ok;

/** gdb --interpreter=mi2 running the program to its crash, then the MI commands given. */
function gdbMi(dir: string, program: string, commands: string[]): string {
  const r = spawnSync('gdb', ['-q', '-nx', '--interpreter=mi2', '-iex', 'set debuginfod enabled off', `./${program}`], {
    cwd: dir, encoding: 'utf8', timeout: 120_000, input: ['-exec-run', ...commands, '-gdb-exit', ''].join('\n'),
  });
  return (r.stdout ?? '') + (r.stderr ?? '');
}

describe.skipIf(!ok)('gdb/mi', () => {
  it('the stop by a signal and the stack listed after it: frames, arguments, the null-argument diagnosis', () => {
    const dir = tempDir('gdb-mi');
    const output = gdbMi(dir, buildProgram('null_deref', dir), ['-stack-list-frames']);
    const [r] = analyze(output).reports;
    expect(r!.format).toBe('gdb-mi');
    expect([r!.signal, r!.signatureFrames]).toEqual(['SIGSEGV', ['apply_config', 'load_config', 'main']]);
    expect(r!.threads[0]!.frames[0]!.rawFunction).toBe('apply_config (cfg=0x0)'); // the stop's arguments
    expect(r!.diagnoses[0]!.ruleId).toBe('generic/null-argument');
  });

  it('a thread other than the first crashed: its stack, and the committed sample reads alike', () => {
    const dir = tempDir('gdb-mi-threads');
    const output = gdbMi(dir, buildProgram('threads', dir), ['-stack-list-frames']);
    const live = analyze(output).reports;
    if (process.env.WRITE_SAMPLES) writeFileSync(samplePath('gdb-mi-threads.txt'), output.split(dir).join('.'));
    const committed = analyze(readFileSync(samplePath('gdb-mi-threads.txt'), 'utf8')).reports;
    for (const reports of [live, committed]) {
      expect(reports.map((r) => [r.format, r.signal, r.signatureFrames[0]])).toEqual([['gdb-mi', 'SIGSEGV', 'pool::run_job']]);
      expect(reports[0]!.threads[reports[0]!.crashedThread!]!.id).not.toBe('1');
    }
  });
});
