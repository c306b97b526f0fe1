// Line cleaning: what CI systems and terminals wrap around a debugger's output.
// Applied to every line before any parser sees it, so no parser knows about CI prefixes,
// colours or line endings.

// CSI sequences (colours, cursor moves) and OSC sequences (titles, hyperlinks).
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

// Prefixes CI systems and process supervisors put in front of every line. Tried once each, in
// this order (a timestamp comes before a pid prefix), anchored at the start of the line.
const PREFIXES: RegExp[] = [
  // GitHub Actions / Azure: 2025-01-02T03:04:05.1234567Z
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)? ?/,
  // [2025-01-02 03:04:05], [2025-01-02T03:04:05.123Z], [03:04:05]
  /^\[\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\] ?/,
  /^\[\d\d:\d\d:\d\d(?:[.,]\d+)?\] ?/,
  // 2025-01-02 03:04:05.123 (syslog-ish loggers), only when followed by a space
  /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:[.,]\d+)? /,
  // strace -f / make -j style process prefixes: [pid 1234]
  /^\[pid +\d+\] ?/,
];

/** Removes a trailing CR, ANSI escape sequences and CI timestamp / pid prefixes. */
export function cleanLine(line: string): string {
  if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
  if (line.includes('\x1b')) line = line.replace(ANSI, '');
  const first = line.charCodeAt(0);
  // Fast path: every prefix starts with a digit or '['.
  if ((first >= 48 && first <= 57) || first === 91) {
    for (const re of PREFIXES) {
      const c = line.charCodeAt(0);
      if (!((c >= 48 && c <= 57) || c === 91)) break;
      const m = re.exec(line);
      if (m) line = line.slice(m[0].length);
    }
  }
  return line;
}
