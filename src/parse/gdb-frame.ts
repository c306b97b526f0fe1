// One gdb frame line: "#3  0x00007ffff7a5b476 in __GI_raise (sig=sig@entry=6) at ../sysdeps/posix/raise.c:26"
// Split into address, function (+ argument list), location and module with a single scan, because
// argument values can contain anything ("s=0x4006 \"a) at b:1\"", "<optimized out>").

import { skipQuoted } from './text.js';

export interface GdbFrameParts {
  index: number;
  address: string | null;
  /** Function as printed with its argument list, e.g. "crash (p=0x0)". */
  rawFunction: string;
  /** True while the argument list is still open (gdb wrapped it onto the next lines). */
  open: boolean;
  /** Parenthesis depth at the end of the line while `open`. */
  depth: number;
  /** Text after the argument list (" at file.c:5", " from /lib/libc.so.6"). */
  tail: string;
}

const FRAME_HEAD = /^#(\d+) +(?:(0x[0-9a-fA-F]+) in )?/;

/** Quick shape test used to decide whether a line is a gdb frame at all. */
export function looksLikeGdbFrame(line: string): boolean {
  return splitGdbFrame(line) !== null;
}

// Demangled names of thunks: "non-virtual thunk to D::other()".
const THUNK_PREFIX = /^(?:non-virtual thunk to |virtual thunk to |covariant return thunk to )/;
const QUALIFIERS = ['const', 'volatile', '&&', '&', 'noexcept'];
// gcc's clone suffixes always name a pass starting with a dot: "[clone .isra.0]", "[clone .cold]".
const CLONE_SUFFIX = / \[clone \.[A-Za-z0-9_.]+\]/y;
const CLONE_SUFFIXES = / \[clone \.[A-Za-z0-9_.]+\]/g;

function qualifierAt(s: string, i: number): boolean {
  return QUALIFIERS.some((q) => s.startsWith(q, i) && (i + q.length === s.length || s[i + q.length] === ' '));
}

function qualifierEndsAt(s: string, end: number): boolean {
  return QUALIFIERS.some((q) => end >= q.length && s.startsWith(q, end - q.length) && (end === q.length || s[end - q.length - 1] === ' ' || s[end - q.length - 1] === ')'));
}

/** How a name ends: a demangled parameter list, maybe qualified ("f<int>(int) const"). */
const ENDS_WITH_PARAMS = /\)(?: (?:const|volatile|&&?|noexcept))*$/;
/** "unsigned long long" is the longest return type spelled with spaces outside brackets. */
const MAX_RETURN_TYPE_WORDS = 4;

/**
 * The "name" of "name (args)": one function name. Ordinary log lines ("#1 fix it (later)") have
 * words separated by spaces; a gdb name has spaces outside brackets only in the places below.
 */
function plausibleName(raw: string): boolean {
  const name = raw.replace(THUNK_PREFIX, '');
  if (!/^[A-Za-z_?~({.$]/.test(name)) return false;
  // Template functions printed from minimal symbols carry their return type: "int get<int>(int) ()".
  const templateFunction = ENDS_WITH_PARAMS.test(name.replace(CLONE_SUFFIXES, ''));
  let returnTypeWords = 0;
  let depth = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '<' || c === '(' || c === '{' || c === '[') depth++;
    else if (c === '>' || c === ')' || c === '}' || c === ']') depth = Math.max(0, depth - 1);
    else if (c === ' ' && depth === 0 && !spaceInName(name, i)) {
      if (!templateFunction || ++returnTypeWords > MAX_RETURN_TYPE_WORDS || !beforeTemplateName(name, i + 1)) return false;
    }
  }
  return true;
}

function spaceInName(name: string, i: number): boolean {
  if (i >= 8 && name.startsWith('operator', i - 8)) return true; // "operator new", "operator bool"
  if (name[i + 1] === '<' || name[i - 1] === ',') return true; // "operator<< <char>", "<int, long>" wrapped
  if (name.startsWith('[clone .', i + 1)) return true; // "work(int) [clone .isra.0]"
  // After a demangled parameter list: "std::function<int (int)>::operator()(int) const".
  return (name[i - 1] === ')' || qualifierEndsAt(name, i)) && qualifierAt(name, i + 1);
}

/** True when a template name follows at `from` ("get<int>(int)"), i.e. the words before were its return type. */
function beforeTemplateName(name: string, from: number): boolean {
  if (!/[A-Za-z_]/.test(name[from] ?? '')) return false;
  const lt = name.indexOf('<', from);
  const paren = name.indexOf('(', from);
  return lt > from && (paren < 0 || lt < paren);
}

