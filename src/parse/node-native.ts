// Node.js's own fatal-error dumps: V8's FATAL ERROR (OnFatalError: a failed API check such as
// ToLocalChecked on an empty MaybeLocal, the heap running out) and node's CHECK/assert, each
// followed by the native stack node prints itself, newest first, numbered from 1:
//
//   FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal
//   ----- Native stack trace -----                         (node 20 and later; older ones print none)
//
//    1: 0xb8b1a0 node::OnFatalError(char const*, char const*) [node]
//    3: 0x7f61a82c41b3 tilecat::Reader::Open(Napi::CallbackInfo const&) [/.../tilecat.node]
//    5: 0xb3a5d1  [node]                                   (a frame without a symbol)
//
//   node[88213]: ../src/node_buffer.cc:254:char* node::Buffer::Data(...): Assertion `val->IsArrayBufferView()' failed.
//    1: 0xb7f4e0 node::Abort() [node]
//
// Windows builds print the symbol with no address or module (" 1: node_module_register"): such a
// frame counts only after the "----- Native stack trace -----" header, since "FATAL ERROR: 2
// migrations failed" followed by " 1: create_users" is an application's own list. Elsewhere a frame
// needs an address (0x... or Windows' bare hex) or a "[module]". The
// JavaScript stack that may follow ("----- JavaScript stack trace -----") is not native code: the
// trace ends there. Node aborts after either header: SIGABRT.

import { CappedStack, ForeignBudget, TraceSpan } from './framework.js';
import { type BlockParser, type FeedResult, type ParsedFrame, type ParsedTrace, type TraceParser } from './types.js';

const FATAL = /^FATAL ERROR: (\S.*)$/;
// The program may be a Windows path with spaces ("C:\\Program Files\\nodejs\\node.exe[21344]: ...").
const ASSERTION = /^(\S.*?)\[\d+\]: (\S.*: Assertion `.*' failed\.?)\s*$/;
const NATIVE_HEADER = /^-{3,} Native stack trace -{3,}\s*$/;
const JS_HEADER = /^-{3,} JavaScript stack trace -{3,}\s*$/;
/** " 3: 0x7f61a82c41b3 sym(args) [module]"; Windows: " 3: 00007FF6A1B2C3D4 sym+123" or " 3: sym". */
const FRAME = /^\s{0,3}(\d{1,3}): (?:(0x[0-9a-fA-F]+|[0-9A-F]{8,16})(?: |$))?\s*(.*?)\s*$/;
const MODULE = /^(.*?)\s*\[([^\]]+)\]$/;

export const nodeNativeParser: TraceParser = {
  format: 'node',
  label: "Node.js fatal errors ('FATAL ERROR: ...', 'node[pid]: ...: Assertion ... failed.' and ' 1: 0x... sym [module]')",
  markers: ['FATAL ERROR: ', ": Assertion `"],
  startsTrace: (line: string) => (line.startsWith('FATAL ERROR: ') && FATAL.test(line)) || (line.includes(": Assertion `") && ASSERTION.test(line)),
  begin: () => new NodeBlock(),
};

class NodeBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private readonly stack = new CappedStack();
  /** Lines between the header and the first frame that are neither (node prints none but a blank). */
  private readonly preamble = new ForeignBudget(4);
  private description: string | null = null;
  private program: string | null = null;
  private header = false;
  /** "----- Native stack trace -----" was seen: frames without address or module count too. */
  private nativeHeader = false;
  /** The header line: the message node died with (abort-message.ts reads it there). */
  private readonly headerLines: { line: number; text: string }[] = [];

  feed(line: string, lineNo: number): FeedResult {
    if (!this.header) {
      this.span.open(lineNo);
      const fatal = FATAL.exec(line);
      const assertion = fatal ? null : ASSERTION.exec(line);
      this.description = fatal ? `FATAL ERROR: ${fatal[1]}` : assertion![2]!;
      this.program = assertion ? assertion[1]! : null;
      this.header = true;
      this.headerLines.push({ line: lineNo, text: line });
      return this.span.took(lineNo);
    }
    const t = line.trim();
    if (this.stack.count === 0 && NATIVE_HEADER.test(t)) {
      this.nativeHeader = true;
      return this.span.took(lineNo);
    }
    if (this.stack.count === 0 && (t === '' || (this.description!.startsWith('FATAL ERROR') && FATAL.test(t)))) return this.span.took(lineNo);
    if (JS_HEADER.test(t)) return 'end';
    const m = FRAME.exec(line);
    if (!m || Number(m[1]) !== this.stack.count + 1 || (m[2] === undefined && !this.nativeHeader && !MODULE.test(m[3]!))) return this.stack.count > 0 ? 'end' : this.preamble.spend();
    this.stack.push((i) => frameOf(i, m[2] ?? null, m[3]!, t));
    return this.span.took(lineNo);
  }

  finish(): ParsedTrace | null {
    if (this.stack.count < 2) return null;
    return {
      format: 'node',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: 'SIGABRT',
      signalDescription: this.description,
      faultAddress: null,
      program: this.program,
      threads: [this.stack.thread()],
      hints: [],
      inside: this.headerLines,
    };
  }
}

function frameOf(index: number, address: string | null, text: string, raw: string): ParsedFrame {
  let name = text;
  let module: string | null = null;
  const m = MODULE.exec(text);
  if (m) {
    name = m[1]!;
    module = m[2]!;
  }
  // Windows: "node_module_register+2032".
  name = name.replace(/\+\d+$/, '');
  const addr = address === null ? null : address.startsWith('0x') ? address.toLowerCase() : `0x${address.toLowerCase()}`;
  return { index, address: addr, rawFunction: name === '' ? '??' : name, module, file: null, line: null, column: null, inlined: false, raw };
}
