// GDB/MI records, as IDEs log them (VS Code's cpptools "engineLogging", CLion, Eclipse CDT, Qt
// Creator) and as people paste those logs when the IDE only showed "Exception has occurred":
//
//   1: (4812) ->*stopped,reason="signal-received",signal-name="SIGSEGV",signal-meaning="Segmentation fault",
//        frame={addr="0x0000555555555189",func="parse",args=[{name="p",value="0x0"}],file="p.c",line="4"},thread-id="1",...
//   1: (4830) <-1022-stack-list-frames 0 1000
//   1: (4833) ->1022^done,stack=[frame={level="0",addr="0x...",func="parse",file="p.c",fullname="/src/p.c",line="4"},
//        frame={level="1",addr="0x...",func="__libc_start_call_main",from="/lib/x86_64-linux-gnu/libc.so.6"}]
//
// A record may sit anywhere in a line (a logger's prefix, a token before "^done"); cpptools also
// logs each record again JSON-escaped (frame={level=\"0\"...}), which is not read (the plain copy is).
// A trace starts at the stop by a signal; the stack listed after it (cpptools asks for it at once) is
// the stopped thread's, later listings for "--thread N" are those threads'. Without a listing the
// stop's own frame is the stack.

import { ForeignBudget, pushCapped, TraceSpan } from './framework.js';
import { signalName } from './signals.js';
import type { BlockParser, FeedResult, ParsedFrame, ParsedThread, ParsedTrace, TraceParser } from './types.js';

const STOPPED_BY_SIGNAL = '*stopped,reason="signal-received"';
const STACK = '^done,stack=[';
/** An IDE's request for a thread's stack: "-stack-list-frames --thread 2 0 1000". */
const STACK_REQUEST = /-stack-list-frames(?: --thread (\d+))?/;
/** Log lines tolerated between the stop and the stack listing, and between listings (IDE chatter). */
const MAX_FOREIGN_LINES = 80;

export const gdbMiParser: TraceParser = {
  format: 'gdb-mi',
  label: "GDB/MI records in IDE debug logs ('*stopped,reason=\"signal-received\"', '^done,stack=[frame={...}]')",
  markers: [STOPPED_BY_SIGNAL],
  startsTrace: (line: string) => line.includes(STOPPED_BY_SIGNAL),
  begin: () => new GdbMiBlock(),
};

type MiValue = string | MiTuple | MiValue[];
interface MiTuple {
  [name: string]: MiValue;
}

class GdbMiBlock implements BlockParser {
  private readonly span = new TraceSpan(new ForeignBudget(MAX_FOREIGN_LINES));
  private signal: string | null = null;
  private description: string | null = null;
  private stoppedThread = '1';
  private stopFrame: ParsedFrame | null = null;
  private readonly threads: ParsedThread[] = [];
  /** The listed threads' ids: a listing of a thread already read is asked at every listing (a Set, not a search of the list). */
  private readonly ids = new Set<string>();
  /** The thread the last stack request named (null: the stopped one, or not asked). */
  private requested: string | null = null;

  feed(line: string, lineNo: number): FeedResult {
    this.span.open(lineNo);
    return this.span.account(this.classify(line), lineNo);
  }

  private classify(line: string): FeedResult {
    // (Not the JSON-escaped copy of a record, `reason=\"...\"`: the plain one is read.)
    const stop = line.indexOf('*stopped,reason="');
    if (stop >= 0) {
      if (this.signal !== null) return line.includes(STOPPED_BY_SIGNAL) ? 'split' : 'end';
      const record = parseResults(line, stop + '*stopped,'.length);
      if (!record) return 'end';
      this.signal = typeof record['signal-name'] === 'string' ? signalName(record['signal-name']) : null;
      this.description = typeof record['signal-meaning'] === 'string' ? record['signal-meaning'] : null;
      if (typeof record['thread-id'] === 'string') this.stoppedThread = record['thread-id'];
      if (isTuple(record.frame)) this.stopFrame = toFrame(record.frame, 0, line.slice(stop).trim());
      return 'take';
    }
    const at = line.indexOf(STACK);
    if (at >= 0) {
      const record = parseResults(line, at + '^done,'.length);
      const stack = record?.stack;
      if (!Array.isArray(stack)) return 'maybe';
      const id = this.requested ?? (this.threads.length === 0 ? this.stoppedThread : null);
      this.requested = null;
      if (id === null || this.ids.has(id)) return 'maybe';
      const thread: ParsedThread = { id, name: null, lwp: null, frames: [] };
      for (const f of stack) if (isTuple(f)) pushCapped(thread, toFrame(f, thread.frames.length, stringify(f)));
      // The listing names no arguments; the stop's frame does, for the same frame of the stopped thread.
      const top = thread.frames[0];
      if (top && id === this.stoppedThread && this.stopFrame && top.address === this.stopFrame.address) top.rawFunction = this.stopFrame.rawFunction;
      this.threads.push(thread);
      this.ids.add(id);
      return 'take';
    }
    const request = STACK_REQUEST.exec(line);
    if (request) this.requested = request[1] ?? null;
    return 'maybe';
  }

