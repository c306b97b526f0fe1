// A Linux kernel oops or KASAN report in dmesg or the journal (a driver's crash: out-of-tree
// modules, DKMS packages, kernel-side code of a project):
//   BUG: kernel NULL pointer dereference, address: 0000000000000008
//   #PF: supervisor read access in kernel mode
//   Oops: 0000 [#1] PREEMPT SMP NOPTI
//   CPU: 3 PID: 1822 Comm: camd Tainted: G           OE      6.5.0-14-generic #14-Ubuntu
//   RIP: 0010:vcam_buf_queue+0x2c/0x120 [vcam]                (arm64: "pc : vcam_buf_queue+0x2c/0x120 [vcam]")
//   Call Trace:
//    <TASK>
//    ? __die+0x24/0x80                                         ("?": a guess the unwinder is not sure of)
//    __enqueue_in_driver+0x4a/0x60 [videobuf2_common]
//    </TASK>
//   ---[ end trace 0000000000000000 ]---
// Other headers: "BUG: unable to handle page fault for address: ...", older kernels' "BUG: unable to
// handle kernel NULL pointer dereference at ...", arm's "Unable to handle kernel NULL pointer
// dereference at virtual address ...", "general protection fault, probably for non-canonical address
// 0x...", BUG_ON()'s "kernel BUG at kernel/time/timer.c:1147!" (an assertion: SIGABRT), and KASAN's "BUG: KASAN: slab-use-after-free in f+0x4a/0x90 [mod]" with its "Allocated by
// task N:" and "Freed by task N:" stacks. The faulting instruction (RIP/pc) is frame 0, then the call
// trace's certain entries; the module goes with each frame. A fault is reported as the SIGSEGV a
// process would have got; KASAN's verdict takes the sanitizers' words.

import { ForeignBudget, pushCapped, TraceSpan } from './framework.js';
import type { BlockParser, FeedResult, ParsedThread, ParsedTrace, TraceParser } from './types.js';

/** dmesg's time ("[  388.901130] ") and the journal's or syslog's "Mar 14 09:12:40 host kernel: ": the
 *  kernel's lines carry one or both, and the oops is read without them. */
