// Prefixes a logger or a process supervisor puts before every line of a program's output, which the
// line cleaner (source/clean.ts) does not know by form: docker compose's "api-1    | ", ROS launch's
// "[planner_node-3] ", spdlog's "[2024-05-01 12:00:00.311] [crash] [error] ", dmesg's
// "[   12.345678] ", a bare "12:00:01 " or "12:00:01 ERROR ", a line number "12 | ", ctest -V's test
// number "12: " (every line of a test's output in a CTest log carries it), grep -n's line numbers
// ("5712:" on a matching line, "5713-" on its -A/-B/-C context). The extractor
// learns a prefix's shape (the kinds in order) at the line a trace starts with once it is gone,
// then removes that shape from every line that has it; other lines are left as they are.

export type PrefixKind = 'dmesg' | 'bracket' | 'pipe' | 'time' | 'level' | 'test' | 'grep' | 'buildkit' | 'logcat' | 'lineno';

/** A logger's level words (a learned shape takes any of them: they change from line to line). */
const LEVELS = 'TRACE|DEBUG|INFO|NOTICE|WARN(?:ING)?|ERROR|ERR|FATAL|CRIT(?:ICAL)?';

const PATTERNS: Record<PrefixKind, RegExp> = {
  // Each takes the one blank a logger puts after it, never more: what follows may be indented (a
// frame's source line, a local variable), and that indentation is the trace's. On an empty line
// the blank is gone (the cleaner drops trailing blanks): the line's end stands for it.
  // dmesg's seconds since boot, "[ 4211.123456] ": a kind of its own, so that a learned dmesg prefix
  // never strips a later trace's numbered frames ("[1] /lib/libc.so.6(+0x42520) ..." of a crash handler).
  dmesg: /^\[\s*\d+\.\d{3,}\][ \t]?/,
  // "[anything without brackets]" up to 80 characters: a timestamp, a logger or node name, a level;
  // torchrun's "[rank0]: " puts a colon after it.
  // Open MPI's --tag-output names the stream after the rank: "[1,0]<stderr>:".
  bracket: /^\[[^[\]]{1,80}\](?:<std(?:out|err|diag)>)?:?[ \t]?/,
  // "name | " and "12 | ": docker compose (service name, padded), numbered lines.
  pipe: /^[ \t]*[\w.@/-]{1,64}[ \t]+\|[ \t]?/,
  // "12:00:01 ", "12:00:01.123 ", "2024-05-01 12:00:01,5 " (forms the cleaner does not take).
  time: /^(?:\d{4}[-/]\d\d[-/]\d\d[ T])?\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?(?:[ \t]|$)/,
  // A level word after a timestamp: "ERROR ", "E ", "[error] " is a bracket.
  // ctest -V's "12: " before each line of test 12's output; a bare "12:" on an empty line of it.
  // Only a line's first part: "12:00:01" is a time (the colon is followed by a blank here).
  test: /^\d{1,4}:(?: |$)/,
  // grep -n: the line number and ':' on a matching line, '-' on a context line (-A, -B, -C), nothing
  // in between; a digit after it is a year's ("2024-06-03"), not a grepped line's start.
  grep: /^\d{1,9}[:-](?=\D|$)/,
  // docker build's (BuildKit's) plain progress: the step number and the seconds into it, "#14 32.157 ".
  buildkit: /^#\d{1,4} \d{1,5}\.\d{1,3}(?:[ \t]|$)/,
  // Android's logcat (threadtime): "03-11 10:22:41.118  8812  8812 I hwasan  : " (a sanitizer's or
  // a library's report in `adb logcat`), and Android Studio's Logcat window, "2024-06-02 21:14:09.551
  // 30122-30122 DEBUG   pid-30122   A  " (the line cleaner may have taken the date and time away).
  logcat: /^(?:(?:\d{4}-)?\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\s+\d+\s+\d+ [VDIWEF] [^\s:]{1,40}\s*: ?|(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} +)?\d+-\d+ +\S+ +\S+ +[VDIWEFA](?: {1,2}|$))/,
  // A viewer's line numbers: `cat -n` and `nl` ("     1\t"; an empty line's is the number alone once
  // its trailing tab is gone). Only with the tab: a number and a blank is too often a line's own
  // ("0  0x... in f", a stack dump's "1.  Program arguments"), less -N's and vim's columns are not taken.
  lineno: /^ *\d{1,7}(?:\t|$)/,
  level: new RegExp(`^(?:${LEVELS}|[DIWEF])(?:[ \\t]*:)?(?:[ \\t]|$)`),
};

/** A right-aligned line number: blanks, then a digit (cheap to rule out for an indented line). */
const LINE_NUMBER_START = /^ {1,7}\d/;

/** Prefixes stripped at most, in a row ("[time] [logger] [level] "). */
const MAX_PARTS = 4;

/** Whether the line may carry a prefix at all: one cheap test before any regex. */
export function mayHavePrefix(text: string): boolean {
  const c = text.charCodeAt(0);
  if (c === 91 /* [ */ || c === 35 /* # */ || (c >= 48 && c <= 57)) return true;
  if (c === 32 && LINE_NUMBER_START.test(text)) return true;
  const bar = text.indexOf('|');
  return bar > 0 && bar < 72;
}

