// Wine's debugger (winedbg) on an unhandled exception in a Windows program run under Wine or Proton:
//   wine: Unhandled page fault on read access to 00000000 at address 6A41C2D7 (thread 0104), starting debugger...
//   Unhandled exception: page fault on read access to 0x00000000 in 32-bit code (0x6a41c2d7).
//   Register dump: ... Stack dump: ...
//   Backtrace:
//   =>0 0x6a41c2d7 SoundBank_GetVoice+0x17(bank=0a3c1e08, idx=0) [C:\build\audio\soundbank.c:88] in audiokit (0x0061fa38)
//     2 0x0041b2c6 in tunebox (+0x1b2c6) (0x0061fa98)
//     3 0x7b462a9c call_process_entry+0xb() in kernel32 (0x0061fab8)
//   0x6a41c2d7 SoundBank_GetVoice+0x17 [...] in audiokit: movl	0x8(%eax),%edx
//   Modules:
// A frame: its number ("=>" marks the current one), the pc, "name+0xoff(args)" and "[file:line]"
// when Wine has symbols, "in module" and "(+0xoff)" in it, then the frame pointer in parentheses.
// Module names may hold blanks ("in adobe air (+0x62f1d8)").

import { dumpFrame, HandlerDumpBlock, type DumpHeader, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

// (OBS Studio's crash log starts "Unhandled exception: c0000005", a bare code: not Wine's words.)
const UNHANDLED = /^(?:wine: Unhandled|Unhandled exception:) (?![0-9a-fA-F]{1,8}\s*$)(.*?)(?: at address [0-9A-Fa-fx]+ \(thread [0-9a-f]+\), starting debugger\.\.\.|(?: in (?:wow64 )?(?:16|32|64)-bit code \((?:0x)?[0-9a-fA-F]+\))?\.?)\s*$/;
const ACCESS = /^page fault on (?:read|write|execute) access to (?:0x)?([0-9a-fA-F]+)/;
const FRAME = /^(?:=>)?\s*(\d{1,4}) (0x[0-9a-fA-F]+)(?: (.*?))? \((?:0x)?[0-9a-fA-F]+\)\s*$/;
const NAMED = /^(\S+?)\+0x[0-9a-fA-F]+\(.*?\)(?: \[(.*?):(\d+)\])?(?: in (.+?))?$/;
const MODULE = /^in (.+?)(?: \(\+(0x[0-9a-fA-F]+)\))?$/;
const OTHER = /^(?:Register dump:|Stack dump:|Backtrace:|[A-Z]{2}:[0-9a-f]{4}\b|[A-Za-z0-9]{2,3}:[0-9a-f]{8,16}\b|0x[0-9a-f]+:\s|\d+\t|\d+\s+\S.*$|[0-9a-f]{3,4}: sel=)/;

function header(words: string): DumpHeader {
  const access = ACCESS.exec(words);
  if (access) return { signal: 'SIGSEGV', description: 'page fault', faultAddress: `0x${access[1]!.toLowerCase().replace(/^0+(?=.)/, '')}` };
  if (/^divide by zero|^integer divide by zero|^floating point/.test(words)) return { signal: 'SIGFPE', description: words, faultAddress: null };
  if (/^illegal instruction|^privileged instruction/.test(words)) return { signal: 'SIGILL', description: words, faultAddress: null };
  if (/^stack overflow/.test(words)) return { signal: 'SIGSEGV', description: 'stack overflow', faultAddress: null };
  return { signal: null, description: words, faultAddress: null };
}

const dialect: HandlerDumpDialect = {
  format: 'wine',
  program: null,
  strip: (line) => line.trim(),
  header(text) {
    const m = UNHANDLED.exec(text);
    return m ? header(m[1]!) : null;
  },
  frame(text) {
    const m = FRAME.exec(text);
    if (!m) return null;
    const rest = (m[3] ?? '').trim();
    const named = NAMED.exec(rest);
    const where = MODULE.exec(named ? (named[4] ? `in ${named[4]}` : '') : rest);
    const frame = dumpFrame(m[2]!.toLowerCase(), named ? named[1]! : '??', where?.[1] ?? null, text, named?.[2] ?? null, named?.[3] ? Number(named[3]) : null);
    return where?.[2] ? { ...frame, moduleOffset: where[2].toLowerCase() } : frame;
  },
  other: (text) => OTHER.test(text),
  end: /^Modules:\s*$/,
};

export const wineParser: TraceParser = {
  format: 'wine',
  label: "Wine's unhandled-exception reports ('Unhandled exception: page fault on read access to 0x00000000', '=>0 0x... f+0x17() in mod')",
  markers: ['Unhandled exception: ', 'wine: Unhandled '],
  startsTrace: (line) => (line.includes('Unhandled exception: ') || line.includes('wine: Unhandled ')) && UNHANDLED.test(line.trim()),
  begin: () => new HandlerDumpBlock(dialect),
};
