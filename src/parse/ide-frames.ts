// An IDE's call-stack pane copied as text: CLion's (and other IntelliJ-based IDEs') "Frames" list
// puts one frame on a line, its function then either its source file and line (the program's code,
// built with debug info) or its address (a library without line info); a frame without a symbol is
// "<unknown>":
//
//   __GI_abort 0x00007ffff4a268b7
//   <unknown> 0x00007ffff4ea4f06
//   std::terminate() 0x00007ffff4eb6ed7
//   __cxa_pure_virtual 0x00007ffff4eb7c05
//   Table::~Table table.cpp:1575
//   main main.cpp:1304
//
// Innermost first, no index, no signal: the lines printed before it (the runtime's "pure virtual
// method called", "terminate called after throwing ...") and the frames themselves (abort) say how
// the program died. A run of at least MIN_FRAMES such lines, one of them a source location or the
// program's start-up, is read; shorter runs are too close to ordinary "name value" log lines.

import { CappedStack, TraceSpan } from './framework.js';
import { bareFrame } from './stack.js';
import type { BlockParser, FeedResult, ParsedTrace, TraceParser } from './types.js';

/** A function as the pane names it: blanks only inside brackets ("std::function<void (int)>::operator()"). */
// Not a word of a debugger's own lines: gdb wrapped in a narrow terminal moves a frame's location to a
// line of its own ("at libshapes.cpp:9"), which is that frame's, not a stack.
// Nor a name ending in ':' (a register dump's "x3: 0x0000000000000000").
const NAME = String.raw`(?:<unknown>|(?!(?:at|from|in|by|of|to|see)\s)[A-Za-z_~](?:[\w:~.$]|<[^<>]*(?:<[^<>]*>[^<>]*)*>|\([^()]*\))*(?<!:))`;
const SOURCE_EXTENSIONS = 'c|cc|cpp|cxx|c\\+\\+|h|hh|hpp|hxx|inl|ipp|m|mm|rs|swift|go|zig|d';
const LINE = new RegExp(String.raw`^\s*(${NAME}) (?:(0x[0-9a-fA-F]{6,16})|([\w./\\-]+\.(?:${SOURCE_EXTENSIONS})):(\d+))\s*$`);
/** Frames a program's stack ends in: with them, a run of address-only lines is a stack too. */
const START_UP = /^(?:main|_start|__libc_start_main\w*|__libc_start_call_main|start_thread|clone3?|thread_start|_pthread_start|start)$/;
const MIN_FRAMES = 4;

class IdeFramesBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private readonly stack = new CappedStack();
  private located = false;

  feed(line: string, lineNo: number): FeedResult {
    const m = LINE.exec(line);
    if (!m) return 'end';
    const name = m[1] === '<unknown>' ? '??' : m[1]!;
    const address = m[2] ?? null;
    const frame = bareFrame(0, address ?? '', name, null, line.trim());
    if (address === null) frame.address = null;
    if (m[3]) Object.assign(frame, { file: m[3], line: Number(m[4]) });
    if (m[3] || START_UP.test(name.replace(/\(\)$/, ''))) this.located = true;
    this.stack.push((index) => Object.assign(frame, { index }));
    return this.span.took(lineNo);
  }

  finish(): ParsedTrace | null {
    if (this.stack.count < MIN_FRAMES || !this.located) return null;
    return {
      format: 'ide-frames',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: null,
      signalDescription: null,
      faultAddress: null,
      program: null,
      threads: [this.stack.thread()],
      hints: [],
      inside: [],
    };
  }
}

export const ideFramesParser: TraceParser = {
  format: 'ide-frames',
  label: "an IDE's call-stack pane copied as text (CLion's Frames: 'f() 0x00007f...' or 'Class::f file.cpp:12', one a line)",
  // A frame holds its address (' 0x', which gdb's frames share) or a source file's ':' after its extension.
  markers: [' 0x', '.c:', '.cc:', '.cpp:', '.cxx:', '.c++:', '.h:', '.hh:', '.hpp:', '.hxx:', '.inl:', '.ipp:', '.m:', '.mm:', '.rs:', '.swift:', '.go:', '.zig:', '.d:'],
  startsTrace: (line) => LINE.test(line),
  begin: () => new IdeFramesBlock(),
};
