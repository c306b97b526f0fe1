// WinDbg's and cdb's stacks: the k family (k, kb, kn, kp, kP, ~*k for every thread) and the
// !analyze -v report, with the exception event the debugger printed when it stopped.
//
//   (1a2c.3b4c): Access violation - code c0000005 (!!! second chance !!!)
//   .  0  Id: 1a2c.3b4c Suspend: 0 Teb: 00000098`7b0c1000 Unfrozen
//    # Child-SP          RetAddr               Call Site
//   00 00000098`7b2ff5a8 00007ff6`1a2b1045     render_core!scene::Mesh::upload+0x2a [c:\src\mesh.cpp @ 118]
//   01 (Inline Function) --------`--------     render_core!scene::clamp+0x12 [c:\src\clamp.h @ 9]
//   02 00000098`7b2ff5e0 00007ffd`3c4e7034     viewer+0x1a2b
//
// kb adds the arguments between colons ("... : 00000000`00000000 ... : render_core!..."), 32-bit
// targets print 8-digit addresses (ChildEBP) and three arguments without colons; kp prints the
// parameters after the name, kP one per line under it. !analyze -v prints the exception record
// (ExceptionCode, "Attempt to read from address ..."), named fields (PROCESS_NAME, EXCEPTION_CODE_STR,
// FAILURE_BUCKET_ID, ...) and the faulting thread's stack under STACK_TEXT. In ~*k's thread headers
// '.' marks the debugger's current thread and '#' the thread of the last event (the exception).
//
// WinDbg names a module without its extension: Windows' own DLLs become their file name (ntdll.dll),
// as Visual Studio names them, so the signature policy knows them (windows-exception.ts).

import { ForeignBudget, pushCapped, TraceSpan } from './framework.js';
import { fastFailDescription, fastFailKind, hexAddress, windbgModuleFile, windowsException, type WindowsException } from './windows-exception.js';
import { type BlockParser, type CrashedThreadHint, type FeedResult, type ParsedFrame, type ParsedThread, type ParsedTrace, type TraceParser } from './types.js';