// A trailing bare "at": a mail client or a narrow paste moved the location to the next line.
// The `s` flag: `.` also takes U+2028 and U+2029 (a line ends only at "\n", which a line never holds).
const TAIL_SHAPE = /^\s*(?:at \S.*:\d+(?::\d+)?|at \S+\.(?:so(?:\.\d+)*|dylib|dll)|at)?\s*(?:from \S.*|from)?$/s;
/** IDE front-ends (CLion's gdb console) print a library without line info as "at /usr/lib/libc.so.6". */
const AT_MODULE = /^\s*at (\S+\.(?:so(?:\.\d+)*|dylib|dll))\s*$/;

/**
 * gdb 7.0-7.4 prints a function found through glibc's versioned internal aliases with a star
 * ("#0  0x00007f... in *__GI_raise (sig=<value optimised out>) at ../nptl/.../raise.c:64"): the star
 * is no part of the name.
 */
const STARRED_NAME = /^\*(?=[A-Za-z_])/;
function withoutStar(rest: string): string {
  return rest.charCodeAt(0) === 42 /* * */ ? rest.replace(STARRED_NAME, '') : rest;
}

/** Splits the frame line; returns null when it is not one. */
export function splitGdbFrame(line: string): GdbFrameParts | null {
  if (line.charCodeAt(0) !== 35 /* # */) return null;
  const m = FRAME_HEAD.exec(line);
  if (!m) return null;
  const index = Number(m[1]);
  const address = m[2] ?? null;
  const rest = withoutStar(line.slice(m[0].length));
  if (rest.startsWith('<signal handler called>') || rest.startsWith('<function called from gdb>')) {
    const close = rest.indexOf('>');
    return { index, address, rawFunction: rest.slice(0, close + 1), open: false, depth: 0, tail: rest.slice(close + 1) };
  }
  const argsAt = argumentListStart(rest);
  if (argsAt <= 0 || !plausibleName(rest.slice(0, argsAt - 1))) return null;
  let { end, depth } = scanArguments(rest, argsAt, 0);
  // gdb with debug info puts a clone's suffix after the arguments: "outer () [clone .constprop.0]".
  while (depth === 0) {
    CLONE_SUFFIX.lastIndex = end;
    const clone = CLONE_SUFFIX.exec(rest);
    if (!clone) break;
    end += clone[0].length;
  }
  if (depth === 0 && rest.length - end < 4096 && !TAIL_SHAPE.test(rest.slice(end))) return null;
  return {
    index,
    address,
    rawFunction: rest.slice(0, end).trimEnd(),
    open: depth > 0,
    depth,
    tail: rest.slice(end),
  };
}

/**
 * A frame line holding only the function name: in a narrow terminal gdb moves the whole argument
 * list to the next line ("#0  ns::Box<W>::operator()" then "    (this=0x7ffe...) at p1.cpp:13").
 * Only a frame if the next line opens the argument list; the caller decides that.
 */
export function splitBareFrameHead(line: string): { index: number; address: string | null; name: string } | null {
  if (line.charCodeAt(0) !== 35 /* # */) return null;
  const m = FRAME_HEAD.exec(line);
  if (!m) return null;
  const name = withoutStar(line.slice(m[0].length)).trimEnd();
  if (name === '' || argumentListStart(name) !== -1 || !plausibleName(name)) return null;
  return { index: Number(m[1]), address: m[2] ?? null, name };
}

/** The function of a raw "name (args)" without the argument list: what stays equal between `bt` and `bt full`. */
export function functionPart(raw: string): string {
  const i = argumentListStart(raw);
  return i > 0 ? raw.slice(0, i).trimEnd() : raw;
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
  // Inside a demangled parameter list ("work(void (*)(int)) (cb=...)") no "(" starts the arguments.
  let paren = 0;
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
    else if (c === ')' && angle === 0 && brace === 0) paren = Math.max(0, paren - 1);
    else if (c === '(' && angle === 0 && brace === 0) {
      if (s.startsWith('(anonymous namespace)', i)) {
        i += 20;
        continue;
      }
      if (paren === 0 && i > 0 && s[i - 1] === ' ') return i;
      // A parameter list, cast or lambda signature inside a name is never preceded by a space at depth 0.
      paren++;
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
      // A quote never closed on this line (a string cut or mangled in a paste: `"abc\\"de) at a.c:3`)
      // is read as text: skipped to the line's end it took the ')' and the frame's location with it.
      const close = skipQuoted(s, i, s.length);
      if (close > i && s[close] === c) i = close;
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

const AT_FILE = /^\s*at (.+?):(\d+)(?::(\d+))?\s*/s;
const FROM_MODULE = /^\s*from (\S.*?)\s*$/s;

/** Location and module from the text after the argument list. */
export function parseFrameTail(tail: string): { file: string | null; line: number | null; column: number | null; module: string | null } {
  let file: string | null = null;
  let line: number | null = null;
  let column: number | null = null;
  let module: string | null = null;
  let rest = tail;
  const atModule = AT_MODULE.exec(rest);
  if (atModule) return { file: null, line: null, column: null, module: atModule[1]! };
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
