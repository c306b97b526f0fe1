// Visual Studio's Call Stack window copied as text (select all, copy), with the exception line the
// debugger printed or showed in its dialog before it:
//
//   Unhandled exception at 0x00007FF6A1B2C3D4 in viewer.exe: 0xC0000005: Access violation reading location 0x0000000000000010.
//   >	render_core.dll!scene::Mesh::upload(const scene::Buffer & buf) Line 118	C++
//    	[Inline Frame] render_core.dll!scene::clamp(int v) Line 12	C++
//    	viewer.exe!main(int argc, char * * argv) Line 31	C++
//    	[External Code]
//    	kernel32.dll!00007ffd3c4e7034()	Unknown
//
// Columns are tab-separated: the current frame's '>' (read by FRAME's and NOTE's optional '>' prefix;
// a quote-stripping paste may have taken it already), the frame (module!function(parameters) Line N), the language. Pastes turn the tabs
// into spaces; older versions add the byte offset ("Line 118 + 0x1a bytes"); Visual Studio Code's
// "Copy Call Stack" prints the source after the frame ("viewer.exe!main() Line 31 (c:\src\main.cpp:31)",
// "(Unknown Source:0)"). A frame without symbols is its address ("kernel32.dll!00007ffd3c4e7034()").
// Bracketed lines ("[External Code]", "[Frames below may be incorrect and/or missing, ...]") are the
// window's notes, not frames.
//
// The dialog of newer versions says "Exception thrown: read access violation." then "**this** was
// nullptr.": the pointer's value is where the access went, as near as the dialog tells. Debug builds'
// run-time checks (/RTC) stop the program with "Run-Time Check Failure #2 - Stack around the variable
// 'buf' was corrupted." over the same stack.

import { ForeignBudget, pushCapped, TraceSpan } from './framework.js';
import { fastFailDescription, fastFailKind, hexAddress, windowsException, type WindowsException } from './windows-exception.js';
import { type BlockParser, type FeedResult, type ParsedFrame, type ParsedThread, type ParsedTrace, type TraceParser } from './types.js';

/** "Unhandled exception at 0x7FF6... (ntdll.dll) in viewer.exe: 0xC0000005: Access violation reading location 0x10." */
// Every pattern here runs on the line with its end trimmed (trimEnd): none ends in "(.*?)\s*$" or
// starts an unanchored "\s+" / "\s{2,}", which cost the square of a long run of spaces in the line
// (class: a pathological line, "x.exe!a" + 60,000 spaces + "b").
const EXCEPTION_AT = /^\s*(Unhandled exception|Exception thrown|First-chance exception) at (0x[0-9A-Fa-f]+)(?: \(([^)]+)\))? in (.+?): (.*)$/;
/** The new dialog's first line: "Exception thrown: read access violation." */
const DIALOG = /^\s*(?:Unhandled exception thrown|Exception thrown|Exception Unhandled): (read|write|execute) access violation\.?\s*$/;
/** Its second: "**this** was nullptr.", "node was 0xFFFFFFFFFFFFFFF7.", "**f**(...) returned 0x8." (bold
 *  marks copied as asterisks). Matched on the line with its runs of white space made one space. */
const DIALOG_POINTER = /^\**(.+?)\** (?:was|returned) (nullptr|0x[0-9A-Fa-f]+)\.?$/;
/** The /RTC checks' dialog: "Run-Time Check Failure #2 - Stack around the variable 'buf' was corrupted." */
const RUNTIME_CHECK = /^\s*Run-Time Check Failure #(\d) - (.+)$/;
/** What each /RTC check found, in the crash model's words: #2 a write past a local array (as a /GS
 *  cookie), #3 a variable read before it was set; #1 (the stack pointer not restored across a call, a
 *  calling-convention mismatch) has no word of its own. The check stops the program: SIGABRT, as
 *  glibc's stack protector. */
const RUNTIME_CHECK_KINDS: Record<string, string> = { '2': 'stack-buffer-overflow', '3': 'use-of-uninitialized-value' };
/** A module and what follows its '!' (after the current frame's '>'): module names carry their extension in this window. */
const FRAME = /^\s*(?:>\s*)?(\[Inline Frame\]\s+)?([\w$+~-][\w.$+~-]*?\.(?:exe|dll|sys|pyd|node|ocx|drv))!(.*)$/i;
/** The window's notes between frames. */
const NOTE = /^\s*(?:>\s*)?\[(?:External Code|Frames? below may be incorrect[^\]]*|Frames may be missing[^\]]*|Native to Managed Transition|Managed to Native Transition|Async Call Stack|Resuming Async Method|Inline Frame)\]\s*$/i;
/** The language column, after a tab or the spaces a paste made of it (the separator is checked in
 *  stripLanguage: a lookbehind, not a leading "\s{2,}"). */
