// The signal the lines around a trace state (src/parse/context-signal.ts).
import { describe, expect, it } from 'vitest';
import { signalFromContext } from '../../../src/parse/context-signal.js';

const at = (...texts: string[]) => texts.map((text) => ({ text }));

describe('signalFromContext', () => {
  it("reads catchsegv's dump only with its register dump, and its CR2 as the fault address", () => {
    const dump = at('*** Segmentation fault', 'Register dump:', '', ' RAX: 0000000000000000', ' Trap: 0000000e   Error: 00000004   OldMask: 00000000   CR2: 00000010', '', 'Backtrace:');
    expect(signalFromContext(dump, [])).toEqual({ signal: 'SIGSEGV', faultAddress: '0x10' });
    expect(signalFromContext(at('*** Segmentation fault', 'the test printed this'), [])).toEqual(null);
  });
  it("reads a Ruby [BUG] line only above the report's C-level backtrace header, also from the earlier lines", () => {
    expect(signalFromContext(at('-- C level backtrace information -------------------------------------------'), at('app.rb:41: [BUG] Segmentation fault at 0x0000000000000008'))).toEqual({ signal: 'SIGSEGV', faultAddress: '0x8' });
    expect(signalFromContext(at('app.rb:41: [BUG] Segmentation fault at 0x0000000000000008', 'Backtrace:'), [])).toEqual(null);
  });
  it("reads a handler's own line (KCrash, a named or numbered signal) among the last lines only", () => {
    expect(signalFromContext(at('Application: Viewer (viewer), signal: Bus error'), [])).toEqual({ signal: 'SIGBUS', faultAddress: null });
    expect(signalFromContext(at('fatal signal 11, backtrace:'), [])).toEqual({ signal: 'SIGSEGV', faultAddress: null });
    expect(signalFromContext(at('caught SIGFPE', ...Array.from({ length: 20 }, (_, i) => `step ${i}`)), [])).toEqual(null);
  });
  it('reads a Mach exception worded in a line above a copied stack (an IDE, lldb prose), with a bad access\'s address', () => {
    expect(signalFromContext(at('Stopped with EXC_BAD_ACCESS (code=1, address=0x0) in the debugger:', ''), [])).toEqual({ signal: 'SIGSEGV', faultAddress: '0x0' });
    expect(signalFromContext(at('Exception: EXC_BAD_ACCESS (code=2, address=0x16f603ff8)'), [])).toEqual({ signal: 'SIGSEGV', faultAddress: '0x16f603ff8' });
    expect(signalFromContext(at('EXC_ARITHMETIC (code=EXC_I386_DIV, subcode=0x0)'), [])).toEqual({ signal: 'SIGFPE', faultAddress: null });
    expect(signalFromContext(at('the EXC_BAD_ACCESS_HANDLER flag is set'), [])).toEqual(null);
  });
});
