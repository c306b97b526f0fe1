// Line cleaning: what CI systems and terminals wrap around a debugger's output.
// Applied to every line before any parser sees it, so no parser knows about CI prefixes,
// colours or line endings.

// CSI sequences (colours, cursor moves), OSC sequences (titles, hyperlinks) and the string
// sequences APC, PM, SOS and DCS, which CI runners use to timestamp lines (Buildkite writes
// "ESC _bk;t=1714000000000 BEL" before each line).
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]_^XP][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

// Prefixes CI systems and process supervisors put in front of every line. Tried once each, in
// this order (a timestamp comes before a pid prefix), anchored at the start of the line.
const PREFIXES: RegExp[] = [
  // GitHub Actions / Azure: 2025-01-02T03:04:05.1234567Z. Then, in a container's log file as the
  // CRI runtimes (containerd, CRI-O) write it, the stream and a full/partial flag ("stderr F "), or
  // in GitLab's timestamped job log the stream's number and type ("00O ", "01E+ ").
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)? ?(?:(?:stdout|stderr) [FP] |\d\d[OE]\+? )?/,
  // [2025-01-02 03:04:05], [2025-01-02T03:04:05.123Z], [03:04:05]
  /^\[\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\] ?/,
  /^\[\d\d:\d\d:\d\d(?:[.,]\d+)?\] ?/,
  // 2025-01-02 03:04:05.123 (syslog-ish loggers), only when followed by a space
  /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:[.,]\d+)? /,
  // strace -f / make -j style process prefixes: [pid 1234]
  /^\[pid +\d+\] ?/,
];