const LANGUAGE = /(?<=\s)(?:C\+\+|C|C#|F#|Unknown|Native|Mixed|Assembly|Rust|JavaScript|Basic|Managed)$/;
/** Visual Studio Code's source suffix: "(c:\src\main.cpp:31)", "(Unknown Source:0)". */
const SOURCE_SUFFIX = /(?<=\s)\((?:Unknown Source:\d+|(.+):(\d+))\)$/;
const LINE = /(?<=\s)Line (\d+)(?:\s*\+\s*0x[0-9A-Fa-f]+ bytes)?$/;
const BYTE_OFFSET = /\+\s*0x[0-9A-Fa-f]+ bytes$/;
/** A frame without symbols: "00007ffd3c4e7034()", older "7c90e4f4()". */
const ADDRESS_ONLY = /^([0-9A-Fa-f]{8,16})\(\)$/;

/** Lines before the first frame that may sit between the exception line and the stack. */
const MAX_HEADER_LINES = 12;
/** Blank lines tolerated in a row once frames were read. */
const MAX_BLANK_LINES = 2;
/** Lines not the stack's own tolerated in a row once frames were read. */
const MAX_FOREIGN_LINES = 2;

export const visualStudioParser: TraceParser = {
  format: 'visual-studio',
  label: "Visual Studio call stacks ('Unhandled exception at 0x... in app.exe', 'app.exe!f() Line 12 C++')",
  markers: ['.dll!', '.exe!', '.DLL!', '.EXE!', '.Dll!', '.pyd!', '.sys!', '.node!', 'exception at 0x', 'thrown at 0x', 'Exception thrown: ', 'Unhandled exception thrown: ', 'Exception Unhandled: ', 'Run-Time Check Failure'],
  // A frame's module may have any extension in any case ("_native.cp311-win_amd64.pyd!", "mydrv.SYS!"):
  // its start lines hold a '!' (the reader skips by the usual extensions above).
  lineMarkers: ['!', 'exception at 0x', 'thrown at 0x', 'Exception thrown: ', 'Unhandled exception thrown: ', 'Exception Unhandled: ', 'Run-Time Check Failure'],
  startsTrace(untrimmed: string): boolean {
    const line = untrimmed.trimEnd();
    if (line.includes(' at 0x')) return EXCEPTION_AT.test(line);
    if (line.includes('access violation')) return DIALOG.test(line);
    if (line.includes('Run-Time Check Failure')) return RUNTIME_CHECK.test(line);
    return line.includes('!') && startsWithFrame(line);
  },
  begin: () => new VisualStudioBlock(),
};

/** A frame line that reads as one (a module name alone before '!' is not enough to start on). */
function startsWithFrame(line: string): boolean {
  const m = FRAME.exec(line);
  return m !== null && frameOf(0, m, line) !== null;
}

class VisualStudioBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private readonly thread: ParsedThread = { id: '1', name: null, lwp: null, frames: [] };
  private exception: WindowsException | null = null;
  private description: string | null = null;
  private faultAddress: string | null = null;
  private program: string | null = null;
  private unhandled = false;
  /** The module the exception line names for the faulting instruction ("(ntdll.dll)"), and where. */
  private pc: { address: string; module: string | null } | null = null;
  private crashKind: string | null = null;
  /** A /RTC check stopped the program (no exception code: the check's own dialog). */
  private runtimeCheck = false;
  private readonly inside: { line: number; text: string }[] = [];
  private readonly headerLines = new ForeignBudget(MAX_HEADER_LINES);
  private readonly blanks = new ForeignBudget(MAX_BLANK_LINES);
  private readonly afterFrames = new ForeignBudget(MAX_FOREIGN_LINES);
  /** The dialog's access kind, waiting for its "<pointer> was <value>" line. */
  private dialogAccess: string | null = null;
  /** A frame showed a column of the Call Stack window (Line N, the language, a byte offset, VS Code's
   *  source) or a window's note ("[External Code]") was read. */
  private windowShaped = false;

  feed(line: string, lineNo: number): FeedResult {
    this.span.open(lineNo);
    const verdict = this.classify(line, lineNo);
    if (verdict === 'take') this.afterFrames.reset();
    return this.span.account(verdict, lineNo);
  }

  private get hasFrames(): boolean {
    return this.thread.frames.length > 0;
  }

  private classify(untrimmed: string, lineNo: number): FeedResult {
    const line = untrimmed.trimEnd();
    let m: RegExpExecArray | null;
    if (line.trim() === '') return this.blanks.spend() === 'end' && this.hasFrames ? 'end' : 'maybe';
    this.blanks.reset();
    if ((m = FRAME.exec(line))) {
      const read = frameOf(this.thread.frames.length, m, line);
      // Shaped like a frame but not readable (cut short): left to the unreadable-frame report.
      if (!read) return this.hasFrames ? this.afterFrames.spend() : 'maybe';
      pushCapped(this.thread, read.frame);
      if (read.windowShaped) this.windowShaped = true;
      return 'take';
    }
    if (NOTE.test(line)) {
      this.windowShaped = true;
      return 'take';
    }
    if ((m = EXCEPTION_AT.exec(line))) {
      // A second exception after a stack is another crash.
      if (this.hasFrames) return 'split';
      this.exceptionAt(m, line, lineNo);
      return 'take';
    }
    if ((m = DIALOG.exec(line))) {
      if (this.hasFrames) return 'split';
      this.dialogAccess = m[1]!;
      this.exception ??= windowsException('c0000005');
      this.description = `EXCEPTION_ACCESS_VIOLATION_${accessWord(m[1]!)}`;
      this.inside.push({ line: lineNo, text: line.trim() });
      return 'take';
    }
    if ((m = RUNTIME_CHECK.exec(line))) {
      if (this.hasFrames) return 'split';
      this.runtimeCheck = true;
      this.description = line.trim();
      this.crashKind = RUNTIME_CHECK_KINDS[m[1]!] ?? null;
      this.inside.push({ line: lineNo, text: line.trim() });
      return 'take';
    }
    if (this.dialogAccess && !this.hasFrames && (m = DIALOG_POINTER.exec(line.trim().replace(/\s+/g, ' ')))) {
      this.dialogAccess = null;
      this.faultAddress ??= m[2] === 'nullptr' ? '0x0' : hexAddress(m[2]!);
      this.inside.push({ line: lineNo, text: line.trim() });
      return 'take';
    }
    // A line not the stack's own: a few in a row are tolerated (a frame the paste cut), then it is over.
    if (this.hasFrames) return this.afterFrames.spend();
    return this.headerLines.spend() === 'end' ? 'end' : 'maybe';
  }

  private exceptionAt(m: RegExpExecArray, line: string, lineNo: number): void {
    const [, kind, address, module, program, rest] = m as unknown as string[];
    // The unhandled one is the crash; a first-chance line before it only says what was thrown.
    if (this.unhandled && kind !== 'Unhandled exception') return;
    this.unhandled = kind === 'Unhandled exception';
    // This line replaces an earlier (first-chance, handled) one: what that one said goes with it
    // (class: "Exception thrown at ... Access violation reading location 0x10." caught, then
    // "Unhandled exception at ... Microsoft C++ exception" kept the caught fault's address and kind).
    if (this.pc) {
      this.faultAddress = null;
      this.crashKind = null;
      this.description = null;
      this.exception = null;
    }
    this.program = program!;
    this.pc = { address: hexAddress(address!), module: module ?? null };
    this.inside.push({ line: lineNo, text: line.trim() });
    let c: RegExpExecArray | null;
    if ((c = /^(0x[0-9A-Fa-f]{8}): (.*)$/.exec(rest!))) {
      this.exception = windowsException(c[1]!);
      const what = c[2]!;
      const access = /Access violation (reading|writing|executing) location (0x[0-9A-Fa-f]+)/i.exec(what);
      if (access) {
        this.faultAddress = hexAddress(access[2]!);
        this.description = `EXCEPTION_ACCESS_VIOLATION_${accessWord(access[1]!)}`;
      } else this.description = this.exception?.name ?? what.replace(/\.$/, '');
      // "(parameters: 0x0000000000000002)": a fast fail's first parameter is its subcode.
      const subcode = /parameters: (0x[0-9A-Fa-f]+)/.exec(what);
      if (this.exception?.code === 'c0000409' && subcode) {
        this.crashKind = fastFailKind(Number(subcode[1]));
        this.description = fastFailDescription(Number(subcode[1]));
      }
    } else if (/^Microsoft C\+\+ exception/.test(rest!)) {
      this.exception = windowsException('e06d7363');
      this.description = rest!.replace(/\.$/, '');
    } else if (/stack-based buffer overrun/i.test(rest!)) {
      this.exception = windowsException('c0000409');
      this.description = this.exception!.name;
      this.crashKind = 'stack-buffer-overflow';
    }
  }

  finish(): ParsedTrace | null {
    // A lone frame-shaped line without the exception line is too little to be a call stack (a
    // sentence naming "viewer.exe!main()").
    if (!this.pc && !this.exception && !this.runtimeCheck && this.thread.frames.length < 2) return null;
    // Frame-shaped lines without any exception line are a call stack only when they show the Call
    // Stack window's columns (class: a log's or a quoted snippet's "> kernel32.dll!LoadLibraryW(name)"
    // lines, WIL's "combase.dll!00007FFD...: ReturnHr(1) ..." Output window lines).
    if (!this.pc && !this.exception && !this.runtimeCheck && !this.windowShaped) return null;
    const threads = this.hasFrames ? [this.thread] : [];
    // Without a stack only an unhandled exception is a crash to report (with where it happened);
    // a first-chance line alone is the Output window logging an exception something may catch.
    if (!this.hasFrames) {
      if (!this.unhandled || !this.pc) return null;
      threads.push({ id: '1', name: null, lwp: null, frames: [{ index: 0, address: this.pc.address, rawFunction: '??', module: this.pc.module, file: null, line: null, column: null, inlined: false, raw: this.inside[0]?.text ?? '' }] });
    }
    return {
      format: 'visual-studio',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.exception?.signal ?? (this.runtimeCheck ? 'SIGABRT' : null),
      signalDescription: this.description,
      faultAddress: this.faultAddress,
      program: this.program,
      threads,
      hints: [],
      inside: this.inside,
      crashKind: this.crashKind ?? this.exception?.crashKind ?? null,
    };
  }
}