/** A quote marker after the prefix ("api-1 | > #0 ..."): a quoted paste inside a log. */
const QUOTE = /^[ \t]*>(?:[ \t]*>)*(?:[ \t]|$)/;

/**
 * The ways to read a prefix off the start of `text`, longest first: the kinds in order and what is
 * left after them (a quote marker after them goes too). Longest first: several parsers find their
 * start anywhere in a line, so a shorter split would also start a trace, with part of the prefix
 * left on every line. A level word counts only after a timestamp or a bracket.
 */
export function logPrefixSplits(text: string): { kinds: PrefixKind[]; rest: string }[] {
  if (!mayHavePrefix(text)) return [];
  const out: { kinds: PrefixKind[]; rest: string }[] = [];
  const kinds: PrefixKind[] = [];
  let rest = text;
  outer: while (kinds.length < MAX_PARTS) {
    for (const kind of ['dmesg', 'logcat', 'buildkit', 'bracket', 'pipe', 'time', 'level', 'test', 'grep', 'lineno'] as const) {
      if (kind === 'level' && kinds.length === 0) continue;
      if ((kind === 'test' || kind === 'grep' || kind === 'logcat' || kind === 'lineno') && kinds.length > 0) continue;
      // A timestamp after a bracket or a pipe belongs to the program's own log format (Ceph's,
      // Redis'), which its parser reads: only a line's first part may be a bare time.
      if (kind === 'time' && kinds.length > 0) continue;
      const m = PATTERNS[kind].exec(rest);
      if (m && m[0].length < rest.length) {
        kinds.push(kind);
        rest = rest.slice(m[0].length);
        out.push({ kinds: [...kinds], rest: rest.charCodeAt(0) === 62 || rest.charCodeAt(0) === 32 ? rest.replace(QUOTE, '') : rest });
        continue outer;
      }
    }
    break;
  }
  return out.reverse();
}

/**
 * grep -n's prefix once learned: a digit may follow it ("3:0.\tProgram arguments: ..." of an LLVM
 * stack dump, "12:2024-06-03 ..."), which is not taken as its start (a year's "2024-" is more likely there).
 */
const LEARNED_GREP = /^\d{1,9}[:-]/;

/** `text` without the learned prefix shape, or `text` itself when it does not start with all of it. */
export function stripLogPrefix(text: string, kinds: readonly PrefixKind[]): string {
  if (!mayHavePrefix(text)) return text;
  let rest = text;
  for (const kind of kinds) {
    const m = (kind === 'grep' ? LEARNED_GREP : PATTERNS[kind]).exec(rest);
    if (!m) return text;
    rest = rest.slice(m[0].length);
  }
  return rest.charCodeAt(0) === 62 || rest.charCodeAt(0) === 32 ? rest.replace(QUOTE, '') : rest;
}

const LEVEL_WORD = new RegExp(`^(?:${LEVELS}|${LEVELS.toLowerCase()})$`);
const LEVEL_SHAPE = `(?:${LEVELS}|${LEVELS.toLowerCase()})`;
/** A level word first: Python's logging once the cleaner took its time ("ERROR "), Rust's tracing ("ERROR api: "). */
const LEVEL_FIRST = new RegExp(`^(?:${LEVELS})\\b`);
/** A time or a level word at the end of a prefix (its blanks gone). */
const TIME_END = /\d\d:\d\d:\d\d(?:[.,]\d+)?$/;
const LEVEL_END = new RegExp(`(?:^|[^A-Za-z])(?:${LEVELS})$`);

/**
 * Whether a prefix ends as a logger ends its own: a bracket, a parenthesis, a bar, a colon, a '>', a
 * time or a level word, then blanks (its last characters looked at, not the whole prefix).
 */
function endsAsLogger(prefix: string): boolean {
  let e = prefix.length - 1;
  while (e >= 0 && (prefix.charCodeAt(e) === 32 || prefix.charCodeAt(e) === 9)) e--;
  if (e < 0) return false;
  const c = prefix.charCodeAt(e);
  if (c === 93 /* ] */ || c === 124 /* | */ || c === 58 /* : */ || c === 62 /* > */ || c === 41 /* ) */) return true;
  const tail = prefix.slice(Math.max(0, e - 31), e + 1);
  return c >= 48 && c <= 57 ? TIME_END.test(tail) : LEVEL_END.test(tail);
}
/** Punctuation after a bracket, bar, colon or '>' that makes the place no cut ("app[web.1]: " is cut after its blank). */
const NOT_A_CUT = /[:|\]>,.;)]/;
const LIST_ITEM = /^[-*+] /;
/** Longest prefix of an unknown shape tried, and most words in it. */
const MAX_SHAPE_LENGTH = 120;
const MAX_SHAPE_WORDS = 8;
const MAX_UNMARKED_WORDS = 3;

