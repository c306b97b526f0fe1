// Function-name normalization: one name per function whatever the debugger, optimizer or
// compiler version printed around it. Everything here is a single left-to-right scan that tracks
// nesting of (), <>, [] and {}, so names like `std::function<void (int)>::operator()(int) const`
// or `(anonymous namespace)::{lambda()#1}::operator()` come out right and no regex ever runs
// over untrusted text with backtracking.

import { skipQuoted } from '../parse/text.js';

export interface NormalizedName {
  /** Arguments, return type, clone suffixes and ABI tags dropped; template arguments kept. */
  full: string;
  /** `full` with every template argument list collapsed to `<>`: the name rules and signatures use. */
  short: string;
}

const UNKNOWN = '??';

const OPERATOR_SYMBOLS = new Set('<>=!+-*/%^&|~,'.split(''));

function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_$]/.test(c);
}

/** Length of the operator token starting at `i` (which points at "operator"), 0 if none. */
function operatorLength(s: string, i: number): number {
  if (!s.startsWith('operator', i) || isIdentChar(s[i - 1]) || isIdentChar(s[i + 8])) return 0;
  let j = i + 8;
  if (s.startsWith('()', j) || s.startsWith('[]', j)) return j + 2 - i;
  if (s.startsWith(' ()', j) || s.startsWith(' []', j)) return j + 3 - i;
  let k = j;
  while (k < s.length && OPERATOR_SYMBOLS.has(s[k]!)) k++;
  if (k > j) return k - i;
  // operator new / delete / conversion operators: "operator new[]", "operator bool"
  if (s[j] === ' ') {
    let m = j + 1;
    while (m < s.length && isIdentChar(s[m])) m++;
    if (s.startsWith('[]', m)) m += 2;
    return m - i;
  }
  return j - i;
}


/**
 * Index of the top-level `(` that opens the parameter list at the end of `s`, or -1.
 * Top level means outside <>, [], {} and outside an earlier parenthesis group that is part of
 * the name ("(anonymous namespace)", "{lambda(int)#1}").
 */
function trailingParamsStart(s: string): number {
  let end = s.length;
  while (end > 0 && s[end - 1] === ' ') end--;
  if (s[end - 1] !== ')') return -1;
  // Walk forward so operator tokens and template brackets are recognized in order.
  let angle = 0;
  let paren = 0;
  let brace = 0;
  let lastTop = -1;
  let lastTopClose = -1;
  for (let i = 0; i < end; i++) {
    const c = s[i]!;
    if (paren > 0 && (c === '"' || c === "'")) {
      // Argument values: quoted strings and chars may hold any bracket. A quote never closed is
      // text (as the frame parser reads it): skipped to the end it took the parameter list's ')'.
      const close = skipQuoted(s, i, end);
      if (close > i && s[close] === c) i = close;
      continue;
    }
    const op = c === 'o' ? operatorLength(s, i) : 0;
    if (op > 0) {
      i += op - 1;
      continue;
    }
    if (paren > 0 && (c === '<' || c === '>')) continue; // "<optimized out>", "x=60 '<'"
    if (c === '<') angle++;
    else if (c === '>') angle = Math.max(0, angle - 1);
    else if (c === '{') brace++;
    else if (c === '}') brace = Math.max(0, brace - 1);
    else if (c === '(') {
      if (paren === 0 && angle === 0 && brace === 0) lastTop = i;
      paren++;
    } else if (c === ')') {
      paren = Math.max(0, paren - 1);
      if (paren === 0 && angle === 0 && brace === 0) lastTopClose = i;
    }
  }
  // Only a group that closes the name is a parameter list: in "run()::{lambda()#1}::operator()"
  // the last top-level group, "run()", is a function-local scope, and the end is operator()'s own.
  if (lastTopClose !== end - 1) return -1;
  // "(anonymous namespace)" alone is a name part, not parameters.
  if (lastTop >= 0 && s.startsWith('(anonymous namespace)', lastTop) && lastTop + 21 >= end) return -1;
  return lastTop;
}

const TRAILING_QUALIFIERS = [' const', ' volatile', ' &&', ' &', ' noexcept', '&&', '&'];

function stripTrailingQualifiers(s: string): string {
  for (let changed = true; changed; ) {
    changed = false;
    s = s.trimEnd();
    for (const q of TRAILING_QUALIFIERS) {
      if (s.endsWith(q) && !s.endsWith('operator' + q.trim())) {
        s = s.slice(0, -q.length);
        changed = true;
      }
    }
  }
  return s;
}

/** Drops a leading return type: the text before the last top-level space (outside brackets). */
function stripReturnType(s: string): string {
  let depth = 0;
  let cut = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const op = c === 'o' ? operatorLength(s, i) : 0;
    if (op > 0) {
      i += op - 1;
      continue;
    }
    if (c === '<' || c === '(' || c === '[' || c === '{') depth++;
    else if (c === '>' || c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if (c === ' ' && depth === 0 && s[i + 1] !== '<') cut = i; // "operator<< <T>" keeps its space
  }
  return cut >= 0 ? s.slice(cut + 1) : s;
}

/**
 * A lambda's call operator: gdb names it from DWARF as plain "operator()", sanitizers, Valgrind and
 * backtrace_symbols from its linkage name as "run()::{lambda()#1}::operator()". Matching and
 * signatures use the form every tool can give.
 */
const LAMBDA_CALL = /^.*\{lambda\(.*\)#\d+\}::operator\(\)$/s;
function collapseLambda(s: string): string {
  return s.endsWith('::operator()') && s.includes('{lambda(') && LAMBDA_CALL.test(s) ? 'operator()' : s;
}

/** Collapses every template argument list to `<>`, leaving operator tokens intact. */
export function collapseTemplates(s: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const op = c === 'o' && depth === 0 ? operatorLength(s, i) : 0;
    if (op > 0) {
      out += s.slice(i, i + op);
      i += op - 1;
      continue;
    }
    if (c === '<') {
      if (depth === 0) out += '<>';
      depth++;
    } else if (c === '>' && depth > 0) depth--;
    else if (depth === 0) out += c;
  }
  return out;
}

