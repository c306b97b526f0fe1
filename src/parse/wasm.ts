// A WebAssembly trap (C/C++ built with Emscripten, or any module run by V8 or SpiderMonkey) as the
// JavaScript engine reports it: the trap's RuntimeError, then the stack, Wasm frames innermost:
//   RuntimeError: memory access out of bounds
//       at tiffdec.wasm.TIFFReadScanline (wasm://wasm/tiffdec.wasm-01b3c7e2:wasm-function[412]:0x3a1f2)
//       at wasm://wasm/001b0002:wasm-function[289]:0x37aab                 (a module without a name section)
//       at dlmalloc (app.wasm:0x190c32)                                    (Chrome with DWARF names)
//       at callMain (/home/me/proj/build/app.js:4936:15)                   (the JavaScript that called it)
//   $dlmalloc @ app.wasm:0x190c32                                         (Chrome DevTools' console)
//   TIFFReadScanline@http://host/app.wasm:wasm-function[412]:0x3a1f2     (Firefox)
// The trap's words say what happened: out-of-bounds memory (a wild or freed pointer past the linear
// memory), "unreachable" (abort(), a failed assert, __builtin_unreachable), a null or mistyped
// function pointer, integer division by zero.

import { dumpFrame, HandlerDumpBlock, type DumpHeader, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

const TRAP = /(?:^|\s|: )(?:Uncaught (?:\(in promise\) )?)?RuntimeError: (.*?)\s*$/;
// The location in the last parentheses, which hold none: linear in the line's length.
const V8 = /^at (?:(.+) \(([^()]*)\)|(\S+))$/;
const FIREFOX = /^(\S*?)@(\S+)$/;
const DEVTOOLS = /^(\S+) @ (\S+)$/;
const WASM_LOCATION = /^(.*?)(?::wasm-function\[(\d+)\])?:(0x[0-9a-fA-F]+)$/;
const JS_LOCATION = /^(.*?):(\d+):(\d+)$/;

function trap(words: string): DumpHeader {
  const w = words.toLowerCase();
  if (/memory access out of bounds|out of bounds memory access/.test(w)) return { signal: 'SIGSEGV', description: words, faultAddress: null };
  if (/null function|indirect call to null/.test(w)) return { signal: 'SIGSEGV', description: words, faultAddress: '0x0' };
  if (/divide by zero|division by zero|remainder by zero/.test(w)) return { signal: 'SIGFPE', description: words, faultAddress: null };
  if (/^unreachable|^aborted\(/.test(w)) return { signal: 'SIGABRT', description: words, faultAddress: null };
  return { signal: null, description: words, faultAddress: null };
}

/** "tiffdec.wasm.TIFFReadScanline" (V8 puts the module's name before the function's), "$f" (DevTools). */
function cleanName(name: string): string {
  return name.replace(/^[\w.-]+\.wasm\./, '').replace(/^\$/, '').replace(/^Object\./, '') || '??';
}

function frame(text: string) {
  let name: string | null = null;
  let where: string;
  let m: RegExpExecArray | null;
  if ((m = V8.exec(text))) [name, where] = m[3] ? [null, m[3]] : [m[1]!, m[2]!];
  else if ((m = DEVTOOLS.exec(text)) && /\.wasm|wasm-function|\.js:\d/.test(m[2]!)) [name, where] = [m[1]!, m[2]!];
  else if ((m = FIREFOX.exec(text)) && /wasm-function|\.wasm:|\.js:\d/.test(m[2]!)) [name, where] = [m[1] || null, m[2]!];
  else return null;
  const wasm = WASM_LOCATION.exec(where);
  if (wasm && (wasm[2] !== undefined || /\.wasm$|^wasm:/.test(wasm[1]!))) {
    // A named frame keeps no module: the module links its libc in (Emscripten's musl), so "abort" or
    // "__assert_fail" in it are the C library's, which the skip list knows by name only without one.
    const f = dumpFrame(null, name ? cleanName(name) : '??', name ? null : wasm[1]!, text);
    return { ...f, moduleOffset: wasm[3]!.toLowerCase() };
  }
  const js = JS_LOCATION.exec(where);
  if (js) return dumpFrame(null, name ? cleanName(name) : '??', null, text, js[1]!, Number(js[2]));
  return name ? dumpFrame(null, cleanName(name), null, text) : null;
}

const dialect: HandlerDumpDialect = {
  format: 'wasm',
  program: null,
  strip: (line) => line.trim(),
  header(text) {
    const m = TRAP.exec(text);
    return m ? trap(m[1]!) : null;
  },
  frame,
  other: () => false,
};

export const wasmParser: TraceParser = {
  format: 'wasm',
  label: "WebAssembly traps ('RuntimeError: memory access out of bounds', 'at f (wasm://wasm/...:wasm-function[12]:0x1a2b)')",
  markers: ['RuntimeError: '],
  startsTrace: (line) => line.includes('RuntimeError: ') && TRAP.test(line),
  begin: () => new HandlerDumpBlock(dialect),
};
