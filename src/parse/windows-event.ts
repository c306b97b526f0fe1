// Windows Error Reporting's record of a crash: the Application Error event (ID 1000) as Event Viewer,
// wevtutil or Get-WinEvent print it, and the "Problem signature" of the crash dialog and Reliability
// Monitor:
//
//   Faulting application name: viewer.exe, version: 2.4.1.0, time stamp: 0x65a1b2c3
//   Faulting module name: render_core.dll, version: 2.4.1.0, time stamp: 0x65a1b2c0
//   Exception code: 0xc0000005
//   Fault offset: 0x000000000001a2b4
//   Faulting process id: 0x1a2c
//
//   Problem Event Name:	APPCRASH              (the dialog's form: tab-separated, no 0x)
//   Fault Module Name:	render_core.dll
//   Exception Code:	c0000005
//   Exception Offset:	000000000001a2b4
//
// No stack: the event says which module faulted and where in it. That place is the report's one
// frame (the module and the offset into it, no function, as minidump_stackwalk's unsymbolized
// frames), so the signature groups by module and offset and the module is where every other
// format puts it. The fault's data address is not recorded.

import { ForeignBudget, TraceSpan } from './framework.js';
import { windowsException, type WindowsException } from './windows-exception.js';
import { type BlockParser, type FeedResult, type ParsedTrace, type TraceParser } from './types.js';

/** The event's and the dialog's fields, by the name each form gives them. A PowerShell listing puts
 *  "Message : " before the first; other text may precede it on that line. */
const FIELD = /(?:^|\s)(Faulting application name|Faulting module name|Exception code|Fault offset|Faulting process id|Faulting process ID|Faulting application start time|Faulting application path|Faulting module path|Report Id|Faulting package full name|Faulting package-relative application ID|Problem Event Name|Application Name|Application Version|Application Timestamp|Fault Module Name|Fault Module Version|Fault Module Timestamp|Exception Code|Exception Offset|OS Version|Locale ID|Additional Information \d+):[ \t]*(.*)$/;
/** A file name (a module's, a program's): no spaces, no angle brackets, no characters a file name cannot hold. */
const FILE_NAME = /^[^\s<>"|*?]+$/;
/** An NTSTATUS as the event ("0xc0000005") and the dialog ("c0000005") print it. */
const CODE = /^(?:0x)?[0-9a-fA-F]{8}$/;
const START = /(?:^|\s)(?:Faulting application name|Problem Event Name|Fault Module Name):[ \t]/;

export const windowsEventParser: TraceParser = {
  format: 'windows-event',
  label: "Windows Application Error events and crash dialogs ('Faulting application name:', 'Exception code: 0xc0000005')",
  markers: ['Faulting application name:', 'Problem Event Name:', 'Fault Module Name:'],
  startsTrace(line: string): boolean {
    // Every line of an input comes here: one literal test before the regex.
    return line.includes('ame:') && START.test(line);
  },
  begin: () => new WindowsEventBlock(),
};

class WindowsEventBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private program: string | null = null;
  private module: string | null = null;
  private offset: string | null = null;
  private exception: WindowsException | null = null;
  private code: string | null = null;
  private readonly inside: { line: number; text: string }[] = [];
  private readonly seen = new Set<string>();
  private raw = '';
  /** The crash dialog leaves a blank line between its signature and its additional information. */
  private readonly blanks = new ForeignBudget(1);

  feed(untrimmed: string, lineNo: number): FeedResult {
    this.span.open(lineNo);
    // FIELD runs on the line without its trailing white space: its value is "(.*)$", not "(.*?)\s*$",
    // whose cost is the square of a long run of spaces (class: a pathological line).
    const line = untrimmed.trimEnd();
    const m = FIELD.exec(line);
    if (!m) return line.trim() === '' ? this.blanks.spend() : 'end';
    this.blanks.reset();
    const key = m[1]!.toLowerCase();
    // The same field again: the next event.
    if (this.seen.has(key)) return 'split';
    this.seen.add(key);
    const value = m[2]!;
    // Names must be file names and the code hex (class: documentation's placeholders, "Faulting
    // application name: <your app>", "Exception code: <the code>", are no event).
    const name = value.split(',')[0]!.trim();
    switch (key) {
      case 'faulting application name':
      case 'application name':
        this.program = FILE_NAME.test(name) ? name : null;
        break;
      case 'faulting module name':
      case 'fault module name':
        this.module = FILE_NAME.test(name) ? name : null;
        break;
      case 'exception code':
        if (!CODE.test(value)) break;
        this.code = value;
        this.exception = windowsException(value);
        this.inside.push({ line: lineNo, text: line.trim() });
        break;
      case 'fault offset':
      case 'exception offset': {
        const hex = /^(?:0x)?([0-9a-fA-F]+)$/.exec(value);
        if (hex) this.offset = `0x${hex[1]!.toLowerCase().replace(/^0+(?=.)/, '')}`;
        this.raw = line.trim();
        break;
      }
      default:
        break;
    }
    return this.span.took(lineNo);
  }

  finish(): ParsedTrace | null {
    // A crash names at least the faulting module or the exception.
    if (!this.module && !this.code) return null;
    return {
      format: 'windows-event',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.exception?.signal ?? null,
      signalDescription: this.exception?.name ?? (this.code ? `exception code ${this.code}` : null),
      faultAddress: null,
      program: this.program,
      threads: this.module
        ? [{ id: '1', name: null, lwp: null, frames: [{ index: 0, address: null, rawFunction: '??', module: this.module, file: null, line: null, column: null, inlined: false, raw: this.raw, ...(this.offset ? { moduleOffset: this.offset } : {}) }] }]
        : [],
      hints: [],
      inside: this.inside,
      crashKind: this.exception?.crashKind ?? null,
    };
  }
}