// Compiler-made clones and tags that differ between builds of the same function.
/** Rust's legacy symbol hash ("std::panicking::begin_panic::h4d68aac0b79bfb98"): differs per build,
 *  as printed by any tool that does not strip it (minidump stackwalkers, backtrace_symbols, Windows). */
const RUST_HASH = /::h[0-9a-f]{16}$/;
const CLONE_SUFFIX = / ?\[clone [^\]]*\]/g;
const DOT_SUFFIX = /\.(?:isra|constprop|part|cold|lto_priv|localalias|llvm)(?:\.\d+)*/g;
const ABI_TAG = /\[abi:[A-Za-z0-9_]+\]/g;

/** Normalizes a function as a debugger printed it (with or without its argument list). */
const SWIFT_CLOSURE_HEAD = /^(?:[a-z@][\w@ ]*? )?((?:implicit )?closure #\d+)(?= |$)/;
const SWIFT_RETURN = /\)\s+(?:(?:throws|rethrows|async)\s+)*->\s+(?:\(\)|[^()<>]*)$/;

/**
 * "closure #1 (Swift.Int) -> () in <enclosing function>": the closure's name and the enclosing
 * function, split at the first " in " outside the closure's parenthesized and bracketed type
 * (which may hold "(_StorageClass in _D89A...)").
 */
function swiftClosure(s: string): { name: string; outer: string } | null {
  const head = SWIFT_CLOSURE_HEAD.exec(s);
  if (!head) return null;
  let depth = 0;
  for (let i = head[0].length; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '<' || c === '[') depth++;
    else if (c === ')' || c === '>' || c === ']') {
      // "->" is an arrow, not a closing bracket.
      if (!(c === '>' && s[i - 1] === '-')) depth = Math.max(0, depth - 1);
    } else if (depth === 0 && s.startsWith(' in ', i)) return { name: head[1]!, outer: s.slice(i + 4) };
  }
  return null;
}

/** Normalized names by raw name: a log repeats the same frames in trace after trace, and the report
 *  builder asks twice per frame (choosing the crashing thread, then building the frame). */
const nameCache = new Map<string, NormalizedName>();
/** Entries kept before the cache starts over; names longer than NAME_CACHE_MAX_LENGTH are not kept. */
export const NAME_CACHE_LIMIT = 20_000;
const NAME_CACHE_MAX_LENGTH = 2048;

/** How many names the cache holds now (for its tests). */
export function nameCacheSize(): number {
  return nameCache.size;
}

export function normalizeFunctionName(raw: string): NormalizedName {
  let name = nameCache.get(raw);
  if (name === undefined) {
    name = computeNormalizedName(raw);
    if (raw.length <= NAME_CACHE_MAX_LENGTH) {
      if (nameCache.size >= NAME_CACHE_LIMIT) nameCache.clear();
      nameCache.set(raw, name);
    }
  }
  // A copy: the caller may change what it gets without changing the next caller's answer.
  return { full: name.full, short: name.short };
}

/** normalizeFunctionName without the cache (its tests compare the two). */
export function computeNormalizedName(raw: string): NormalizedName {
  let s = raw.trim();
  if (s === '' || s === UNKNOWN || s.startsWith('?? ') || s === '??()') return { full: UNKNOWN, short: UNKNOWN };
  if (s.startsWith('<')) return { full: s, short: s }; // "<signal handler called>"
  // Swift closures: "closure #1 (Swift.Int) -> Swift.Int in App.Worker.run() -> ()" is closure #1
  // of App.Worker.run; its own signature and the words around it ("partial apply for") go.
  const closure = swiftClosure(s);
  if (closure) {
    const outer = normalizeFunctionName(closure.outer);
    return { full: `${closure.name} in ${outer.full}`, short: `${closure.name} in ${outer.short}` };
  }
  // A Swift function's return type after its parameter list: "App.Worker.run() -> ()".
  if (s.includes(' -> ')) s = s.replace(SWIFT_RETURN, ')');
  // Every step below is linear; lines are already capped at 64 KiB by the reader, so long template
  // names keep their ends (a cut here would make different functions with a common prefix one).
  if (s.length > 65536) s = s.slice(0, 65536);
  s = s.replace(CLONE_SUFFIX, '').replace(ABI_TAG, '').replace(RUST_HASH, '');
  // MSVC and Windows symbolizers spell it "`anonymous namespace'".
  if (s.includes('`anonymous namespace\'')) s = s.replaceAll('`anonymous namespace\'', '(anonymous namespace)');
  // Remove argument lists repeatedly: "f(int) const" and gdb's "f (x=1)" both end in one.
  // gdb without debug info prints "foo(int) ()": a parameter-type list, then the empty argument list.
  for (let round = 0; round < 2; round++) {
    s = stripTrailingQualifiers(s);
    const p = trailingParamsStart(s);
    if (p <= 0) break;
    s = s.slice(0, p);
  }
  s = stripTrailingQualifiers(s.trimEnd());
  s = s.replace(DOT_SUFFIX, '');
  s = stripReturnType(s.trim());
  // lldb names a function of the global namespace that has internal linkage "::f" (gdb: "f").
  if (s.startsWith('::') && !s.startsWith(':::')) s = s.slice(2);
  if (s === '') return { full: UNKNOWN, short: UNKNOWN };
  return { full: s, short: collapseLambda(collapseTemplates(s)) };
}