const DMESG_TIME = String.raw`(?:\[(?:\s*\d+\.\d+|[A-Z][a-z]{2} [^\]]*\d)\] ?)?`;
const PREFIX = new RegExp(String.raw`^${DMESG_TIME}(?:(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?|\d{4}-\d\d-\d\dT\S+) \S+ kernel: ?)?${DMESG_TIME}`);
const FAULTS: RegExp[] = [
  /^BUG: kernel NULL pointer dereference, address: ([0-9a-fA-F]+)/,
  /^BUG: unable to handle (?:kernel NULL pointer dereference|kernel paging request|page fault for address:?) (?:at )?([0-9a-fA-F]+)/,
  /^Unable to handle kernel (?:NULL pointer dereference|paging request) at virtual address ([0-9a-fA-F]+)/,
  /^general protection fault(?:, probably for non-canonical address (0x[0-9a-fA-F]+))?: [0-9a-f]{4} \[#\d+\]/,
];
const KASAN = /^BUG: KASAN: ([a-z][a-z -]*?) (?:in |on address |at addr )/;
/** KASAN's wild or user-space accesses name the address: a fault at it, as a process would get. */
const KASAN_ADDRESS = /^BUG: KASAN: (?:user-memory-access|wild-memory-access|null-ptr-deref) (?:on address|in range \[)\s*(?:0x)?([0-9a-fA-F]+)/;
/** BUG_ON() and BUG(): the kernel's own assertion. */
const KERNEL_BUG = /^kernel BUG at (\S+?):(\d+)!/;
/** KASAN's kinds in the sanitizers' words, where they differ. */
const KASAN_KINDS: Record<string, string> = {
  'use-after-free': 'heap-use-after-free', 'slab-use-after-free': 'heap-use-after-free', 'slab-out-of-bounds': 'heap-buffer-overflow',
  'vmalloc-out-of-bounds': 'heap-buffer-overflow', 'out of bounds access': 'heap-buffer-overflow', 'stack-out-of-bounds': 'stack-buffer-overflow',
  'global-out-of-bounds': 'global-buffer-overflow', 'double-free': 'double-free', 'invalid-free': 'bad-free', 'double-free or invalid-free': 'double-free',
};
const PC = /^(?:RIP: [0-9a-f]{4}:(?:\[<[0-9a-f]+>\]\s+)?|RIP\s+(?=\[<)|pc : )(?:\[<[0-9a-f]+>\]\s+)?([\w.$]+)\+0x[0-9a-f]+\/0x[0-9a-f]+(?: \[([\w-]+)\])?/;
const CALL_TRACE = /^Call [Tt]race:\s*$/;
// " f+0x4a/0x60 [mod]", older kernels' "[<ffffffff81234567>] f+0x4a/0x60", syzkaller's symbolized
// "[<ffffffc000d36974>] f+0x100/0x1d8 drivers/base/platform.c:834" and its inlined calls
// "[<     inline     >] f drivers/base/platform.c:792" (no offset: the bracket says inline).
const FRAME = /^\s*(?:\[<\s*([0-9a-f]{8,16}|inline|inlined)\s*>\]\s+)?(\?\s+)?([\w.$]+)(\+0x[0-9a-f]+\/0x[0-9a-f]+)?(?: \[([\w-]+)\])?(?:\s+(\S+?):(\d+))?(?: \(discriminator \d+\))?\s*$/;
const SECONDARY = /^(Allocated|Freed) by task \d+:\s*$/;
/** The oops' other lines: registers, state, the code bytes, the module list, the context markers. */
const OTHER = /^\s*(?:<\/?(?:TASK|IRQ|NMI|EOI|SOFTIRQ)>|#PF: |PGD |P4D |PUD |PMD |Oops: |Internal error: |invalid opcode: |CPU: |Hardware name: |Workqueue: |Code: |RSP: |R[A-Z0-9]{2}: |FS: |CS: |CR2: |DR[0-9]: |PKRU: |Modules linked in: |Kernel panic|Kernel Offset: |---\[ end |lr : |sp : |pstate: |x\d+ ?: |Mem abort info:|ESR = |EC = |SET = |FAR = |EA = |S1PTW = |FSC = |Data abort info:|ISV = |CM = |user pgtable|\[[0-9a-f]{16}\] pgd=|Read of size |Write of size |The buggy address|Memory state around|[0-9a-f]{16}: |\s+\^|Last potentially related|Second to last|The \w+ address belongs|={30,})/;
const MAX_FOREIGN_LINES = 12;

export const linuxOopsParser: TraceParser = {
  format: 'linux-kernel',
  label: "Linux kernel oopses and KASAN reports ('BUG: kernel NULL pointer dereference', 'RIP: 0010:f+0x2c/0x120 [mod]', 'Call Trace:')",
  markers: ['BUG: ', 'kernel BUG at', 'Unable to handle kernel', 'general protection fault'],
  startsTrace(line) {
    if (!(line.includes('BUG') || line.includes('Unable to handle kernel') || line.includes('general protection fault'))) return false;
    const text = line.replace(PREFIX, '');
    return KASAN.test(text) || KERNEL_BUG.test(text) || FAULTS.some((re) => re.test(text));
  },
  begin: () => new LinuxOopsBlock(),
};

class LinuxOopsBlock implements BlockParser {
  private readonly span = new TraceSpan(new ForeignBudget(MAX_FOREIGN_LINES));
  private description = '';
  private faultAddress: string | null = null;
  private crashKind: string | null = null;
  private signal = 'SIGSEGV';
  private readonly threads: ParsedThread[] = [];
  private current: ParsedThread | null = null;
  private pc: { fn: string; module: string | null; raw: string } | null = null;
  private inTrace = false;

  feed(line: string, lineNo: number): FeedResult {
    const text = line.replace(PREFIX, '').trimEnd();
    let m: RegExpExecArray | null;
    if (this.span.start === 0) {
      this.description = text.trim();
      const k = KASAN.exec(text);
      const wild = KASAN_ADDRESS.exec(text);
      if (wild) this.faultAddress = `0x${BigInt(`0x${wild[1]}`).toString(16)}`;
      else if (k) this.crashKind = KASAN_KINDS[k[1]!] ?? `kasan: ${k[1]}`;
      if (KERNEL_BUG.test(text)) this.signal = 'SIGABRT';
      for (const re of FAULTS) if ((m = re.exec(text)) && m[1]) this.faultAddress = `0x${BigInt(m[1].startsWith('0x') ? m[1] : `0x${m[1]}`).toString(16)}`;
      return this.span.took(lineNo);
    }
    if (linuxOopsParser.startsTrace(text) && this.threads.some((t) => t.frames.length > 0)) return 'split';
    if ((m = PC.exec(text)) && !this.pc) {
      this.pc = { fn: m[1]!, module: m[2] ?? null, raw: text.trim() };
      return this.span.took(lineNo);
    }
    if (CALL_TRACE.test(text.trim())) {
      this.inTrace = true;
      if (!this.current) this.open(this.threads.length === 0 ? 'access' : 'stack');
      return this.span.took(lineNo);
    }
    if ((m = SECONDARY.exec(text.trim()))) {
      this.open(m[1] === 'Freed' ? 'freed-by' : 'allocated-by');
      this.inTrace = true;
      return this.span.took(lineNo);
    }
    if (this.inTrace && (m = FRAME.exec(text)) && (m[4] || /^inline/.test(m[1] ?? ''))) {
      // "?" entries are stale return addresses the unwinder found on the stack, not calls.
      const inlined = /^inline/.test(m[1] ?? '');
      if (!m[2]) this.push(m[3]!, m[5] ?? null, m[1] && !inlined ? `0x${m[1]}` : null, text.trim(), m[6] ?? null, m[7] ? Number(m[7]) : null, inlined);
      return this.span.took(lineNo);
    }
    const framed = this.threads.some((t) => t.frames.length > 0);
    if (/^---\[ end (?:trace|Kernel panic)/.test(text.trim())) return framed ? 'end' : this.span.took(lineNo);
    // After the stacks only the oops' own lines go on; a blank line may still be followed by KASAN's
    // "Freed by task" stack, and anything else (another program's output) ends it.
    if (text.trim() === '') return framed ? 'maybe' : this.span.took(lineNo);
    if (OTHER.test(text) && !(framed && /^={30,}/.test(text))) return this.span.took(lineNo);
    return framed ? 'end' : this.span.foreign();
  }

  private open(role: string): void {
    this.current = { id: String(this.threads.length + 1), name: null, lwp: null, frames: [], role };
    this.threads.push(this.current);
  }

  private push(fn: string, module: string | null, address: string | null, raw: string, file: string | null, line: number | null, inlined: boolean): void {
    const t = this.current!;
    pushCapped(t, { index: t.frames.length, address, rawFunction: fn, module, file, line, column: null, inlined, raw });
  }

  finish(): ParsedTrace | null {
    // The faulting instruction heads the first stack, unless the trace starts with it already.
    if (this.pc) {
      if (!this.threads[0]) this.threads.unshift({ id: '1', name: null, lwp: null, frames: [], role: 'access' });
      const first = this.threads[0]!;
      if (first.frames[0]?.rawFunction !== this.pc.fn) {
        first.frames.unshift({ index: 0, address: null, rawFunction: this.pc.fn, module: this.pc.module, file: null, line: null, column: null, inlined: false, raw: this.pc.raw });
        first.frames.forEach((f, i) => (f.index = i));
      }
    }
    const threads = this.threads.filter((t) => t.frames.length > 0);
    if (threads.length === 0) return null;
    threads.forEach((t, i) => (t.id = String(i + 1)));
    return {
      format: 'linux-kernel',
      startLine: this.span.start,
      endLine: this.span.end,
      signal: this.crashKind ? null : this.signal,
      signalDescription: this.description,
      faultAddress: this.faultAddress,
      program: null,
      threads,
      hints: [{ threadId: threads[0]!.id, reason: 'stop-reason' }],
      inside: [],
      ...(this.crashKind ? { crashKind: this.crashKind } : {}),
    };
  }
}