function accessWord(verb: string): string {
  return /^read/i.test(verb) ? 'READ' : /^writ/i.test(verb) ? 'WRITE' : 'EXEC';
}

/** The frame a matched line is, or null when its text cannot be read (cut short, nothing after the '!')
 *  or is not a frame's shape; windowShaped: it showed a column only the Call Stack window prints. */
function frameOf(index: number, m: RegExpExecArray, line: string): { frame: ParsedFrame; windowShaped: boolean } | null {
  const inlined = Boolean(m[1]);
  const module = m[2]!;
  let text = m[3]!;
  let windowShaped = inlined;
  const stripped = stripLanguage(text);
  if (stripped !== null) [text, windowShaped] = [stripped, true];
  let file: string | null = null;
  let lineNo: number | null = null;
  let s: RegExpExecArray | null;
  if ((s = SOURCE_SUFFIX.exec(text))) {
    if (s[1]) [file, lineNo] = [s[1], Number(s[2])];
    text = text.slice(0, s.index).trimEnd();
    windowShaped = true;
  }
  if ((s = LINE.exec(text))) {
    lineNo = Number(s[1]);
    text = text.slice(0, s.index).trimEnd();
    windowShaped = true;
  }
  if ((s = BYTE_OFFSET.exec(text))) {
    text = text.slice(0, s.index);
    windowShaped = true;
  }
  text = text.trim();
  if (text === '') return null;
  const base = { index, address: null as string | null, module, file, line: lineNo, column: null, inlined, raw: line.trim() };
  if ((s = ADDRESS_ONLY.exec(text))) return { frame: { ...base, address: hexAddress(s[1]!), rawFunction: '??' }, windowShaped };
  // A name with parameters must close them: a line cut inside them is not read. And a frame is a
  // name followed by its parameter list (class: "setup.exe!Install failed", WIL's "... Access is
  // denied." after "combase.dll!00007FFD3C3A1B2C:", "msiexec.exe!Install (retry)").
  if (!balanced(text) || !callShaped(text)) return null;
  return { frame: { ...base, rawFunction: text }, windowShaped };
}