const ADDR = '[0-9a-fA-F]{8}(?:`[0-9a-fA-F]{8})?';
/** The column header of a k command: " # Child-SP  RetAddr  Call Site", "ChildEBP RetAddr  Args to Child". */
const COLUMNS = /^\s*(?:#\s+)?(?:Child-SP|ChildEBP)\s+RetAddr\b/;
/** A frame: the optional frame number (kn), the stack and return addresses (or an inline frame's
 *  dashes), kb's arguments (x64 between colons, x86 three words; a paste that cut them keeps the
 *  colon), the call site. */
const FRAME = new RegExp(
  `^\\s*(?:[0-9a-fA-F]{2,4}\\s+)?(?:${ADDR}\\s+${ADDR}|\\(Inline(?: Function)?\\)\\s+-{8}(?:\`-{8})?)\\s+` +
    `(?::\\s+(?:[-0-9a-fA-F\`]+\\s+)*(?::\\s+)?|(?:[0-9a-fA-F]{8}\\s+){3}(?=\\S*[!+]))?(\\S.*)$`,
);
/** kc's header and frames: " # Call Site", "00 render_core!scene::Mesh::upload [c:\src\mesh.cpp @ 118]". A bare
 *  "Call Site" (no frame-number column) is the header only when a frame follows it directly (class: a
 *  document's "Call Site" heading over "=========" and prose). */
const CALL_SITE_COLUMN = /^\s*(#\s+)?Call Site\s*$/;
/** A call site: a module token (word characters, inner dots or dashes: no '*', no trailing punctuation),
 *  then '!' and a symbol (spaces only before a template's closing '>') or '+0x' and an offset, then the
 *  source (class: prose's "Wow!This is great", markdown's "**Note!** the cost" are no frames). */
const CALL_SITE_FRAME = /^\s*(?:[0-9a-fA-F]{2,4}\s+)?([\w$](?:[\w.$-]*[\w$])?(?:![^\s!]\S*(?:\s+>\S*)*|\+0x[0-9a-fA-F]+)(?:\s+\[[^[\]]+ @ \d+\])?)$/;
const INLINE = /^\s*(?:[0-9a-fA-F]{2,4}\s+)?\(Inline/;
/** "render_core!scene::Mesh::upload+0x2a", kp's "f(int x = 0n5)+0x2a", then "[c:\src\mesh.cpp @ 118]". */
// (Lookbehinds, not a leading "(.*?)\s+" or "\s+": those cost the square of a long run of spaces.)
const SOURCE = /(?<=\s)\[([^[\]]+) @ (\d+)\]$/;
const FPO_NOTES = /(?<=\S)(?:\s+\((?:FPO|CONV): [^()]*\))+$/;
const SYMBOL = /^([^!\s]+)!(.+?)(?:\+0x([0-9a-fA-F]+))?$/;
const MODULE_OFFSET = /^([^!\s]+)\+0x([0-9a-fA-F]+)$/;
const BARE_ADDRESS = /^0x([0-9a-fA-F`]+)$/;
/** A disassembly line (FAULTING_IP, the event's stop line): address, opcode bytes, mnemonic. */
const DISASSEMBLY = /^[a-z]{2,10}\s/;
/** ".  0  Id: 1a2c.3b4c Suspend: 0 Teb: 00000098`7b0c1000 Unfrozen", with a thread name in quotes on newer versions. */
const THREAD = /^\s*([.#])?\s*(\d+)\s+Id: ([0-9a-fA-F]+)\.([0-9a-fA-F]+) Suspend: -?\d+ Teb: [0-9a-fA-F`]+ \w+(?:\s+"(.*)")?\s*$/;
/** "(1a2c.3b4c): Access violation - code c0000005 (!!! second chance !!!)"; a dump says "(first/second chance not available)". */
const EVENT = /^\s*\(([0-9a-fA-F]+)\.([0-9a-fA-F]+)\): (.+?) - code ([0-9a-fA-F]{8}) \(([^()]*chance[^()]*)\)\s*$/;
const BANNER = /^\s*\*\s+Exception Analysis\s+\*\s*$/;
/** !analyze's named fields ("PROCESS_NAME:  viewer.exe"): words joined by '_' (a log's "WARNING:" is none). */
const FIELD = /^([A-Z][A-Z0-9]*_[A-Z0-9_]+|CONTEXT|BUGCHECK|Followup):\s*(.*)$/;
/** The exception record's lines ("   ExceptionCode: c0000005 (Access violation)", "Parameter[1]: 10"). */
const RECORD = /^\s*(ExceptionAddress|ExceptionCode|ExceptionFlags|NumberParameters|Parameter\[(\d+)\]|Subcode):\s*(.*)$/;
const ATTEMPT = /^\s*Attempt to (read from|write to|execute non-executable) address ([0-9a-fA-F`]+)/;
const PROMPT = /^\s*\d+:\d+(?::[\w-]+)?> /;
/** What the debugger says around stacks: warnings, symbol errors, the event's boilerplate. */
const CHATTER = /^\s*(?:WARNING: (?:Stack unwind information|Frame IP not in any known module|Unable to verify checksum|Stack overflow detected)|\*\*\* (?:WARNING|ERROR): |First chance exceptions are reported|This exception may be expected|Resetting default scope|Followup:|-{5,}\s*$|\*{5,}\s*$|\*\s.*\*\s*$)/;
/** Register dumps and the symbol line over a disassembly ("rax=0000... rbx=...", "render_core!f+0x2a:",
 *  !analyze's "render_core!f+2a" under FAULTING_IP). */
const REGISTERS = /^\s*(?:[a-z][a-z0-9]{1,4}=[0-9a-fA-F]+\s*)+(?:\S.*)?$|^\s*iopl=|^\S+!\S.*:\s*$|^[^\s!]+!\S+\+[0-9a-f]+\s*$/;

/** Lines before the first frame: !analyze prints a hundred of its own before STACK_TEXT. */
const MAX_HEADER_LINES = 400;
const MAX_BLANK_LINES = 3;
/** Lines not the trace's own tolerated in a row once frames were read. */
const MAX_FOREIGN_LINES = 2;

export const windbgParser: TraceParser = {
  format: 'windbg',
  label: "WinDbg/cdb stacks and !analyze -v ('Child-SP RetAddr Call Site', 'STACK_TEXT:', 'ExceptionCode: c0000005')",
  markers: ['Child-SP', 'ChildEBP', 'Call Site', ' Id: ', 'Exception Analysis', 'EXCEPTION_RECORD:', 'STACK_TEXT:', 'FAULTING_IP:', ' - code ', 'ExceptionCode:'],
  startsTrace(line: string): boolean {
    return COLUMNS.test(line) || (line.includes(' Id: ') && THREAD.test(line)) || BANNER.test(line) || EVENT.test(line) ||
      CALL_SITE_COLUMN.test(line) || /^\s*(?:EXCEPTION_RECORD|STACK_TEXT|FAULTING_IP):/.test(line) || /^\s*ExceptionCode: [0-9a-fA-F]{8}\b/.test(line);
  },
  begin: () => new WindbgBlock(),
};

class WindbgBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private readonly threads: ParsedThread[] = [];
  private current: ParsedThread | null = null;
  /** Whether the current thread's column header (or STACK_TEXT) was read: frames may follow. */
  private inStack = false;
  /** kc: the call sites alone, without the stack and return addresses. */
  private callSitesOnly = false;
  /** A bare "Call Site" header was read: the next line must be a call site, or it was no header. */
  private callSiteOnProbation = false;
  private readonly hints: CrashedThreadHint[] = [];
  /** The only stack read is !analyze's STACK_TEXT (a k listing right after it may replace it). */
  private stackTextOnly = false;
  private exception: WindowsException | null = null;
  private description: string | null = null;
  private faultAddress: string | null = null;
  private program: string | null = null;
  private subcode: number | null = null;
  /** The thread id of the exception event ("(1a2c.3b4c)") or FAULTING_THREAD. */
  private eventThread: string | null = null;
  /** An exception event was read, and whether it was a first-chance one (a later event replaces it). */
  private eventSeen = false;
  private eventFirstChance = false;
  /** kP: a frame whose parameters follow on their own lines, until the one closing them. */
  private openFrame: ParsedFrame | null = null;
  private readonly inside: { line: number; text: string }[] = [];
  private readonly headerLines = new ForeignBudget(MAX_HEADER_LINES);
  private readonly blanks = new ForeignBudget(MAX_BLANK_LINES);
  private readonly afterFrames = new ForeignBudget(MAX_FOREIGN_LINES);

  feed(line: string, lineNo: number): FeedResult {
    this.span.open(lineNo);
    const verdict = this.classify(line, lineNo);
    if (verdict === 'take') this.afterFrames.reset();
    return this.span.account(verdict, lineNo);
  }

  /** Whether any thread has a frame: a flag set as frames are read, and the ids of the threads read, so
   *  each line costs the same however many threads came before (class: ~*k of tens of thousands of
   *  threads, quadratic with a scan of the threads per line). */
  private hasFrames = false;
  private readonly threadIds = new Set<string>();

  private classify(untrimmed: string, lineNo: number): FeedResult {
    // Patterns run on the line without its trailing white space (no "(.*?)\s*$" over a long run of spaces).
    const line = untrimmed.trimEnd();
    let m: RegExpExecArray | null;
    if (this.callSiteOnProbation) {
      this.callSiteOnProbation = false;
      if (!CALL_SITE_FRAME.test(line)) [this.inStack, this.callSitesOnly] = [false, false];
    }
    if (line.trim() === '') {
      this.inStack = this.inStack && !this.current?.frames.length;
      this.openFrame = null;
      return this.blanks.spend() === 'end' && this.hasFrames ? 'end' : 'maybe';
    }
    this.blanks.reset();
    if (this.openFrame) {
      if (this.paramLine(line)) return 'take';
      this.openFrame = null;
    }
    if (this.inStack && this.current && (m = FRAME.exec(line))) {
      const site = m[1]!;
      if (DISASSEMBLY.test(site) && !/[!+]/.test(site.split(/\s/)[0]!)) return 'take';
      const frame = frameOf(this.current.frames.length, site, INLINE.test(line), line);
      if (!frame) return this.hasFrames ? this.foreign() : 'maybe';
      pushCapped(this.current, frame);
      this.hasFrames = true;
      if (/\($/.test(site)) this.openFrame = frame;
      return 'take';
    }
    if (this.inStack && this.callSitesOnly && this.current && (m = CALL_SITE_FRAME.exec(line))) {
      const frame = frameOf(this.current.frames.length, m[1]!, false, line);
      if (!frame) return this.hasFrames ? this.foreign() : 'maybe';
      pushCapped(this.current, frame);
      this.hasFrames = true;
      return 'take';
    }
    if ((m = THREAD.exec(line))) {
      this.stackTextOnly = false;
      const [, mark, id, , tid, name] = m as unknown as (string | undefined)[];
      if (this.threadIds.has(id!)) return 'split';
      this.current = { id: id!, name: name ?? null, lwp: parseInt(tid!, 16), frames: [] };
      this.threads.push(this.current);
      this.threadIds.add(id!);
      if (mark === '#') this.hints.push({ threadId: id!, reason: 'received-signal' });
      if (mark === '.') this.hints.push({ threadId: id!, reason: 'selected-thread' });
      this.inStack = false;
      return 'take';
    }
    const callSite = CALL_SITE_COLUMN.exec(line);
    if (COLUMNS.test(line) || callSite) {
      if (this.current?.frames.length) {
        // Another k of a stack already read: a new trace; but the k an analyst types right after
        // !analyze's STACK_TEXT lists the same faulting thread, often with frames STACK_TEXT left
        // out (frame-pointer omission): it replaces that stack in the same report (class: a cdb log of
        // `!analyze -v; k`, one crash read as two).
        if (!this.stackTextOnly) return 'split';
        this.stackTextOnly = false;
        this.current.frames = [];
        delete this.current.droppedFrames;
      }
      this.current ??= this.addThread('0');
      this.inStack = true;
      this.callSitesOnly = callSite !== null;
      this.callSiteOnProbation = callSite !== null && !callSite[1];
      return 'take';
    }
    if ((m = EVENT.exec(line))) {
      if (this.hasFrames) return 'split';
      // A later event replaces a first-chance one whole: its code, description, fault address and
      // thread (class: cdb's initial "Break instruction exception - code 80000003 (first chance)", or a
      // first-chance "C++ EH exception - code e06d7363", before the second-chance access violation).
      // After a second-chance event the process is gone: a later one is not its crash.
      if (this.eventSeen && !this.eventFirstChance) return 'take';
      if (this.eventFirstChance) [this.exception, this.description, this.faultAddress, this.subcode] = [null, null, null, null];
      this.setException(m[4]!);
      this.eventThread = String(parseInt(m[2]!, 16));
      this.eventSeen = true;
      this.eventFirstChance = /^first chance$/i.test(m[5]!.trim());
      this.inside.push({ line: lineNo, text: line.trim() });
      return 'take';
    }
    if ((m = RECORD.exec(line))) {
      this.record(m[1]!, m[2], m[3]!, line, lineNo);
      return 'take';
    }
    if ((m = ATTEMPT.exec(line))) {
      this.faultAddress = hexAddress(m[2]!);
      this.description = `EXCEPTION_ACCESS_VIOLATION_${m[1] === 'read from' ? 'READ' : m[1] === 'write to' ? 'WRITE' : 'EXEC'}`;
      this.inside.push({ line: lineNo, text: line.trim() });
      return 'take';
    }
    if (BANNER.test(line)) return this.hasFrames ? 'split' : 'take';
    if (PROMPT.test(line) || CHATTER.test(line)) return 'take';
    if ((m = FIELD.exec(line))) return this.field(m[1]!, m[2]!, line, lineNo);
    if (REGISTERS.test(line)) return 'take';
    // !analyze's indented values (KEY_VALUES_STRING's Key/Value pairs, a field's continuation) and
    // the disassembly under FAULTING_IP.
    if (!this.inStack && /^\s+\S/.test(line) && (this.exception || this.threads.length === 0)) return this.hasFrames ? this.foreign() : 'take';
    if (/^[0-9a-fA-F]{8}(?:`[0-9a-fA-F]{8})?\s+[0-9a-fA-F]+\s+[a-z]{2,10}\b/.test(line)) {
      // The faulting instruction's operand: "ds:00000000`00000010=????????" is the address it could not read.
      const operand = /\b[cdefgs]s:([0-9a-fA-F`]+)=\?+/.exec(line);
      if (operand && this.exception?.code === 'c0000005') this.faultAddress ??= hexAddress(operand[1]!);
      return 'take';
    }
    if (this.hasFrames) return this.foreign();
    return this.headerLines.spend() === 'end' ? 'end' : 'maybe';
  }

  /** A line not the trace's own after frames: tolerated a few in a row (a frame cut by the paste), then the trace is over. */
  private foreign(): FeedResult {
    return this.afterFrames.spend();
  }

  private addThread(id: string): ParsedThread {
    const thread: ParsedThread = { id, name: null, lwp: null, frames: [] };
    this.threads.push(thread);
    this.threadIds.add(id);
    return thread;
  }

  /** A kP parameter line under an open frame; its last one closes the name, then offset and source. */
  private paramLine(line: string): boolean {
    const frame = this.openFrame!;
    if (!/^\s+\S/.test(line)) return false;
    frame.raw += ` ${line.trim()}`;
    const close = /^(.*\))(?:\+0x[0-9a-fA-F]+)?(?:\s+\[(.+) @ (\d+)\])?\s*$/.exec(line.trim());
    if (close) {
      frame.rawFunction += close[1]!;
      if (close[2]) [frame.file, frame.line] = [close[2], Number(close[3])];
      this.openFrame = null;
    } else frame.rawFunction += `${line.trim()} `;
    return true;
  }

  private setException(code: string): void {
    this.exception = windowsException(code);
    this.description ??= this.exception?.name ?? null;
  }

  private record(key: string, param: string | undefined, value: string, line: string, lineNo: number): void {
    if (key === 'ExceptionCode') {
      this.setException(value.split(/\s/)[0]!);
      this.inside.push({ line: lineNo, text: line.trim() });
    } else if (param !== undefined && /^[0-9a-fA-F`]+$/.test(value)) {
      // A fast fail's first parameter is its subcode; an access violation's second, the address.
      if (param === '0' && this.exception?.code === 'c0000409') this.subcode = parseInt(value.replace(/`/g, ''), 16);
      if (param === '1' && this.exception?.code === 'c0000005') this.faultAddress ??= hexAddress(value);
    } else if (key === 'Subcode') {
      const sub = /^(0x[0-9a-fA-F]+|\d+)/.exec(value);
      if (sub) this.subcode = Number(sub[1]);
    }
  }

  private field(key: string, value: string, line: string, lineNo: number): FeedResult {
    switch (key) {
      case 'STACK_TEXT':
        // The faulting thread's stack; the header of a report that showed frames already is another report's.
        if (this.hasFrames) return 'split';
        this.current = this.addThread(this.eventThread ?? '0');
        this.hints.push({ threadId: this.current.id, reason: 'received-signal' });
        this.inStack = true;
        this.stackTextOnly = true;
        return 'take';
      case 'FAULTING_IP':
      case 'EXCEPTION_RECORD':
        // The start of another !analyze report.
        if (this.hasFrames) return 'split';
        break;
      case 'PROCESS_NAME':
        this.program = value || null;
        break;
      case 'EXCEPTION_CODE_STR':
      case 'EXCEPTION_CODE':
        if (!this.exception) {
          const code = /(?:0x)?([0-9a-fA-F]{8})\b/.exec(value);
          if (code) this.setException(code[1]!);
        }
        break;
      case 'READ_ADDRESS':
      case 'WRITE_ADDRESS': {
        const address = /^([0-9a-fA-F`]{8,17})\b/.exec(value);
        if (address) this.faultAddress ??= hexAddress(address[1]!);
        break;
      }
      case 'FAULTING_THREAD':
        if (/^[0-9a-fA-F]+$/.test(value)) this.eventThread ??= String(parseInt(value, 16));
        break;
      case 'FAILURE_BUCKET_ID':
      case 'DEFAULT_BUCKET_ID':
      case 'BUGCHECK_STR':
        this.inside.push({ line: lineNo, text: line.trim() });
        break;
      default:
        break;
    }
    // A field after the stack closes it; the report goes on.
    this.inStack = false;
    return 'take';
  }

  finish(): ParsedTrace | null {
    const threads = this.threads.filter((t) => t.frames.length > 0);
    if (threads.length === 0) return null;
    // The exception event names its thread by system id; ~*k's headers carry both.
    const event = this.eventThread;
    const byTid = event === null ? undefined : threads.find((t) => t.lwp !== null && String(t.lwp) === event);
    if (byTid && !this.hints.some((h) => h.threadId === byTid.id && h.reason === 'received-signal')) this.hints.unshift({ threadId: byTid.id, reason: 'received-signal' });
    const fastFail = this.exception?.code === 'c0000409' && this.subcode !== null ? this.subcode : null;
    const kind = fastFail === null ? null : fastFailKind(fastFail);
    return {
      format: 'windbg',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.exception?.signal ?? null,
      signalDescription: fastFail === null ? this.description : fastFailDescription(fastFail),
      faultAddress: this.faultAddress,
      program: this.program,
      threads,
      hints: this.hints.filter((h) => threads.some((t) => t.id === h.threadId && !(h.reason === 'selected-thread' && isBreakInThread(t)))),
      inside: this.inside,
      crashKind: kind ?? this.exception?.crashKind ?? null,
    };
  }
}

/** The frame a call site is, or null when it reads as none of WinDbg's shapes. */
function frameOf(index: number, site: string, inlined: boolean, line: string): ParsedFrame | null {
  const base = { index, address: null as string | null, file: null as string | null, line: null as number | null, column: null, inlined, raw: line.trim() };
  let text = site;
  let m: RegExpExecArray | null;
  if ((m = SOURCE.exec(text))) {
    text = text.slice(0, m.index).trimEnd();
    [base.file, base.line] = [m[1]!, Number(m[2])];
  }
  // kv's frame-pointer-omission and calling-convention notes after a 32-bit frame.
  text = text.replace(FPO_NOTES, '');
  if ((m = BARE_ADDRESS.exec(text))) return { ...base, address: hexAddress(m[1]!), rawFunction: '??', module: null };
  if ((m = MODULE_OFFSET.exec(text))) return { ...base, rawFunction: '??', module: windbgModuleFile(m[1]!), moduleOffset: `0x${m[2]!.toLowerCase().replace(/^0+(?=.)/, '')}` };
  if ((m = SYMBOL.exec(text))) {
    // kP: the parameters follow on the next lines; the name is what precedes them.
    const name = m[2]!;
    return { ...base, rawFunction: name, module: windbgModuleFile(m[1]!) };
  }
  return null;
}

/** The thread the debugger injects to break into a live process (Ctrl+Break, attaching): WinDbg makes it
 *  the current thread ('.'), but it says nothing about the program. */
function isBreakInThread(thread: ParsedThread): boolean {
  return thread.frames.slice(0, 2).some((f) => f.rawFunction === 'DbgUiRemoteBreakin') || thread.frames[0]?.rawFunction === 'DbgBreakPoint';
}
