// The frame line every LLVM sanitizer prints (ASan, LSan, MSan, TSan, UBSan, HWASan):
//   #0 0x55d1c3 in ns::f(int) /src/a.cc:12:3
//   #1 0x7f12 in __libc_start_main (/lib/x86_64-linux-gnu/libc.so.6+0x29d90) (BuildId: 4f7b...)
//   #2 0x4005d4  (/out/fuzzer+0x4005d4)
//   #3 0x7fd88a3089da  (<unknown module>)
//   #4 0x10bfc31b in v8::Script::Run C:\b\src\v8\src\api.cc:2060
// TSan leaves out "in" and puts the module last: "#0 bump counter.cpp:8 (counter+0x12a1)".
// Fuchsia numbers inlined frames "#1.1" and names modules "<libc.so>+0x964de" ("<<application>>"
// for the executable).

import type { ParsedFrame } from './types.js';

export const SANITIZER_FRAME = /^\s*#(\d+)(\.\d+)?\s+(?:(0x[0-9a-fA-F]+)\s+)?(?:in\s+)?(.*)$/;
// The tails below hold no whitespace (BuildId's one space aside): they are matched on the text after
// the last whitespace, never with a leading "\s+" the engine would retry at every position of a
// long run of spaces (quadratic on a 64 KiB line).
const BUILD_ID = /^\(BuildId: [0-9a-fA-F]+\)$/;
const MODULE_ONLY = /^\((.+?)\+(0x[0-9a-fA-F]+)\)$/;
const MODULE_TAIL_WORD = /^\(([^()\s]+?)\+(0x[0-9a-fA-F]+)\)$/;
/** A location in brackets after the name ("main [server.cc:12:3]", some symbolizers' style): the
 *  last word of `^(.*\S)\s+\[([^\[\]\s]+?):(\d+)(?::(\d+))?\]$` (see splitTail). */
const BRACKET_LOCATION_WORD = /^\[([^\[\]\s]+?):(\d+)(?::(\d+))?\]$/;
const FUCHSIA_MODULE_WORD = /^<(<[^<>\s]+>|[^<>\s]+)>\+0x[0-9a-fA-F]+$/;
/** llvm-symbolizer's "no location" marker after a function name: "malloc ??:?", "f ??:0". */
const UNKNOWN_LOCATION = /^\?\?:[?0](?::[?0])?$/;

/** The characters `\s` matches (WhiteSpace and LineTerminator), tested by code: a regex per
 *  character was a tenth of a sanitizer log's parsing. */