/** The text without the language column ("\tC++", "  Unknown", ") C++"), or null when it shows none. */
function stripLanguage(text: string): string | null {
  const m = LANGUAGE.exec(text);
  if (!m) return null;
  const sep = m.index - 1;
  const before = text[sep - 1] ?? '';
  // A tab, two spaces or more, or one space after the parameters' ')' or a line number.
  if (text[sep] !== '\t' && !/[)\s\d]/.test(before)) return null;
  return text.slice(0, sep).trimEnd();
}

/** Trailing qualifiers of a member function ("f() const", "g() &&"), after its parameter list. */
const QUALIFIERS = /(?<=\))(?:\s+(?:const|volatile|noexcept|&&?))+$/;

/** A name followed by its parameter list: the text ends with ')' whose '(' follows a name's last character. */
function callShaped(text: string): boolean {
  const bare = text.replace(/operator(?:\(\)|<=>|<<=?|>>=?|<=?|>=?|->\*?|\[\])/g, 'operator').replace(QUALIFIERS, '');
  if (!bare.endsWith(')')) return false;
  let depth = 0;
  for (let i = bare.length - 1; i >= 0; i--) {
    const c = bare[i];
    if (c === ')') depth++;
    else if (c === '(' && --depth === 0) return i > 0 && /\S/.test(bare[i - 1]!) && bare[i - 1] !== '!';
  }
  return false;
}

/** Parentheses and angle brackets closed (operator names hold a lone one: "operator<", "operator()"). */
function balanced(text: string): boolean {
  const bare = text.replace(/operator(?:\(\)|<=>|<<=?|>>=?|<=?|>=?|->\*?|\[\])/g, 'operator');
  let parens = 0;
  for (const c of bare) {
    if (c === '(') parens++;
    else if (c === ')' && --parens < 0) return false;
  }
  return parens === 0;
}