// What issue trackers, mail clients, log viewers and pagers wrap around a pasted trace. Each is
// anchored and cheap to rule out by the line's first character.
// Markdown and e-mail quoting, nested ("> ", ">> ", "> > "), also inside a code block or after a
// tab ("    > ", "\t> ": a quoted reply pasted into a code block). A '>' closing a wrapped template
// argument list (">::find") has no blank after it.
const QUOTE = /^[ \t]*>(?:[ \t]*>)*(?:[ \t]|$)/;
// Sysinternals DebugView and similar Windows viewers: "00000001\t23:44:41\t[7340] ".
const DEBUG_VIEWER = /^\d{6,10}\t\d\d:\d\d:\d\d(?:[.,]\d+)?\t(?:\[\d+\] ?)?/;
// syslog and journalctl's short formats: "Jan 12 03:04:05 host prog[1234]: ", also with an ISO time
// as journalctl's short-iso and rsyslog write it, with a numeric UTC offset. After a CI runner's
// time ("...T10:00:00.1234567Z", or none) "host prog: " is too often the message's own words
// ("Fatal error: ", "Assertion failed: "): only a program with its pid is taken as syslog's there.
const SYSLOG = /^(?:(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?[+-]\d\d:?\d\d) [\w.-]+ [\w./@:-]+(?:\[\d+\])?|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?Z? [\w.-]+ [\w./@:-]+\[\d+\]): /;
// gdb's pager prompt; after RET the next line is printed right after it, on the same line.
const PAGER = /-{2,3}Type <(?:RET|return)> (?:for more, q to quit, c to continue without paging|to continue, or q <return> to quit)-{2,3}/;
// A Markdown code fence line ("```", "```gdb"): the paste's wrapping, not its text.
/** A whole line that is one inline-code span, after an optional list marker; group 1 is the code. */
const INLINE_CODE_LINE = /^\s*(?:[-*+]\s+|\d{1,3}[.)]\s+)?`([^`]+)`\s*$/;
const FENCE = /^\s*(?:```|~~~)[\w+-]*\s*$/;
const GLUED_FENCE_START = /^(\s*)```(?=\S+[ \t])/;
const GLUED_FENCE_END = /(?<=\S)```\s*$/;
// HTML-escaped text copied from a rendered page or an e-mail (&lt; &gt; &amp; &quot; &#39;).
const HTML_ENTITY = /&(?:lt|gt|amp|quot|apos|nbsp|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});/g;
const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&apos;': "'", '&nbsp;': ' ' };
/** A named entity, or a numeric one ("&#8203;", "&#x27;") as its character. */
function entity(e: string): string {
  const named = ENTITIES[e];
  if (named !== undefined) return named;
  const code = e[2] === 'x' || e[2] === 'X' ? parseInt(e.slice(3, -1), 16) : parseInt(e.slice(2, -1), 10);
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : e;
}
// Characters a web page or chat puts into text that are not text: zero-width spaces and joiners,
// word joiners, a BOM inside a line ("frame #\u200b0:" from a bot-mirrored issue).
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;
const HAS_INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/;
// Markdown's backslash escapes, left in by a paste written as Markdown source ("\* thread \#1",
// "netd\`main"): only punctuation Markdown escapes; a Windows path's "\src" is not one.
const MARKDOWN_ESCAPE = /\\([\\`*_{}[\]()#+\-.!|<>~])/g;
const HAS_MARKDOWN_ESCAPE = /\\[#*`_]/;

/** Every character the steps after the prefixes look for (escapes, fences, Markdown escapes,
 *  entities, the pager's prompt, invisible characters): a line without any is done then. */
const WRAPPING_CHARS = /[\x1b`~\\&\u200B-\u200D\u2060\uFEFF]|Type </;

/** A space, a tab, or a no-break space (what a rendered page's copy gives for a space). */
function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 160;
}

const NBSP = /\u00a0/g;

/** The program's line of a Docker json-file log line ({"log":"...\n","stream":"stderr","time":"..."}), or the line. */
function dockerLogLine(line: string): string {
  try {
    const entry: unknown = JSON.parse(line);
    const log = entry !== null && typeof entry === 'object' ? (entry as { log?: unknown }).log : undefined;
    return typeof log === 'string' ? log.replace(/\r?\n$/, '') : line;
  } catch {
    return line; // not one JSON object: left as it is
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Whether a line may start with syslog's prefix: a month ("Jan 12 ...") or an ISO date ("2026-01-12T..."). */
function mayBeSyslog(line: string): boolean {
  const c = line.charCodeAt(0);
  return (c >= 65 && c <= 90 && line.charCodeAt(3) === 32) || (isDigit(c) && line.charCodeAt(4) === 45);
}

/** Removes the CI timestamp and pid prefixes of PREFIXES, in order. */
function stripCiPrefixes(line: string): string {
  for (const re of PREFIXES) {
    const c = line.charCodeAt(0);
    if (!(isDigit(c) || c === 91)) break;
    const m = re.exec(line);
    if (m) line = line.slice(m[0].length);
  }
  return line;
}

/**
 * A CI log or a journal pasted as a Markdown code block: the block's indentation, then the runner's
 * timestamp or syslog's prefix ("    2025-01-02T03:04:05.1234567Z ==12==ERROR: ...", "    Jan 12
 * 03:04:05 host prog[12]: #0 ..."). Both go when such a prefix follows the indentation; the
 * program's own indentation after it stays. Any other indented line is left as it is.
 */
function stripIndentedPrefixes(line: string): string {
  let i = 0;
  while (i < 8 && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  const c = line.charCodeAt(i);
  if (i === 8 || !(isDigit(c) || c === 91 || (c >= 65 && c <= 90))) return line;
  const rest = line.slice(i);
  let stripped = isDigit(c) ? rest.replace(DEBUG_VIEWER, '') : rest;
  if (mayBeSyslog(stripped)) stripped = stripped.replace(SYSLOG, '');
  if (isDigit(stripped.charCodeAt(0)) || stripped.charCodeAt(0) === 91) stripped = stripCiPrefixes(stripped);
  return stripped === rest ? line : stripped;
}

/** Removes what a paste picked up around each line: quoting, viewer and syslog prefixes, fences, entities. */
function stripPasteWrapping(line: string): string {
  let c = line.charCodeAt(0);
  if (c === 62 /* > */ || c === 32 || c === 9) line = line.replace(QUOTE, '');
  c = line.charCodeAt(0);
  if (isDigit(c)) line = line.replace(DEBUG_VIEWER, '');
  c = line.charCodeAt(0);
  if (mayBeSyslog(line)) line = line.replace(SYSLOG, '');
  return line;
}

/** Removes a trailing CR, ANSI escape sequences, CI timestamp / pid prefixes and paste wrapping. */
export function cleanLine(line: string): string {
  // Trailing blanks, last (a prefix's own blank is part of its form): a web page, an editor or a
  // terminal copy pads lines with them (and an editor strips those a tool wrote, as Valgrind's
  // "==PID== "): no line's meaning is in them, and a parser's line ends where its text does.
  const cleaned = unwrapLine(line);
  let end = cleaned.length;
  while (end > 0 && isBlank(cleaned.charCodeAt(end - 1))) end--;
  return end < cleaned.length ? cleaned.slice(0, end) : cleaned;
}

function unwrapLine(line: string): string {
  if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
  // Docker's json-file log: each line a JSON object whose "log" is the program's line.
  if (line.charCodeAt(0) === 123 /* { */ && line.startsWith('{"log":"')) line = dockerLogLine(line);
  // No-break spaces for spaces: a rendered page's copy (a code block's indentation, the gaps of a
  // table) gives them; every pattern after this reads blanks as spaces.
  if (line.indexOf('\u00a0') !== -1) line = line.replace(NBSP, ' ');
  // Most lines hold none of what the steps after the prefixes look for: one search says so, and
  // removing prefixes only removes characters.
  const plain = !WRAPPING_CHARS.test(line);
  if (!plain && line.includes('\x1b')) line = line.replace(ANSI, '');
  const first = line.charCodeAt(0);
  if (first === 62 || first === 32 || first === 9 || (first >= 65 && first <= 90) || isDigit(first)) line = stripPasteWrapping(line);
  const c = line.charCodeAt(0);
  // Fast path: every CI prefix starts with a digit or '['.
  if (isDigit(c) || c === 91) {
    const stripped = stripCiPrefixes(line);
    // A journal printed in a CI log: syslog's prefix after the runner's time.
    if (stripped !== line) line = mayBeSyslog(stripped) ? stripped.replace(SYSLOG, '') : stripped;
  } else if (c === 32 || c === 9) line = stripIndentedPrefixes(line);
  // Quoting inside a CI log ("2025-...Z > #0 ..."), rare but cheap to check.
  if (line.charCodeAt(0) === 62) line = line.replace(QUOTE, '');
  if (plain) return line;
  if (line.includes('`')) {
    if (FENCE.test(line)) return '';
    // A stray backtick opening or closing an inline-code paste leaves the line with an odd number of
    // them; quoted text (`x`) and lldb's module`function pairs keep theirs.
    // A line pasted as one inline-code span, often a Markdown list item ("   - `#0  0x... in f ()`",
    // "1. `frame #3: ...`"): the marker and the two backticks go. Two backticks only: lldb's
    // module`function keeps its own.
    const span = INLINE_CODE_LINE.exec(line);
    if (span) return span[1]!;
    // A fence glued to the paste's first or last line, as chat clients and quick replies leave it
    // ("```Program received signal ...", "#3 0x... in main () at m.c:7```"): a fence line's language
    // tag is one word, so the first line's fence has words after it.
    if (line.includes('```')) line = line.replace(GLUED_FENCE_START, '$1').replace(GLUED_FENCE_END, '');
    if ((line.split('`').length - 1) % 2 === 1) {
      const opened = line.replace(/^(\s*)`(?=\S)/, '$1'); // the indentation is the paste's (a code block): kept for the extractor
      line = opened !== line ? opened : line.replace(/(?<=\S)`\s*$/, '');
    }
  } else if (line.includes('~~~') && FENCE.test(line)) return '';
  if (line.includes('\\') && HAS_MARKDOWN_ESCAPE.test(line)) line = unescapeMarkdown(line);
  if (line.includes('&')) {
    line = line.replace(HTML_ENTITY, entity);
    // An escaped quote ("&gt; #0 ...") is a quote once decoded.
    if (line.charCodeAt(0) === 62 || /^[ \t]+>/.test(line)) line = line.replace(QUOTE, '');
  }
  if (line.includes('Type <')) line = line.replace(PAGER, '');
  if (HAS_INVISIBLE.test(line)) line = line.replace(INVISIBLE, '');
  return line;
}

