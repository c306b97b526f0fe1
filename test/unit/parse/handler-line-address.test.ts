// A crash handler's signal line before a backtrace_symbols dump (class: the handler prints the fault
// address beside the signal, as node's segfault-handler does): the address is read from that line
// only, and only for the signals that have one.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const FRAMES = [
  '/app/node_modules/kv/build/Release/kv.node(_ZN2kv5Store3getEv+0x2c)[0x7f2b4a21c9ec]',
  '/app/node_modules/kv/build/Release/kv.node(_ZN2kv8GetAsync7ExecuteEv+0x41)[0x7f2b4a21d101]',
];
const report = (lines: string[]) => analyze([...lines, ...FRAMES].join('\n')).reports[0]!;

describe("a handler's signal line", () => {
  it('gives the signal and the address it names', () => {
    const r = report(['PID 23114 received SIGSEGV for address: 0x0']);
    expect([r.signal, r.faultAddress]).toEqual(['SIGSEGV', '0x0']);
    expect(r.diagnoses[0]?.category).toBe('null-deref');
  });
  it('no address for an abort, nor from another line', () => {
    expect(report(['caught SIGABRT at address 0x1f40']).faultAddress).toBeNull();
    const r = report(['buffer at address 0x10 was reused', 'caught SIGSEGV']);
    expect([r.signal, r.faultAddress]).toEqual(['SIGSEGV', null]);
  });
});