export interface ShapeSplit {
  /** The words cut off (shapeOf makes them the shape the lines after it are stripped of). */
  prefix: string;
  rest: string;
  /**
   * A prefix that ends as loggers end theirs (endsAsLogger) and holds a number or a bracket, or starts
   * with a level word: tried before the line as it is (a parser that finds its start anywhere in a
   * line, Ceph's "*** Caught signal", would otherwise read the prefixed trace as one line of it),
   * those ending in blanks longest first (pm2's "0|api      | " before its "0|", journalctl's "Jan 12
   * 03:04:05.123456 host prog[12]: " before its time alone). The others are tried after the line as
   * it is, shortest first.
   */
  marked: boolean;
}

/**
 * A prefix of a form no kind above knows: a logger's own ("2026-03-01 10:00:00,123 ERROR " of
 * Python's logging once the cleaner took its time, "Jan 12 03:04:05.123456 host prog[12]: " of
 * journalctl -o short-precise, TeamCity's "[10:00:01]W:\t [Step 2/3] ", Heroku's "app[web.1]: ",
 * pm2's "0|api      | ", Bazel's "(10:00:01) ", a mail quote's ">" without its blank). The ways to
 * cut the line at a word's start (or right after a bracket, bar, colon or '>'), within 8 words and
 * 120 characters, where the words before the cut hold what a logger writes and prose seldom does (a
 * number, a bracket, a bar, a colon, a '>'; or a level word first; 3 words at most where the prefix
 * does not end as a logger's does, see ShapeSplit.marked): the extractor asks its parsers
 * about the rest, and learns the cut-off words as a shape (shapeOf) to strip from the lines after it.
 * `marked`: only the marked ones (longest first), else only the others (shortest first).
 */
export function shapeSplits(text: string, marked: boolean): ShapeSplit[] {
  const out: ShapeSplit[] = [];
  let words = 0;
  // A Markdown list item's marker ("- #0  0x... in f ()": frames pasted as a list) marks too.
  let mark = LEVEL_FIRST.test(text) || LIST_ITEM.test(text);
  let holds = mark;
  const end = Math.min(text.length - 1, MAX_SHAPE_LENGTH);
  for (let p = 1; p <= end; p++) {
    const before = text.charCodeAt(p - 1);
    const c = text.charCodeAt(p);
    const blankBefore = before === 32 || before === 9;
    const punctuation = before === 93 /* ] */ || before === 124 /* | */ || before === 58 /* : */ || before === 62; /* > */
    if ((before >= 48 && before <= 57) || before === 91 /* [ */) holds = mark = true;
    else if (punctuation) mark = true;
    if (blankBefore && c !== 32 && c !== 9 && ++words >= MAX_SHAPE_WORDS) break;
    if (c === 32 || c === 9 || !mark) continue;
    if (!(blankBefore || (punctuation && !NOT_A_CUT.test(text[p]!)))) continue;
    const prefix = text.slice(0, p);
    const isMarked = holds && endsAsLogger(prefix);
    // An unmarked prefix of more than a few words is more likely the line's own text (a register
    // dump's "x0: 0x0000000000000000   x1: ..." before its last pair) than a logger's.
    if (isMarked === marked && (isMarked || words + (blankBefore ? 0 : 1) <= MAX_UNMARKED_WORDS)) out.push({ prefix, rest: text.slice(p), marked: isMarked });
  }
  if (!marked) return out;
  // Those ending in blanks longest first, then the ones cut right after their punctuation ("##[error]").
  const rank = (split: ShapeSplit) => (/[ \t]$/.test(split.prefix) ? -split.prefix.length : split.prefix.length);
  return out.sort((a, b) => rank(a) - rank(b));
}

/**
 * A prefix as the shape of the prefixes of the lines after it: its numbers any numbers (times,
 * pids, counters), its level word any level word, a single capital letter any capital (glog's and
 * logcat's "E"), its blanks inside any blanks (padding), its last blanks exactly (what follows may
 * be the program's own indentation); everything else as written (a host, a program, a pod's name).
 */
export function shapeOf(prefix: string): RegExp {
  const tokens = prefix.match(/\d+|[A-Za-z]+|[ \t]+|[^\dA-Za-z \t]/g) ?? [];
  const source = tokens.map((t, i) => {
    if (/^\d/.test(t)) return '\\d+';
    // The last blanks, or the line's end: an empty line of the program's keeps no blank after the prefix.
    if (/^[ \t]/.test(t)) return i === tokens.length - 1 ? `(?:${t.replace(/\t/g, '\\t')}|$)` : '[ \\t]+';
    if (/^[A-Za-z]/.test(t)) return LEVEL_WORD.test(t) ? LEVEL_SHAPE : /^[A-Z]$/.test(t) ? '[A-Z]' : t;
    return t.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  });
  return new RegExp('^' + source.join(''));
}

/** `text` without a learned shape's prefix, or `text` itself when it does not start with one. */
export function stripShape(text: string, shape: RegExp): string {
  const m = shape.exec(text);
  return m && m[0].length < text.length ? text.slice(m[0].length) : m ? '' : text;
}