export function isSpaceCode(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
    || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** The last text lastWord split, and how: a frame's tails are asked of the same text in turn. */
let lastSplit: { text: string; head: string | null; word: string } = { text: '', head: null, word: '' };

/** The text before its last whitespace-separated word, and that word ("" before a text of one word). */
function lastWord(text: string): { head: string | null; word: string } {
  if (lastSplit.text === text) return lastSplit;
  let i = text.length - 1;
  while (i >= 0 && !isSpaceCode(text.charCodeAt(i))) i--;
  lastSplit = i < 0 ? { text, head: null, word: text } : { text, head: text.slice(0, i).trimEnd(), word: text.slice(i + 1) };
  return lastSplit;
}

/** Characters `.` does not match: a head holding one makes `^(.*\S)\s+...$` fail as a whole. */
const LINE_BREAK = /[\n\r\u2028\u2029]/;

/**
 * What `^(.*\S)\s+<tail>$` gives for a tail without whitespace: [text, head, ...tail's groups]. The
 * tail is the last word, tested alone, so the regex engine never backtracks over the head.
 */
function splitTail(text: string, tail: RegExp): (string | undefined)[] | null {
  const { head, word } = lastWord(text);
  if (!head) return null;
  const m = tail.exec(word);
  return m && !LINE_BREAK.test(head) ? [text, head, ...m.slice(1)] : null;
}

/** `text` without a last word matching `re` (preceded by whitespace). */
function dropTail(text: string, re: RegExp): string {
  const { head, word } = lastWord(text);
  return head !== null && re.test(word) ? head : text;
}

/** "name (module+0xoffset)": [name, module, offset], or null. */
function moduleTail(text: string): [string, string, string] | null {
  const { head, word } = lastWord(text);
  const m = head === null ? null : MODULE_TAIL_WORD.exec(word);
  return m ? [head!, m[1]!, m[2]!] : null;
}

/** Fuchsia's "name <libc.so>+0x964de" or "<<application>>+0x12": [name or null, module], or null. */
function fuchsiaTail(text: string): [string | null, string] | null {
  const { head, word } = lastWord(text);
  const m = FUCHSIA_MODULE_WORD.exec(word);
  return m ? [head, m[1]!] : null;
}

function dropBuildId(text: string): string {
  const t = text.trimEnd();
  const i = t.lastIndexOf('(BuildId: ');
  return i > 0 && /\s/.test(t[i - 1]!) && BUILD_ID.test(t.slice(i)) ? t.slice(0, i).trimEnd() : text;
}
/** "name file:line[:column]": the last word of `^(.*\S)\s+(\S+?):(\d+)(?::(\d+))?$` (see splitTail). */
const FILE_TAIL_WORD = /^(\S+?):(\d+)(?::(\d+))?$/;

/** "name file:line[:column]" as `^(.*\S)\s+(\S+?):(\d+)(?::(\d+))?$` matches it: [text, name, file, line, column]. */
export function fileTail(text: string): (string | undefined)[] | null {
  return splitTail(text, FILE_TAIL_WORD);
}

/** "name [file:line[:column]]" as `^(.*\S)\s+\[([^\[\]\s]+?):(\d+)(?::(\d+))?\]$` matches it. */
export function bracketLocation(text: string): (string | undefined)[] | null {
  return splitTail(text, BRACKET_LOCATION_WORD);
}
const TSAN_BARE_PC = /\((0x[0-9a-fA-F]+)\)$/;

export function parseSanitizerFrame(line: string): ParsedFrame | null {
  const m = SANITIZER_FRAME.exec(line);
  if (!m) return null;
  const index = Number(m[1]);
  const inlined = m[2] !== undefined;
  const address = m[3] ?? null;
  let rest = dropTail(dropBuildId(m[4]!).trimEnd(), UNKNOWN_LOCATION).trim();
  // TSan prints a pc without a module as "#5 <null> <null> (0x7eff0a5dad88)": the frame's address.
  let pc: string | null = null;
  const bare = address ? null : TSAN_BARE_PC.exec(rest);
  if (bare) {
    pc = bare[1]!;
    rest = rest.slice(0, bare.index).trimEnd();
  }
  // A frame line needs an address, or TSan's "func file:line (module+off)" shape.
  if (!address && !pc && !moduleTail(rest) && !fileTail(rest)) return null;
  let module: string | null = null;
  // "(module+0xoffset)": where the pc is inside its module, stable across address randomization.
  let moduleOffset: string | null = null;
  let file: string | null = null;
  let lineNo: number | null = null;
  let column: number | null = null;
  // TSan prints "<null>" for an unknown function or file.
  if (rest.includes('<null>')) rest = rest.replace(/^<null>(?:\s+<null>)?(?=\s|$)/, '??').replace(/\s+<null>(?=\s+\(|$)/, '');
  if (rest === '(<unknown module>)' || rest === '') rest = '??';
  const mm = MODULE_ONLY.exec(rest);
  const fuchsia = fuchsiaTail(rest);
  const tail = fuchsia || mm ? null : moduleTail(rest);
  if (fuchsia) {
    module = fuchsia[1];
    rest = fuchsia[0] || '??';
  } else if (mm) {
    module = mm[1]!;
    moduleOffset = mm[2]!;
    rest = '??';
  } else if (tail) {
    module = tail[1];
    moduleOffset = tail[2];
    rest = tail[0];
  }
  const bracket = bracketLocation(rest);
  if (bracket) {
    rest = bracket[1]!;
    file = bracket[2]!;
    lineNo = Number(bracket[3]);
    column = bracket[4] ? Number(bracket[4]) : null;
  }
  const f = bracket ? null : fileTail(rest);
  if (f && f[2]!.charCodeAt(0) !== 40 /* ( */) {
    rest = f[1]!;
    file = f[2]!;
    lineNo = Number(f[3]);
    column = f[4] ? Number(f[4]) : null;
  }
  // "memcpy-ssse3-back.S:1702" or "??:?": a location without a function name.
  const loc = rest.includes(':') ? /^(\S+):(\d+|\?)(?::\d+)?$/.exec(rest) : null;
  if (loc && !/[()]/.test(rest)) {
    if (file === null && loc[2] !== '?') {
      file = loc[1]!;
      lineNo = Number(loc[2]);
    }
    rest = '??';
  }
  // Windows symbolizers print "Function+0x1a2" (an offset into the symbol).
  if (rest.includes('+0x')) rest = rest.replace(/\+0x[0-9a-fA-F]+$/, '');
  const frame: ParsedFrame = { index, address: address ?? pc, rawFunction: rest || '??', module, file, line: lineNo, column, inlined, raw: line.trim() };
  if (moduleOffset && rest === '??') frame.moduleOffset = moduleOffset;
  return frame;
}