/**
 * A Windows path (D:\a\_temp\src\x.cpp, .\_deps\lib, \\server\share\_out): its backslashes are
 * separators, not Markdown escapes, even before punctuation (GitHub Actions' Windows runners build
 * under D:\a\_temp and D:\a\_work: unescaped, every such location would lose a backslash).
 */
const WINDOWS_PATH = /(?:(?<![\w\\])[A-Za-z]:|(?<![\w\\.])\.{1,2}(?=\\)|(?<![\w\\])\\(?=\\\w))\\[^\s"'<>|*?`]*/g;

/** A line of Markdown source without its escapes, and without the quote or list marker they hid. */
function unescapeMarkdown(line: string): string {
  const paths: [number, number][] = [];
  for (const m of line.matchAll(WINDOWS_PATH)) paths.push([m.index, m.index + m[0].length]);
  line = line.replace(MARKDOWN_ESCAPE, (escape, char: string, at: number) => (paths.some(([from, to]) => at >= from && at < to) ? escape : char));
  return line.charCodeAt(0) === 62 ? line.replace(QUOTE, '') : line;
}

// rsyslog's escaping of control characters in a forwarded message: "#012" for a line feed, "#011"
// for a tab. systemd-coredump's multi-line journal message (its "Stack trace of thread" block)
// arrives in /var/log/messages as one line, its lines joined by "#012".
const SYSLOG_NEWLINE = /#012/g;
/**
 * The "#012"s that show a line is such a message: one not followed by a digit, or one glued to the
 * text before it (")#01211-30 09:41:07.603 ..."). A "#012" followed by a digit after a space, a
 * bracket or a comma is a number ("fixed in #0123 and #0124"): it proves nothing.
 */
const SURE_SYSLOG_NEWLINE = /#012(?!\d)|(?<=[^\s([{,;#])#012(?=\d)/g;

/**
 * A raw line split at rsyslog's escaped line feeds, or null when it holds none. Two sure ones at
 * least: one "#012" could be text ("issue #012"); a flattened multi-line message has one per line.
 * Once the line is one, every "#012" in it is a line feed (before a line that starts with a digit too).
 */
export function splitEscapedNewlines(line: string): string[] | null {
  const first = line.indexOf('#012');
  if (first < 0) return null;
  SURE_SYSLOG_NEWLINE.lastIndex = first;
  let sure = 0;
  while (sure < 2 && SURE_SYSLOG_NEWLINE.exec(line)) sure++;
  SURE_SYSLOG_NEWLINE.lastIndex = 0;
  if (sure < 2) return null;
  return line.replace(/#011/g, '\t').split(SYSLOG_NEWLINE);
}

/** A line feed or CR LF written as an escape ("\\n", "\\r\\n"), not after an escaped backslash. */
const ESCAPED_NEWLINE = /(?<!\\)(?:\\r)?\\n/;
/** A backslash that starts no JSON or C escape (an escaped backslash is skipped as a pair). */
const NOT_AN_ESCAPE = /(?<!\\)(?:\\\\)*\\[^nrt"\\/bfu0]/;
const JSON_ESCAPES: Record<string, string> = { t: '\t', '"': '"', '\\': '\\', '/': '/' };

/**
 * A raw line holding a multi-line text as a JSON or C string ("\\n" for each line feed: a structured
 * logger's stack field, a test report's message, Python's repr), split into its lines and unescaped,
 * or null. Taken with three escaped line feeds at least: a message with a "\\n" or two in it is left
 * as it is; text of many lines is read as the lines it was (a trace in it is then found as any other).
 */
export function splitJsonEscapedNewlines(line: string): string[] | null {
  // A backslash before anything a string escape is not (a Windows path's "\\Program Files\\nodejs"):
  // raw text, whose "\\n" are a path's.
  if (NOT_AN_ESCAPE.test(line)) return null;
  const parts = line.split(ESCAPED_NEWLINE);
  if (parts.length < 4) return null;
  return parts.map((p) => (p.includes('\\') ? p.replace(/\\([t"\\/])/g, (_, c: string) => JSON_ESCAPES[c]!) : p));
}

/**
 * Where a frame's number stands in a line whose line breaks were lost (a stack pasted into rendered
 * Markdown without a code block, where a line break is a space; a single-line field; a logger that
 * joins a message's lines with blanks): "#N" after a blank, then a blank (gdb's, a sanitizer's frame)
 * or ':' (lldb's "frame #N:", with its "* " for the selected frame), then an address or a function
 * and its parenthesis ("#0  compute (p=0x0) at ...": gdb's frame without an address).
 */
const JOINED_FRAME = /(?<=\s)(?:\* )?(?:frame )?#(\d{1,4})(?=:? +(?:0x[0-9a-fA-F]+|[\w:~<>]+ ?\())/g;
/** A tool's "==PID==" after a blank, as Valgrind puts it before each line. */
const JOINED_TAG = /(?<=\s)==\d+==(?=\s)/g;
/** Frames in a row a joined stack has at least: fewer are too likely a line's own words ("#1 and #2"). */
const MIN_JOINED_FRAMES = 3;

/**
 * A raw line split before each frame of a stack joined into it, or null when it holds none: a run
 * of at least 3 frame numbers counting up by one ("#0 ... #1 ... #2 ..."), each after a blank, or 3
 * of Valgrind's "==PID==" tags (the same each time), before each of which it is cut. Then
 * every run of two or more (another thread's stack) is split too, and so are the lines a debugger or
 * a sanitizer prints around its stacks (JOINED_HEADER); text before them is a line of its own.
 */
export function splitJoinedFrames(line: string): string[] | null {
  const found: { at: number; n: number }[] = [];
  for (const m of line.matchAll(JOINED_FRAME)) found.push({ at: m.index!, n: Number(m[1]) });
  const runs: { at: number; n: number }[][] = [];
  for (const f of found) {
    const run = runs[runs.length - 1];
    if (run && f.n === run[run.length - 1]!.n + 1) run.push(f);
    else runs.push([f]);
  }
  // Valgrind's (and crash handlers') "==PID==" before each of their lines.
  const tags = [...line.matchAll(JOINED_TAG)];
  const tagged = tags.length >= MIN_JOINED_FRAMES && tags.every((t) => t[0] === tags[0]![0]);
  if (!runs.some((r) => r.length >= MIN_JOINED_FRAMES) && !tagged) return null;
  const cuts = new Set<number>();
  if (tagged) for (const t of tags) cuts.add(t.index!);
  for (const r of runs) if (r.length >= 2) for (const f of r) cuts.add(f.at);
  for (const m of line.matchAll(JOINED_HEADER)) cuts.add(m.index!);
  const parts: string[] = [];
  let from = 0;
  for (const at of [...cuts].sort((a, b) => a - b)) {
    const part = line.slice(from, at).trimEnd();
    if (part !== '') parts.push(part);
    from = at;
  }
  // The last frame ends at its location (or gdb's "from" module): a reporter's words after it are a line of their own.
  const last = JOINED_LAST_FRAME.exec(line.slice(from));
  parts.push(...(last ? [last[1]!, last[2]!] : [line.slice(from)]));
  return parts;
}

/** A frame's text up to its location ("at a.c:3", lldb's "at a.cc:9:3", a sanitizer's "/src/a.c:12:3", gdb's "from /lib/libc.so.6"), then more words. */
const JOINED_LAST_FRAME = /^(.*?(?: at \S+:\d+(?::\d+)?| from \S+|\s\S+:\d+:\d+))\s+(\S.*)$/;

/** Where a line the stack's text was joined to starts: a debugger's stop, its prompt, a sanitizer's header. */
const JOINED_HEADER = /(?<=\s)(?=Program (?:received|terminated with) signal |Thread \d+ "[^"]*" received signal |Thread \d+ \(|Core was generated by |\((?:gdb|lldb)\) |\* thread #\d|  thread #\d|Process \d+ stopped|==\d+==\s*ERROR: |SUMMARY: )/g;
