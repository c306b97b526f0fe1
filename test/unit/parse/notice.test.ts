// Fatal notices: the one line a shell, a runtime or a logger prints when a process dies. Reported
// without frames when the input holds no trace; never a report of their own next to a trace.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { fatalNotice, NOTICE_MARKERS } from '../../../src/parse/notice.js';

describe('fatalNotice', () => {
  it.each([
    ['Segmentation fault (core dumped)', 'SIGSEGV', null],
    ['Aborted', 'SIGABRT', null],
    ['Abort trap: 6', 'SIGABRT', null],
    ['Segmentation fault: 11', 'SIGSEGV', null],
    ['Bus error (core dumped)', 'SIGBUS', null],
    ['./run.sh: line 3: 48213 Floating point exception(core dumped) ./calc', null, null],
    ['./run.sh: line 3: 48213 Illegal instruction     (core dumped) ./prog --fast', 'SIGILL', './prog'],
    ['zsh: segmentation fault (core dumped)  ./server -c conf', 'SIGSEGV', './server'],
    ['[1]    4118790 abort (core dumped)  tool -w 0', 'SIGABRT', 'tool'],
    ["fish: Job 1, './prog' terminated by signal SIGSEGV (Address boundary error)", 'SIGSEGV', './prog'],
    ["thread 'main' has overflowed its stack", 'SIGABRT', null],
    ['fatal runtime error: stack overflow', 'SIGABRT', null],
    ['memory allocation of 18446744073709551553 bytes failed', 'SIGABRT', null],
    ['F0812 08:45:04.059198   910 cache.cc:38] Check failed: size > 0', 'SIGABRT', null],
  ])('%s', (line, signal, program) => {
    const n = fatalNotice(line);
    // The reader skips stretches holding no marker undecoded: every notice must hold one.
    if (n) expect(NOTICE_MARKERS.some((m) => line.includes(m))).toBe(true);
    // bash's "Floating point exception(core dumped)" glues the words: not a notice coredx trusts.
    if (signal === null && program === null) return expect(n).toBeNull();
    expect(n?.signal).toBe(signal);
    expect(n?.program).toBe(program);
  });

  it.each(['Aborted 3 jobs after timeout', 'The test segmentation fault handler ran', 'fatal runtime error handling is documented', 'Check failed jobs: 3'])('is not a notice: %s', (line) => {
    expect(fatalNotice(line)).toBeNull();
  });

  it('a stack overflow notice states the kind', () => {
    expect(fatalNotice("thread 'main' has overflowed its stack")?.crashKind).toBe('stack-overflow');
  });
});

describe('a crash shown only by its notice', () => {
  it('is a report without frames, signal and program from the shell', () => {
    const [r, more] = analyze('$ ./server -c prod.conf\nlistening on :8080\nSegmentation fault (core dumped)\n', { rules: null }).reports;
    expect(more).toBeUndefined();
    expect(r!.format).toBe('notice');
    expect(r!.signal).toBe('SIGSEGV');
    expect(r!.threads).toEqual([]);
    expect(r!.signatureFrames).toEqual([]);
    expect(r!.context.some((c) => c.text === 'listening on :8080')).toBe(true);
  });
  it('Rust stack overflow: kind stack-overflow, the shell\'s SIGABRT', () => {
    const [r] = analyze("thread 'main' has overflowed its stack\nfatal runtime error: stack overflow\nAborted (core dumped)\n", { rules: null }).reports;
    expect([r!.crashKind, r!.signal]).toEqual(['stack-overflow', 'SIGABRT']);
  });
  it('gives way to a trace in the same input', () => {
    const text = 'Segmentation fault (core dumped)\n$ gdb ./prog core\nProgram terminated with signal SIGSEGV, Segmentation fault.\n#0  0x000055555555513d in compute (p=0x0) at calc.c:4\n#1  0x0000555555555180 in main () at calc.c:14\n';
    const reports = analyze(text, { rules: null }).reports;
    expect(reports.map((r) => r.format)).toEqual(['gdb']);
  });
});
