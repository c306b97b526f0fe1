// Text and frame patterns of rules, compiled once. Globs are the default; the opt-in regex form
// runs on re2js, a port of RE2 that matches in time linear in the input, so a hostile contributed
// pattern such as "(a+)+$" cannot hang a scan (test/rules-engine.test.ts proves it on a long line).

import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';

// re2js is loaded when the first regex is compiled, not with the rules (its CommonJS build, so
// synchronously): a paste that no regex rule gets near never pays for it.
let re2Module: typeof RE2JS | null = null;
function re2(): typeof RE2JS {
  return (re2Module ??= (createRequire(import.meta.url)('re2js') as { RE2JS: typeof RE2JS }).RE2JS);
}
import type { Frame } from '../model.js';
import { basename, compileGlob, globLiterals } from '../normalize/glob.js';
import type { FramePatternSpec, GlobsSpec, TextPatternSpec, TextPatternsSpec } from './schema.js';

export interface TextMatch {
  /** Named groups of a regex pattern ("(?P<exception>...)"), for the diagnosis text. */
  captures: Record<string, string>;
}

export interface TextPattern {
  source: string;
  match(text: string): TextMatch | null;
  /** Identifier tokens every match must contain (for the rule index); empty when none are certain. */
  tokens: string[];
  /** Text every match contains, or null when none is certain: a text without it cannot match, so a
   *  condition can rule out all of a report's lines at once (see `mayMatchIn`). */
  literal: string | null;
  /** Compiles a regex pattern now (throws PatternError when it cannot); absent for globs. */
  check?: () => unknown;
}

/** Thrown for a pattern that cannot compile; the loader turns it into a file:line problem. */
export class PatternError extends Error {}

const NO_CAPTURES: TextMatch = { captures: {} };

export function compileTextPattern(spec: TextPatternSpec): TextPattern {
  if (typeof spec === 'string') {
    const glob = compileGlob(spec);
    return { source: spec, match: (t) => (glob(t) ? NO_CAPTURES : null), tokens: globTokens(spec), literal: textPatternLiteral(spec) };
  }
  // Compiled on first use: most rules never get as far as their regexes for a given crash, and
  // re2js compiles slowly (half the start-up of a one-paste analyze). Rule loading checks every
  // regex of a rule it parses (loadRuleFile); the build's rule index holds only rules that passed.
  let compiled: { re: RE2JS; names: string[] } | null = null;
  const compile = () => {
    if (compiled) return compiled;
    let re: RE2JS;
    try {
      re = re2().compile(spec.regex);
    } catch (err) {
      throw new PatternError(`invalid regex /${spec.regex}/: ${(err as Error).message}`);
    }
    return (compiled = { re, names: Object.keys(re.namedGroups()) });
  };
  // A text without the regex's required literal cannot match: ruled out without compiling it.
  const literal = textPatternLiteral(spec);
  return {
    source: `/${spec.regex}/`,
    tokens: [],
    literal,
    check: compile,
    match(t) {
      if (literal !== null && !t.includes(literal)) return null;
      const { re, names } = compile();
      const m = re.matcher(t);
      if (!m.find()) return null;
      if (names.length === 0) return NO_CAPTURES;
      const captures: Record<string, string> = {};
      for (const n of names) {
        const v = m.group(n);
        if (v !== null && v !== undefined) captures[n] = v;
      }
      return { captures };
    },
  };
}

