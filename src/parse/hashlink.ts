// HashLink's (Haxe's VM) fatal signal with the Haxe stack, on stderr:
//   SIGNAL 11
//   ui.widgets.ScrollPane.layoutChildren(ui/widgets/ScrollPane.hx:211)
//   hxd.$System.~runMainLoop.0(hxd/System.hl.hx:139)
//   Segmentation fault (core dumped)
// and on Windows its access violation:
//   Access violation
//   Called from $Reflect.callMethod (E:\HaxeToolkit\haxe\std\hl/_std/Reflect.hx line 83)
// A test runner's "| " before each line (utest) is not the dump's.

import { dumpFrame, HandlerDumpBlock, signalFromNumber, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

const HEADER = /^SIGNAL (\d{1,2})$/;
const FRAME = /^(\S+?)\(([^()]*\.hx):(\d+)\)$/;
const CALLED = /^Called from (\S+?)(?: \((.*\.hx) line (\d+)\))?$/;

function strip(line: string): string {
  const t = line.trim();
  return t.startsWith('| ') ? t.slice(2).trim() : t;
}

/** Haxe's standard library statics at the top of the stack (reflection calls): where it failed, not why. */
const STD_TOP = /^\$(?:Reflect|Type|Std)\./;

function dialect(): HandlerDumpDialect {
  let kept = 0;
  return {
  format: 'hashlink',
  program: 'hl',
  strip,
  header(text) {
    const m = HEADER.exec(text);
    if (m) return { ...signalFromNumber(Number(m[1])), faultAddress: null };
    return text === 'Access violation' ? { signal: 'SIGSEGV', description: 'Access violation', faultAddress: null } : null;
  },
  frame(text) {
    let m = FRAME.exec(text);
    let frame = m ? dumpFrame(null, m[1]!, null, text, m[2]!, Number(m[3])) : null;
    if (!frame && (m = CALLED.exec(text))) frame = dumpFrame(null, m[1]!, null, text, m[2] ?? null, m[3] ? Number(m[3]) : null);
    if (!frame || (kept === 0 && STD_TOP.test(frame.rawFunction))) return null;
    kept++;
    return frame;
  },
  other: (text) => FRAME.test(text) || CALLED.test(text),
  };
}

export const hashlinkParser: TraceParser = {
  format: 'hashlink',
  label: "HashLink's fatal signal with the Haxe stack ('SIGNAL 11', 'pkg.Class.method(file.hx:12)')",
  markers: ['SIGNAL ', 'Access violation'],
  startsTrace: (line) => (line.includes('SIGNAL ') && HEADER.test(strip(line))) || (line.includes('Access violation') && strip(line) === 'Access violation'),
  begin: () => new HandlerDumpBlock(dialect()),
};
