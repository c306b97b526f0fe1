// Go's race detector (go test -race, go run -race), the ThreadSanitizer runtime under Go's own words:
//
//   ==================
//   WARNING: DATA RACE
//   Write at 0x00c000120018 by goroutine 9:
//     example.com/pool.(*Pool).put()
//         /src/pool/pool.go:41 +0x64
//
//   Previous read at 0x00c000120018 by main goroutine:
//     example.com/pool.(*Pool).size()
//         /src/pool/pool.go:52 +0x3c
//
//   Goroutine 9 (running) created at:
//     example.com/pool.TestPool()
//         /src/pool/pool_test.go:17 +0x10a
//   ==================
//
// The stacks play TSan's roles (the access, the previous access, where each goroutine was created);
// the crash kind is TSan's verdict, "data race", so the rules for C++ races apply. Go <1.17 printed
// "Goroutine 9 (running) created at:" the same way; "Write by goroutine 9:" (no address) is older still.

import { pushCapped, TraceSpan } from './framework.js';
import { type BlockParser, type FeedResult, type ParsedThread, type ParsedTrace, type TraceParser } from './types.js';

const START = /^WARNING: DATA RACE\s*$/;
/** "Write at 0x... by goroutine 8:", "Previous read at 0x... by main goroutine:", "Atomic write ...". */
const ACCESS = /^\s*(Previous )?(?:[Aa]tomic )?([Rr]ead|[Ww]rite)(?: at (0x[0-9a-fA-F]+))? by (?:goroutine (\d+)|(main) goroutine):\s*$/;
const CREATED = /^\s*Goroutine (\d+) \(([^)]*)\) created at:\s*$/;
const FUNCTION = /^\s*(\S.*?)\(([^()]*)\)\s*$/;
const LOCATION = /^\s+(\S.*?):(\d+)(?: \+0x[0-9a-f]+)?\s*$/;
const RULE = /^={10,}\s*$/;

export const goRaceParser: TraceParser = {
  format: 'go-race',
  label: "Go race detector reports ('WARNING: DATA RACE')",
  markers: ['WARNING: DATA RACE'],
  startsTrace: (line: string) => line.startsWith('WARNING: DATA RACE') && START.test(line),
  begin: () => new GoRaceBlock(),
};

/** Blank lines and unknown lines tolerated in a row inside a report. */
const MAX_FOREIGN = 2;

class GoRaceBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private readonly stacks: ParsedThread[] = [];
  private current: ParsedThread | null = null;
  private faultAddress: string | null = null;
  private foreign = 0;
  private started = false;
  private closed = false;

  feed(line: string, lineNo: number): FeedResult {
    this.span.open(lineNo);
    if (!this.started) {
      this.started = true;
      return this.span.took(lineNo);
    }
    const verdict = this.classify(line);
    if (verdict === 'take') {
      this.foreign = 0;
      return this.span.took(lineNo);
    }
    if (verdict !== 'maybe') return verdict;
    return ++this.foreign > MAX_FOREIGN ? 'end' : 'maybe';
  }

  private classify(line: string): FeedResult {
    let m: RegExpExecArray | null;
    if (this.closed) return START.test(line) ? 'split' : 'end';
    if (START.test(line)) return 'split';
    if (RULE.test(line)) {
      // The closing rule is the report's last line.
      this.closed = this.stacks.length > 0;
      return 'take';
    }
    if ((m = ACCESS.exec(line))) {
      const who = m[5] ? 'main goroutine' : `goroutine ${m[4]}`;
      if (!m[1] && m[3]) this.faultAddress ??= m[3];
      this.open(m[1] ? 'previous-access' : 'access', who, m[4] ? Number(m[4]) : null);
      return 'take';
    }
    if ((m = CREATED.exec(line))) {
      this.open('thread-created', `goroutine ${m[1]} (${m[2]})`, Number(m[1]));
      return 'take';
    }
    if (line.trim() === '') return 'maybe';
    if (!this.current) return 'maybe';
    const frames = this.current.frames;
    const last = frames[frames.length - 1];
    if ((m = LOCATION.exec(line)) && last && last.file === null && /^\s{3,}|^\t/.test(line)) {
      Object.assign(last, { file: m[1]!, line: Number(m[2]), raw: `${last.raw}\n${line.trim()}` });
      return 'take';
    }
    if ((m = FUNCTION.exec(line))) {
      pushCapped(this.current, { index: frames.length, address: null, rawFunction: line.trim(), functionName: m[1]!, module: null, file: null, line: null, column: null, inlined: false, raw: line.trim() });
      return 'take';
    }
    return 'maybe';
  }

  private open(role: string, name: string, lwp: number | null): void {
    this.current = { id: String(this.stacks.length + 1), name, lwp, frames: [], role };
    this.stacks.push(this.current);
  }

  finish(): ParsedTrace | null {
    const threads = this.stacks.filter((t) => t.frames.length > 0);
    const access = threads.find((t) => t.role === 'access');
    if (!access) return null;
    return {
      format: 'go-race',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: null,
      signalDescription: null,
      faultAddress: this.faultAddress,
      program: null,
      threads,
      hints: [{ threadId: access.id, reason: 'stop-reason' }],
      inside: [],
      crashKind: 'data race',
    };
  }
}