const QUANTIFIER = /^(?:[?*]|\{0*,|\{0+\})/;
const ESCAPED_LITERAL = /^\\([^A-Za-z0-9])/;

/**
 * The longest run of literal characters every match of `regex` contains (a "required literal", as
 * ripgrep extracts them), or null when none is certain. Conservative: only text outside groups and
 * classes at the top level counts, a character made optional by `?`, `*` or `{0,` ends the run
 * without itself, and a top-level alternation or an inline flag (case-insensitivity) gives null.
 */
export function requiredLiteral(regex: string): string | null {
  if (/\(\?[a-zA-Z]/.test(regex.replace(/\(\?P?<[A-Za-z_]/g, ''))) return null; // (?i), (?s)...
  regex = withPlainGroupsInlined(regex);
  let best = '';
  let run = '';
  let depth = 0;
  let inClass = false;
  const end = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (let i = 0; i < regex.length; ) {
    const rest = regex.slice(i);
    const c = regex[i]!;
    if (inClass) {
      if (c === '\\') i += 2;
      else {
        if (c === ']') inClass = false;
        i++;
      }
      continue;
    }
    if (c === '[') {
      inClass = true;
      end();
      i++;
      continue;
    }
    if (c === '(') {
      depth++;
      end();
      i++;
      continue;
    }
    if (c === ')') {
      depth = Math.max(0, depth - 1);
      end();
      i++;
      // A group that may be absent or repeated does not break the runs around it; nothing to undo.
      continue;
    }
    if (c === '|' && depth === 0) return null;
    if (depth > 0) {
      i += c === '\\' ? 2 : 1;
      continue;
    }
    if (c === '{') {
      // A counted repetition "{2,5}" of what came before: its digits are not text.
      const close = regex.indexOf('}', i);
      end();
      i = close < 0 ? regex.length : close + 1;
      continue;
    }
    if (c === '\\' && /^\\[xpPuQ0-7]/.test(rest)) {
      if (rest[1] === 'Q') return null; // \Q...\E: literal text this scan does not read
      const braced = /^\\[xpP]\{[^}]*\}/.exec(rest) ?? /^\\x[0-9a-fA-F]{2}|^\\[pP][A-Za-z]|^\\u[0-9a-fA-F]{4}|^\\[0-7]{1,3}/.exec(rest);
      end();
      i += braced ? braced[0].length : 2;
      continue;
    }
    let literal: string | null = null;
    let width = 1;
    const escaped = ESCAPED_LITERAL.exec(rest);
    if (escaped) {
      literal = escaped[1]!;
      width = 2;
    } else if (c === '\\') {
      width = 2; // \d, \s, \b...: a class or an assertion
    } else if (!'.^$+?*{}'.includes(c)) literal = c;
    const after = regex.slice(i + width);
    if (literal !== null && QUANTIFIER.test(after)) {
      end();
    } else if (literal !== null) {
      run += literal;
      if (after.startsWith('+')) end(); // "a+": one 'a' is required, the run cannot go on past it
    } else end();
    i += width;
  }
  end();
  return best.length >= 2 ? best : null;
}

/**
 * An innermost group that matches exactly once and holds no alternation, class or group of its own
 * ("(?P<what>Invalid iterator comparison)", "(?:__n < size\\(\\))"): every match contains its text
 * where it stands, so for finding the required literal it is its content.
 */
const PLAIN_GROUP = /\((?:\?P?<[A-Za-z_]\w*>|\?:)?((?:[^()|[\]\\]|\\.)*)\)(?![?*+{])/g;

function withPlainGroupsInlined(regex: string): string {
  for (let round = 0; round < 8; round++) {
    const next = regex.replace(PLAIN_GROUP, (whole, inner: string, at: number) => (regex[at - 1] === '\\' ? whole : inner));
    if (next === regex) break;
    regex = next;
  }
  return regex;
}

export function compileTextPatterns(spec: TextPatternsSpec): TextPattern[] {
  return (Array.isArray(spec) ? spec : [spec]).map(compileTextPattern);
}

/** What compileTextPattern(spec).literal is, without compiling the pattern. */
export function textPatternLiteral(spec: TextPatternSpec): string | null {
  return typeof spec === 'string' ? (globLiterals(spec)[0] ?? null) : requiredLiteral(spec.regex);
}

/** Each pattern's textPatternLiteral. */
export function textPatternLiterals(spec: TextPatternsSpec): (string | null)[] {
  return (Array.isArray(spec) ? spec : [spec]).map(textPatternLiteral);
}

/**
 * A report's text (its lines, or its frames' names, "\n"-joined) asked which literals it holds:
 * one `includes` over the text instead of every pattern on every line, and one per literal and
 * report (rules share literals: "pthread_mutex_lock", "__lll_lock_wait").
 */
export class TextIndex {
  private readonly seen = new Map<string, boolean>();
  /** One bit per pair of adjacent characters (their low bytes) in the text: a literal with a pair
   *  not in it is absent without searching (most literals asked are absent). */
  private readonly pairs = new Uint32Array(2048);

  constructor(readonly text: string) {
    for (let i = 0; i + 1 < text.length; i++) {
      const p = pairOf(text, i);
      this.pairs[p >>> 5]! |= 1 << (p & 31);
    }
  }

  has(literal: string): boolean {
    // The pairs answer most literals (absent ones) faster than a Map would.
    if (!this.mayHold(literal)) return false;
    let found = this.seen.get(literal);
    if (found === undefined) {
      found = this.text.includes(literal);
      this.seen.set(literal, found);
    }
    return found;
  }

  private mayHold(literal: string): boolean {
    for (let i = 0; i + 1 < literal.length; i++) {
      const p = pairOf(literal, i);
      if ((this.pairs[p >>> 5]! & (1 << (p & 31))) === 0) return false;
    }
    return true;
  }
}

function pairOf(text: string, i: number): number {
  return ((text.charCodeAt(i) & 0xff) << 8) | (text.charCodeAt(i + 1) & 0xff);
}

/** False when no line of the indexed text can match any of the patterns whose required literals
 *  these are (null: none certain, may match). */
export function mayMatchIn(literals: readonly (string | null)[], index: TextIndex): boolean {
  for (const l of literals) if (l === null || index.has(l)) return true;
  return false;
}

/** Per alternative, whether it may match some line of the indexed text (see mayMatchIn). */
export function liveAlternatives(literals: readonly (string | null)[], index: TextIndex): boolean[] {
  return literals.map((l) => l === null || index.has(l));
}

/** First pattern of the list that matches, with its captures. */
export function matchAny(patterns: TextPattern[], text: string): TextMatch | null {
  for (const p of patterns) {
    const m = p.match(text);
    if (m) return m;
  }
  return null;
}

export function globList(spec: GlobsSpec): string[] {
  return Array.isArray(spec) ? spec : [spec];
}

/** Matches a path-like field on its basename unless the glob itself names directories. */
export function compilePathGlobs(spec: GlobsSpec): (value: string | null) => boolean {
  const matchers = globList(spec).map((g) => {
    const m = compileGlob(g, { caseInsensitive: false });
    return g.includes('/') ? m : (v: string) => m(basename(v));
  });
  return (v) => v !== null && matchers.some((m) => m(v));
}

export interface FramePattern {
  describe: string;
  /** `live`: which alternatives of `function` to try (liveAlternatives over the report's names);
   *  the others cannot match any of its frames. */
  test(frame: Frame, live?: readonly boolean[]): TextMatch | null;
  /** Index tokens per alternative: a matching frame's function contains every token of one of
   *  the alternatives. Null when some alternative guarantees none (a regex, a bare wildcard). */
  tokens: string[][] | null;
  /** Per alternative of `function`, text every matching frame's function (or full name) contains,
   *  for `mayMatchIn` over a report's function names; null when the pattern has no `function`. */
  literals: (string | null)[] | null;
}

export function compileFramePattern(spec: FramePatternSpec): FramePattern {
  const fn = spec.function === undefined ? null : compileTextPatterns(spec.function);
  // Template arguments are collapsed in `function`; a pattern that spells them out is matched
  // against the full name instead.
  const wantsFull = fn?.map((p) => /<[^>]/.test(p.source)) ?? [];
  // A qualified glob also matches the unqualified name of a frame printed without its scope (gdb's
  // inlined frames, lldb's short names): "brpc::DestroyingPtr<>::~DestroyingPtr" matches a frame
  // "~DestroyingPtr". Only when that last component names an identifier of its own, so
  // "boost::asio::detail::scheduler::*" never matches every unqualified frame.
  const unqualified = fn?.map((p, i) => (typeof (fnSpec(spec)[i]) === 'string' ? unqualifiedForm(p.source) : null)) ?? [];
  const mod = spec.module === undefined ? null : compilePathGlobs(spec.module);
  const file = spec.file === undefined ? null : compilePathGlobs(spec.file);
  const args = spec.args === undefined ? null : compileTextPatterns(spec.args);
  const locals = spec.locals === undefined ? null : compileTextPatterns(spec.locals);
  const parts: string[] = [];
  if (fn) parts.push(`function ${fn.map((p) => p.source).join(' | ')}`);
  if (spec.module !== undefined) parts.push(`module ${globList(spec.module).join(' | ')}`);
  if (spec.file !== undefined) parts.push(`file ${globList(spec.file).join(' | ')}`);
  if (args) parts.push(`args ${args.map((p) => p.source).join(' | ')}`);
  if (locals) parts.push(`locals ${locals.map((p) => p.source).join(' | ')}`);
  // Index tokens: an alternative that may match by its last component alone guarantees only that
  // component's identifiers.
  let tokens: string[][] | null = null;
  if (fn && fn.every((p) => p.tokens.length > 0)) tokens = fn.map((p, i) => unqualified[i]?.tokens ?? p.tokens);
  const literals = functionLiterals(spec);
  return {
    describe: parts.join(', '),
    tokens,
    literals,
    test(frame, live) {
      if (mod && !mod(frame.module)) return null;
      if (file && !file(frame.file)) return null;
      let captures: Record<string, string> = {};
      if (args) {
        const m = matchAny(args, argumentText(frame.rawFunction));
        if (!m) return null;
        captures = m.captures;
      }
      if (locals) {
        const m = frame.locals?.map((l) => matchAny(locals, l.trim())).find((x) => x !== null);
        if (!m) return null;
        captures = { ...captures, ...m.captures };
      }
      if (!fn) return { captures };
      // Whether the frame's name is qualified is asked only when an unqualified form could match.
      let scoped: boolean | null = null;
      for (let i = 0; i < fn.length; i++) {
        if (live && !live[i]) continue;
        const name = wantsFull[i] ? frame.fullFunction : frame.function;
        const m = fn[i]!.match(name);
        if (m) return { captures: { ...captures, ...m.captures } };
        if (unqualified[i] && !(scoped ??= hasScope(frame.function)) && unqualified[i]!.match(name)) return { captures };
      }
      return null;
    },
  };
}

function fnSpec(spec: FramePatternSpec): TextPatternSpec[] {
  const f = spec.function;
  return f === undefined ? [] : Array.isArray(f) ? f : [f];
}

/** Splits a name at its top-level "::" (not inside <...> or (...)): "a::b<c::d>::e" -> a, b<c::d>, e. */
export function scopeParts(name: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    if (ch === '<' || ch === '(' || ch === '[') depth++;
    else if ((ch === '>' || ch === ')' || ch === ']') && depth > 0) depth--;
    else if (depth === 0 && ch === ':' && name[i + 1] === ':') {
      parts.push(name.slice(start, i));
      start = i + 2;
      i++;
    }
  }
  parts.push(name.slice(start));
  return parts;
}

/** True when a frame's name carries a scope ("ns::f", "C::m", "(anonymous namespace)::f"). */
function hasScope(name: string): boolean {
  return name.includes('::') && scopeParts(name).length > 1;
}

/**
 * The last component of a qualified glob as a matcher of unqualified frame names, or null when the
 * glob is not qualified or its last component names no identifier ("*", "*_op<>").
 */
export function unqualifiedForm(glob: string): { match: (name: string) => boolean; tokens: string[] } | null {
  const last = unqualifiedPart(glob);
  if (last === null) return null;
  const m = compileGlob(last);
  return { match: (name) => m(name), tokens: globTokens(last) };
}

/** The last component of a qualified glob when it names an identifier of its own (see unqualifiedForm), else null. */
function unqualifiedPart(glob: string): string | null {
  const parts = scopeParts(glob);
  if (parts.length < 2) return null;
  const last = parts[parts.length - 1]!;
  // Operators (a lambda's "operator()") and bare wildcards say nothing on their own.
  if (last === '' || globTokens(last).length === 0 || /^operator\b/.test(last)) return null;
  return last;
}

/**
 * Per alternative of a frame pattern's `function`, text every frame it matches holds in its function
 * or full name (null: nothing certain), without compiling anything; null when the pattern has no
 * `function`. A match of a whole qualified glob contains its last component's literal too, so that
 * literal serves both forms (see unqualifiedForm).
 */
export function functionLiterals(spec: FramePatternSpec): (string | null)[] | null {
  if (spec.function === undefined) return null;
  return fnSpec(spec).map((p) => {
    if (typeof p !== 'string') return requiredLiteral(p.regex);
    return globLiterals(unqualifiedPart(p) ?? p)[0] ?? null;
  });
}

/** The argument list as printed: "f (a=0x0, b=1) at x.c:3" -> "a=0x0, b=1" (empty when none). */
export function argumentText(raw: string): string {
  const open = raw.indexOf('(');
  const close = raw.lastIndexOf(')');
  return open >= 0 && close > open ? raw.slice(open + 1, close) : '';
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/g;

/** Identifier tokens of a function name ("brpc::policy::ProcessHttpResponse" -> brpc, policy, ...). */
export function identifierTokens(text: string): string[] {
  return text.match(IDENT) ?? [];
}

/**
 * Whole identifiers a glob guarantees, longest first: runs not touching a wildcard.
 * "brpc::policy::Process*Response" -> ["policy", "brpc"] ("Process" may continue into the `*`).
 */
export function globTokens(glob: string): string[] {
  const out: string[] = [];
  for (const m of glob.matchAll(IDENT)) {
    const before = glob[m.index - 1];
    const after = glob[m.index + m[0].length];
    if (before === '*' || before === '?' || after === '*' || after === '?') continue;
    if (before !== undefined && /[0-9]/.test(before)) continue;
    out.push(m[0]);
  }
  return out.sort((a, b) => b.length - a.length);
}
