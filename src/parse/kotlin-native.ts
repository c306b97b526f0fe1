// Kotlin/Native's uncaught exception (an iOS or macOS framework, a Linux .kexe), on stderr or in
// Xcode's console, before the runtime aborts:
//   Uncaught Kotlin exception: kotlin.NullPointerException
//       at 0   SharedKit   0x0000000105a132f3 kfun:kotlin.Throwable#<init>(){} + 67 (/.../Throwable.kt:27:21)
//       at 4   SharedKit   0x0000000105a6714c ThrowNullPointerException + 124 (/.../RuntimeUtils.kt:13:11)
//       at 5   SharedKit   0x00000001050a4d1e kfun:com.acme.cart.CartViewModel#refreshTotals(){} + 382 (/.../CartViewModel.kt:88:31)
//       ... and 38 more stack frames
//   Caused by: kotlin.IllegalStateException: token expired               (the cause's stack: not the crash's)
// The exception's construction at the top (kotlin.Throwable's and its subclasses' <init>, the
// runtime's Throw* helpers) is not the failing code.

import { dumpFrame, HandlerDumpBlock, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

const HEADER = /^Uncaught Kotlin exception: (\S+?)(?::\s*(.*))?$/;
const FRAME = /^at \d+\s+(\S.*?)\s+(0x[0-9a-fA-F]+)\s+(.+?) \+ \d+(?: \((.+?):(\d+)(?::\d+)?\))?\s*$/;
const MORE = /^\.\.\. and \d+ more stack frames$/;
const MACHINERY = /^(?:kfun:kotlin\.|Throw\w+Exception$|ThrowException$|kfun:.*#<init>\(|objc2kotlin_kfun:.*#<init>\()/;

/** "kfun:com.acme.Cart#total(kotlin.Int){}kotlin.Int" -> "com.acme.Cart#total"; "...invokeSuspend#internal" loses "#internal". */
export function kotlinName(raw: string): string {
  let s = raw.replace(/^(?:objc2kotlin_)?kfun:/, '');
  const paren = s.indexOf('(');
  if (paren > 0) s = s.slice(0, paren);
  return s.replace(/#internal$/, '');
}

function dialect(): HandlerDumpDialect {
  let kept = 0;
  return {
    format: 'kotlin-native',
    program: null,
    strip: (line) => line.trim(),
    header(text) {
      const m = HEADER.exec(text);
      return m ? { signal: 'SIGABRT', description: `Uncaught Kotlin exception: ${m[1]}${m[2] ? `: ${m[2]}` : ''}`, faultAddress: null } : null;
    },
    frame(text) {
      const m = FRAME.exec(text);
      if (!m) return null;
      const raw = m[3]!;
      if (kept === 0 && MACHINERY.test(raw)) return null;
      kept++;
      return dumpFrame(m[2]!.toLowerCase(), raw.startsWith('kfun:') || raw.startsWith('objc2kotlin_kfun:') ? kotlinName(raw) : raw, m[1]!, text, m[4] ?? null, m[5] ? Number(m[5]) : null);
    },
    other: (text) => FRAME.test(text) || MORE.test(text) || /^Function doesn't have or inherit @Throws|^It is considered unexpected and unhandled/.test(text),
    end: /^Caused by: /,
  };
}

export const kotlinNativeParser: TraceParser = {
  format: 'kotlin-native',
  label: "Kotlin/Native's uncaught exception ('Uncaught Kotlin exception: kotlin.X', 'at 5  Module  0x... kfun:a.B#f(){} + 12')",
  markers: ['Uncaught Kotlin exception: '],
  startsTrace: (line) => line.includes('Uncaught Kotlin exception: ') && HEADER.test(line.trim()),
  begin: () => new HandlerDumpBlock(dialect()),
};
