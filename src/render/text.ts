// Text output for people: signal, crashing thread, its frames (machinery dimmed, the first
// meaningful frame highlighted), signature. Colour comes from the caller's chalk instance.

import type { ChalkInstance } from 'chalk';
import type { AnalyzeResult, Frame, Report, Thread } from '../model.js';

export interface TextOptions {
  chalk: ChalkInstance;
  /** Show every thread, not only the crashing one. */
  allThreads?: boolean;
  /** Frames shown per thread before "... N more". */
  maxFrames?: number;
}

const REASONS: Record<Report['crashedThreadReason'], string> = {
  'current-thread': 'the debugger\'s current thread',
  'received-signal': 'the thread that received the signal',
  'selected-thread': 'the debugger\'s selected thread',
  'stop-reason': 'the thread with the stop reason',
  'signal-frame': 'the thread holding the signal frames',
  'only-thread': 'the only thread',
  'first-thread': 'nothing said which; first thread shown',
  none: 'unknown',
};

export function renderText(result: AnalyzeResult, options: TextOptions): string {
  const out: string[] = [];
  for (const report of result.reports) out.push(renderReport(report, options));
  return out.join('\n');
}

function renderReport(r: Report, o: TextOptions): string {
  const c = o.chalk;
  const lines: string[] = [];
  lines.push(c.bold(`${r.source.path}:${r.source.line}`) + c.dim(` (${r.format} trace, lines ${r.source.line}-${r.source.endLine})`));
  const signal = r.signal ? `${c.red.bold(r.signal)}${r.signalDescription ? ` (${r.signalDescription})` : ''}` : c.yellow('signal not shown in the trace');
  lines.push(`  Crash:     ${signal}${r.faultAddress ? ` at address ${c.bold(r.faultAddress)}` : ''}`);
  if (r.program) lines.push(`  Program:   ${r.program}`);
  if (r.abortMessage) lines.push(`  Message:   ${c.yellow(r.abortMessage)}`);
  const crashed = r.crashedThread === null ? null : r.threads[r.crashedThread]!;
  if (crashed) lines.push(`  Thread:    ${threadLabel(crashed)} ${c.dim(`(${REASONS[r.crashedThreadReason]}; ${r.threads.length} thread${r.threads.length === 1 ? '' : 's'} in trace)`)}`);
  if (crashed) lines.push(...renderFrames(crashed, r, o, true));
  if (o.allThreads) {
    for (const t of r.threads) {
      if (t === crashed) continue;
      lines.push(`  ${c.bold(threadLabel(t))}`);
      lines.push(...renderFrames(t, r, o, false));
    }
  } else if (r.threads.length > 1) {
    lines.push(c.dim(`  ... ${r.threads.length - 1} other thread${r.threads.length > 2 ? 's' : ''} (--all-threads to show)`));
  }
  lines.push(`  Signature: ${c.cyan(r.signatureText)} ${c.dim(`[${r.signature}]`)}`);
  if (r.diagnoses.length === 0) lines.push(c.dim('  Diagnosis: none (no rule matched)'));
  return lines.join('\n') + '\n';
}

function threadLabel(t: Thread): string {
  const parts = [t.id ? `Thread ${t.id}` : 'Thread'];
  if (t.name) parts.push(`"${t.name}"`);
  if (t.lwp !== null) parts.push(`(LWP ${t.lwp})`);
  return parts.join(' ');
}

function renderFrames(t: Thread, r: Report, o: TextOptions, isCrashed: boolean): string[] {
  const c = o.chalk;
  const max = o.maxFrames ?? 25;
  const skipped = new Set(isCrashed ? r.skippedFrames : []);
  const firstMeaningful = isCrashed ? t.frames.findIndex((_, i) => !skipped.has(i)) : -1;
  const lines = t.frames.slice(0, max).map((f, i) => {
    const text = `    #${String(f.index).padEnd(3)} ${frameText(f)}`;
    if (i === firstMeaningful) return c.bold.yellow(text) + c.yellow('  <- first meaningful frame');
    return skipped.has(i) ? c.dim(text) : text;
  });
  const more = t.frames.length - max + (t.droppedFrames ?? 0);
  if (more > 0) lines.push(c.dim(`    ... ${more} more frame${more === 1 ? '' : 's'}`));
  return lines;
}

function frameText(f: Frame): string {
  let s = f.function === '??' && f.address ? `?? ${f.address}` : f.fullFunction;
  if (f.inlined) s += ' [inlined]';
  if (f.file) s += ` at ${f.file}${f.line !== null ? `:${f.line}` : ''}`;
  else if (f.module) s += ` in ${f.module}`;
  return s;
}
