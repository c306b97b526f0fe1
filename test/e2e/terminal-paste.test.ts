// A paste typed into `coredx analyze` on a real terminal (a pty): a line over the terminal's
// 4,095-character canonical limit must arrive whole (the frame and its name kept), Ctrl-C cancels
// with exit 130 and the terminal's mode is restored.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coredx.js');
const python = spawnSync('python3', ['-c', 'import pty, termios'], { encoding: 'utf8' }).status === 0;

// Runs coredx in a pty, waits for its prompt, types `text` in pieces, then the final key.
const DRIVER = `
import os, pty, sys, time, json, termios, select
argv, text, final = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out = b''
def read_for(seconds):
    global out
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return False
            if not data:
                return False
            out += data
    return True
while b'Paste the backtrace' not in out:
    if not read_for(0.1):
        break
data = text.encode()
for i in range(0, len(data), 1024):
    os.write(fd, data[i:i+1024])
    read_for(0.02)
os.write(fd, final.encode())
read_for(0.5)
deadline = time.time() + 20
status = None
while time.time() < deadline:
    wpid, st = os.waitpid(pid, os.WNOHANG)
    read_for(0.1)
    if wpid:
        status = os.waitstatus_to_exitcode(st)
        break
print(json.dumps({"status": status, "out": out.decode('utf8', 'replace')}))
`;

function inTerminal(args: string[], text: string, final: string): { status: number | null; out: string } {
  const r = spawnSync('python3', ['-c', DRIVER, JSON.stringify([[process.execPath, BIN, ...args], text, final])], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(r.stdout);
}

describe.skipIf(!python)('a paste on a terminal', () => {
  // A frame whose template argument list alone is longer than the terminal's line limit.
  const longArgs = Array.from({ length: 500 }, (_, i) => `Field${i}`).join(', ');
  const frame = `#1  0x000055555555a2c3 in Registry::insert<Schema<${longArgs}> > (this=0x0) at registry.h:88`;
  const trace = ['Program received signal SIGSEGV, Segmentation fault.', '#0  0x000055555555a1b2 in Entry::hash (this=0x0) at entry.cc:14', frame, '#2  0x000055555555a3d4 in main () at main.cc:12', ''].join('\r');

  it('keeps a line longer than 4,095 characters whole', () => {
    expect(frame.length).toBeGreaterThan(4095);
    const { status, out } = inTerminal(['analyze', '--format', 'json', '--no-color'], trace, '\x04');
    expect(status).toBe(0);
    const json = JSON.parse(out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1));
    const frames = json.reports[0].threads[0].frames;
    expect(frames.map((f: { function: string }) => f.function)).toEqual(['Entry::hash', 'Registry::insert<>', 'main']);
    expect(frames[1].rawFunction).toContain('Field499');
  });

  it('Ctrl-C cancels with exit 130', () => {
    const { status } = inTerminal(['analyze'], '#0  0x1 in f () at a.c:1\r', '\x03');
    expect(status).toBe(130);
  });
});