  finish(): ParsedTrace | null {
    const threads = this.threads.filter((t) => t.frames.length > 0);
    if (!threads.some((t) => t.id === this.stoppedThread) && this.stopFrame) threads.unshift({ id: this.stoppedThread, name: null, lwp: null, frames: [this.stopFrame] });
    if (threads.length === 0) return null;
    return {
      format: 'gdb-mi',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.signal,
      signalDescription: this.description,
      faultAddress: null,
      program: null,
      threads,
      hints: [{ threadId: this.stoppedThread, reason: 'received-signal' }],
      inside: [],
    };
  }
}

function isTuple(v: MiValue | undefined): v is MiTuple {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(t: MiTuple, name: string): string | null {
  const v = t[name];
  return typeof v === 'string' ? v : null;
}

function toFrame(t: MiTuple, index: number, raw: string): ParsedFrame {
  const level = field(t, 'level');
  const line = field(t, 'line');
  return {
    index: level !== null && /^\d+$/.test(level) ? Number(level) : index,
    address: field(t, 'addr'),
    rawFunction: withArguments(field(t, 'func') ?? '??', t.args),
    // gdb names the shared object a frame without debug information is in ("from").
    module: field(t, 'from'),
    file: field(t, 'fullname') ?? field(t, 'file'),
    line: line !== null && /^\d+$/.test(line) ? Number(line) : null,
    column: null,
    inlined: false,
    raw,
  };
}

/** "f (p=0x0, n=3)" as gdb's CLI prints a frame: the stop's frame carries its arguments (rules read them). */
function withArguments(func: string, args: MiValue | undefined): string {
  if (!Array.isArray(args) || args.length === 0) return func;
  const parts = args.filter(isTuple).map((a) => `${field(a, 'name') ?? '?'}=${field(a, 'value') ?? '...'}`);
  return parts.length ? `${func} (${parts.join(', ')})` : func;
}

function stringify(t: MiTuple): string {
  return `frame={${Object.entries(t).filter(([, v]) => typeof v === 'string').map(([k, v]) => `${k}="${v as string}"`).join(',')}}`;
}

/** MI's result list "a="x",b={c="y"},d=[...]" from `i` to the end of the line (or a closing bracket); null when malformed. */
function parseResults(s: string, i: number): MiTuple | null {
  const out: MiTuple = {};
  const r = readResults(s, i, out, '');
  return r < 0 ? null : out;
}

/** Tuples and lists nested deeper than any frame record holds (frame={... args=[{...}]}): beyond it a
 *  line is no record (and its recursion stays far from the stack's limit). */
const MAX_DEPTH = 32;

/** Reads results into `out` up to `close` (or the end of the line); the index after them, or -1. */
function readResults(s: string, i: number, out: MiTuple, close: string, depth = 0): number {
  if (depth > MAX_DEPTH) return -1;
  while (i < s.length && s[i] !== close) {
    const eq = s.indexOf('=', i);
    if (eq < 0) return -1;
    const name = s.slice(i, eq);
    if (!/^[\w-]+$/.test(name)) return -1;
    const [value, next] = readValue(s, eq + 1, depth);
    if (next < 0) return -1;
    out[name] = value;
    i = next;
    if (s[i] === ',') i++;
    // A record's top level ends at whatever a log put after it; a tuple or list must close.
    else if (i < s.length && s[i] !== close) return close === '' ? s.length : -1;
  }
  return i;
}

function readValue(s: string, i: number, depth: number): [MiValue, number] {
  const c = s[i];
  if (c === '"') return readCString(s, i);
  if (depth >= MAX_DEPTH) return ['', -1];
  if (c === '{') {
    const t: MiTuple = {};
    const end = readResults(s, i + 1, t, '}', depth + 1);
    return end < 0 || s[end] !== '}' ? ['', -1] : [t, end + 1];
  }
  if (c === '[') {
    const list: MiValue[] = [];
    i++;
    while (i < s.length && s[i] !== ']') {
      // A list holds values ([{...},{...}]) or results ([frame={...},frame={...}]): names are dropped.
      const named = /^[\w-]+=/.exec(s.slice(i, i + 64));
      const [v, next] = readValue(s, named ? i + named[0].length : i, depth + 1);
      if (next < 0) return ['', -1];
      list.push(v);
      i = next;
      if (s[i] === ',') i++;
      else if (s[i] !== ']') return ['', -1];
    }
    return s[i] === ']' ? [list, i + 1] : ['', -1];
  }
  return ['', -1];
}

/** A C string with its escapes (\" \\ \n \t); [value, index after the closing quote] or -1. */
function readCString(s: string, i: number): [string, number] {
  let out = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j]!;
    if (c === '"') return [out, j + 1];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = s[++j];
    out += e === 'n' ? '\n' : e === 't' ? '\t' : (e ?? '');
  }
  return ['', -1];
}
