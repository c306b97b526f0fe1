// Text output wraps at the terminal's width (a tty's columns, else COLUMNS, else 100; clamped to
// 60..160), only at spaces: no word, path or URL is ever split, and a token longer than the width
// stands alone on its line.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_WIDTH, MIN_WIDTH, terminalWidth } from '../../src/render/text.js';
import { samplePath } from '../support/samples.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'coredx.js');
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
// The brpc seed case: a long diagnosis, references with URLs, frames with long template names.
const SAMPLES = [samplePath('gdb-live-brpc_reenact.txt'), samplePath('gdb-core-threads.txt'), samplePath('asan-heap-use-after-free.txt')];
const ARGS = ['analyze', '--all-threads', '--explain', ...SAMPLES];

function run(env: Record<string, string | undefined>): string {
  const r = spawnSync(process.execPath, [BIN, ...ARGS], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', ...env }, timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

function checkWidth(out: string, width: number): void {
  const lines = out.split('\n');
  expect(lines.length).toBeGreaterThan(40);
  for (const line of lines) {
    // Over the width only when it is one token that cannot be broken (after its indent).
    if (line.length > width) expect(line.trim(), `line over ${width} columns: ${line}`).not.toMatch(/\s/);
  }
}

const tokens = (out: string) => out.split(/\s+/).filter(Boolean);

describe('text output width', () => {
  const wide = run({ COLUMNS: '160' });

  it.each([60, 80, 120])('fits %i columns (COLUMNS) and breaks no word or URL', (width) => {
    const out = run({ COLUMNS: String(width) });
    checkWidth(out, width);
    // Only whitespace differs from the widest rendering: every word, path and URL is whole.
    expect(tokens(out)).toEqual(tokens(wide));
    expect(out).toContain('https://');
    for (const url of wide.match(/https?:\/\/\S+/g)!) expect(out.split(/\s+/)).toContain(url);
    if (width < 120) expect(out).not.toEqual(wide);
  });

  it('clamps 200 columns to 160, and 30 to 60', () => {
    expect(run({ COLUMNS: '200' })).toEqual(wide);
    const narrow = run({ COLUMNS: '30' });
    checkWidth(narrow, 60);
    expect(narrow).toEqual(run({ COLUMNS: '60' }));
  });

  it('without a terminal or COLUMNS, 100 columns', () => {
    const out = run({ COLUMNS: undefined });
    checkWidth(out, 100);
    expect(out.split('\n').some((l) => l.length > 80)).toBe(true);
    expect(tokens(out)).toEqual(tokens(wide));
  });

  it('a token longer than the width stays whole on its own line', () => {
    const out = run({ COLUMNS: '60' });
    const long = out.split('\n').filter((l) => l.length > 60);
    expect(long.length).toBeGreaterThan(0); // the sample's long template names and paths
    for (const l of long) expect(l.trim()).not.toMatch(/\s/);
  });

  it('terminalWidth: a terminal\'s columns win over COLUMNS; COLUMNS for pipes; clamped', () => {
    expect(terminalWidth({ isTTY: true, columns: 90 }, { COLUMNS: '130' })).toBe(90);
    expect(terminalWidth({ isTTY: false }, { COLUMNS: '130' })).toBe(130);
    expect(terminalWidth({ isTTY: false }, {})).toBe(100);
    expect(terminalWidth({ isTTY: false }, { COLUMNS: 'wide' })).toBe(100);
    expect(terminalWidth({ isTTY: true, columns: 20 }, {})).toBe(MIN_WIDTH);
    expect(terminalWidth({ isTTY: true, columns: 500 }, {})).toBe(MAX_WIDTH);
  });

  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasScript).each([80, 200])('on a real terminal (pty via script) of %i columns', (cols) => {
    const cmd = `stty cols ${cols}; COLUMNS= ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${ARGS.map((a) => JSON.stringify(a)).join(' ')} 2>/dev/null`;
    const r = spawnSync('script', ['-q', '-e', '-c', cmd, '/dev/null'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', COLUMNS: '' }, timeout: 60_000 });
    expect(r.status, r.stdout.slice(-2000)).toBe(0);
    const out = r.stdout.replace(ANSI, '').replace(/\r/g, '');
    const width = Math.min(cols, MAX_WIDTH);
    checkWidth(out, width);
    expect(out.split('\n').some((l) => l.length > width - 25)).toBe(true); // it did use the width
    expect(tokens(out)).toEqual(tokens(wide));
  });
});
