// Text and frame patterns of rules, compiled once. Globs are the default; the opt-in regex form
// runs on re2js, a port of RE2 that matches in time linear in the input, so a hostile contributed
// pattern such as "(a+)+$" cannot hang a scan (test/rules-engine.test.ts proves it on a long line).

import { RE2JS } from 're2js';
import type { Frame } from '../model.js';
import { basename, compileGlob } from '../normalize/glob.js';
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
}

/** Thrown for a pattern that cannot compile; the loader turns it into a file:line problem. */
export class PatternError extends Error {}

const NO_CAPTURES: TextMatch = { captures: {} };

export function compileTextPattern(spec: TextPatternSpec): TextPattern {
  if (typeof spec === 'string') {
    const glob = compileGlob(spec);
    return { source: spec, match: (t) => (glob(t) ? NO_CAPTURES : null), tokens: globTokens(spec) };
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(spec.regex);
  } catch (err) {
    throw new PatternError(`invalid regex /${spec.regex}/: ${(err as Error).message}`);
  }
  const names = Object.keys(re.namedGroups());
  return {
    source: `/${spec.regex}/`,
    tokens: [],
    match(t) {
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

export function compileTextPatterns(spec: TextPatternsSpec): TextPattern[] {
  return (Array.isArray(spec) ? spec : [spec]).map(compileTextPattern);
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
  test(frame: Frame): TextMatch | null;
  /** Index tokens per alternative: a matching frame's function contains every token of one of
   *  the alternatives. Null when some alternative guarantees none (a regex, a bare wildcard). */
  tokens: string[][] | null;
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
  return {
    describe: parts.join(', '),
    tokens,
    test(frame) {
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
      const scoped = hasScope(frame.function);
      for (let i = 0; i < fn.length; i++) {
        const name = wantsFull[i] ? frame.fullFunction : frame.function;
        const m = fn[i]!.match(name);
        if (m) return { captures: { ...captures, ...m.captures } };
        if (!scoped && unqualified[i]?.match(name)) return { captures };
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
  return scopeParts(name).length > 1;
}

/**
 * The last component of a qualified glob as a matcher of unqualified frame names, or null when the
 * glob is not qualified or its last component names no identifier ("*", "*_op<>").
 */
export function unqualifiedForm(glob: string): { match: (name: string) => boolean; tokens: string[] } | null {
  const parts = scopeParts(glob);
  if (parts.length < 2) return null;
  const last = parts[parts.length - 1]!;
  const tokens = globTokens(last);
  // Operators (a lambda's "operator()") and bare wildcards say nothing on their own.
  if (last === '' || tokens.length === 0 || /^operator\b/.test(last)) return null;
  const m = compileGlob(last);
  return { match: (name) => m(name), tokens };
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
