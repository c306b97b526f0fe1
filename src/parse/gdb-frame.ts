// One gdb frame line: "#3  0x00007ffff7a5b476 in __GI_raise (sig=sig@entry=6) at ../sysdeps/posix/raise.c:26"
// Split into address, function (+ argument list), location and module with a single scan, because
// argument values can contain anything ("s=0x4006 \"a) at b:1\"", "<optimized out>").

import { skipQuoted } from '../normalize/function-name.js';

export interface GdbFrameParts {
  index: number;
  address: string | null;
  /** Function as printed with its argument list, e.g. "crash (p=0x0)". */
  rawFunction: string;
  /** True while the argument list is still open (gdb wrapped it onto the next lines). */
  open: boolean;
  /** Text after the argument list (" at file.c:5", " from /lib/libc.so.6"). */
  tail: string;
}

const FRAME_HEAD = /^#(\d+) +(?:(0x[0-9a-fA-F]+) in )?/;

/** Quick shape test used to decide whether a line is a gdb frame at all. */
export function looksLikeGdbFrame(line: string): boolean {
  return splitGdbFrame(line) !== null;
}

/** The "name (args) [at file:line] [from lib]" shape: one name token, an argument list, a known tail. */
function plausibleFrame(rest: string, argsAt: number): boolean {
  if (argsAt <= 0) return false;
  const name = rest.slice(0, argsAt - 1);
  if (!/^[A-Za-z_?~({.$]/.test(name)) return false;
  // Outside brackets a function name has no spaces, except in operator names ("operator new").
  let depth = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '<' || c === '(' || c === '{' || c === '[') depth++;
    else if (c === '>' || c === ')' || c === '}' || c === ']') depth = Math.max(0, depth - 1);
    else if (c === ' ' && depth === 0 && !name.slice(0, i).endsWith('operator') && name[i + 1] !== '<' && name[i - 1] !== ',') return false;
  }
  return true;
}

const TAIL_SHAPE = /^\s*(?:at \S.*:\d+(?::\d+)?)?\s*(?:from \S.*)?$/;

/** Splits the frame line; returns null when it is not one. */
export function splitGdbFrame(line: string): GdbFrameParts | null {
  if (line.charCodeAt(0) !== 35 /* # */) return null;
  const m = FRAME_HEAD.exec(line);
  if (!m) return null;
  const index = Number(m[1]);
  const address = m[2] ?? null;
  const rest = line.slice(m[0].length);
  if (rest.startsWith('<signal handler called>') || rest.startsWith('<function called from gdb>')) {
    const close = rest.indexOf('>');
    return { index, address, rawFunction: rest.slice(0, close + 1), open: false, tail: rest.slice(close + 1) };
  }
  const argsAt = argumentListStart(rest);
  if (!plausibleFrame(rest, argsAt)) return null;
  const { end, depth } = scanArguments(rest, argsAt, 0);
  if (depth === 0 && rest.length - end < 4096 && !TAIL_SHAPE.test(rest.slice(end))) return null;
  return {
    index,
    address,
    rawFunction: rest.slice(0, end).trimEnd(),
    open: depth > 0,
    tail: rest.slice(end),
  };
}

/**
 * Continues an argument list gdb wrapped onto another line. Returns how much of `line` belongs to
 * the arguments and whether the list is still open.
 */
export function continueArguments(line: string, depth: number): { end: number; depth: number } {
  return scanArguments(line, 0, depth);
}

/**
 * Where the argument list starts: the first "(" at template depth 0 that follows a space
 * (gdb prints "name (args)") or ends the name ("operator() (args)"), skipping "(anonymous namespace)".
 */
function argumentListStart(s: string): number {
  let angle = 0;
  let brace = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === 'o' && s.startsWith('operator', i)) {
      // Skip the operator token so "operator<" / "operator()" do not count as brackets.
      let j = i + 8;
      if (s.startsWith('()', j) || s.startsWith('[]', j)) j += 2;
      else while (j < s.length && '<>=!+-*/%^&|~,'.includes(s[j]!)) j++;
      i = j - 1;
      continue;
    }
    if (c === '<') angle++;
    else if (c === '>') angle = Math.max(0, angle - 1);
    else if (c === '{') brace++;
    else if (c === '}') brace = Math.max(0, brace - 1);
    else if (c === '(' && angle === 0 && brace === 0) {
      if (s.startsWith('(anonymous namespace)', i)) {
        i += 20;
        continue;
      }
      if (i > 0 && s[i - 1] === ' ') return i;
      // A cast or lambda signature inside a name is never preceded by a space at depth 0.
    }
  }
  return -1;
}

/** Scans from `start` while parentheses are open; quoted strings are skipped whole. */
function scanArguments(s: string, start: number, depth: number): { end: number; depth: number } {
  let i = start;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' || c === "'") {
      i = skipQuoted(s, i, s.length);
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return { end: i + 1, depth: 0 };
    }
  }
  return { end: s.length, depth };
}

const AT_FILE = /^\s*at (.+?):(\d+)(?::(\d+))?\s*/;
const FROM_MODULE = /^\s*from (\S.*?)\s*$/;

/** Location and module from the text after the argument list. */
export function parseFrameTail(tail: string): { file: string | null; line: number | null; column: number | null; module: string | null } {
  let file: string | null = null;
  let line: number | null = null;
  let column: number | null = null;
  let module: string | null = null;
  let rest = tail;
  const at = AT_FILE.exec(rest);
  if (at) {
    file = at[1]!;
    line = Number(at[2]);
    column = at[3] ? Number(at[3]) : null;
    rest = rest.slice(at[0].length);
  }
  const from = FROM_MODULE.exec(rest);
  if (from) module = from[1]!;
  return { file, line, column, module };
}
