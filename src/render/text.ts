// Text output for people: signal, crashing thread, its frames (machinery dimmed, the first
// meaningful frame highlighted), signature. Colour comes from the caller's chalk instance; control
// characters from the trace are shown as \xNN before any colour is added.

import type { ChalkInstance } from 'chalk';
import { firstMeaningfulFrame, type AnalyzeResult, type Diagnosis, type Frame, type Report, type Thread } from '../model.js';
import type { RuleExplanation } from '../rules/engine.js';
import { withVisibleControls } from './escape.js';

export interface TextOptions {
  chalk: ChalkInstance;
  /** Show every thread, not only the crashing one. */
  allThreads?: boolean;
  /** Frames shown per thread before "... N more". */
  maxFrames?: number;
  /** --explain: per report, the rules that came closest and which of their conditions held. */
  explain?: (report: Report) => RuleExplanation[];
  /** Columns to wrap at (default: terminalWidth()). */
  width?: number;
}

/** Wrapping never goes narrower or wider than this, whatever the terminal says. */
export const MIN_WIDTH = 60;
export const MAX_WIDTH = 160;
const DEFAULT_WIDTH = 100;

/**
 * The width text output wraps at: the terminal's columns when the stream is a terminal, else
 * `COLUMNS` when set (a pager, `COLUMNS=120 coredx ... | less`), else 100; clamped to 60..160.
 */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number.parseInt(env.COLUMNS ?? '', 10);
  const cols = stream.isTTY && stream.columns ? stream.columns : Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_WIDTH;
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, cols));
}

const REASONS: Record<Report['crashedThreadReason'], string> = {
  'core-signal': 'the thread the core file records with the signal',
  'current-thread': 'the debugger\'s current thread',
  'received-signal': 'the thread that received the signal',
  'selected-thread': 'the debugger\'s selected thread',
  'stop-reason': 'the thread with the stop reason',
  'signal-frame': 'the thread holding the signal frames',
  'only-thread': 'the only thread',
  'first-running-thread': 'nothing said which; first thread not waiting shown (the ones before it wait)',
  'first-thread': 'nothing said which; first thread shown',
  'lock-wait': 'a hang: the first thread waiting for a lock',
  none: 'unknown',
};

export function renderText(result: AnalyzeResult, options: TextOptions): string {
  const out: string[] = [];
  const o = { ...options, width: options.width ?? terminalWidth() };
  for (const report of result.reports) out.push(renderReport(report, o));
  return out.join('\n');
}

function renderReport(report: Report, o: TextOptions & { width: number }): string {
  const r = withVisibleControls(report);
  const c = o.chalk;
  const lines: string[] = [];
  if (r.format.startsWith('core')) {
    const how = r.format === 'core' ? 'read natively, no debugger' : `read natively and with ${r.format.slice(5)}`;
    lines.push(c.bold(r.source.path) + c.dim(` (core file, ${how})`));
  } else lines.push(c.bold(`${r.source.path}:${r.source.line}`) + c.dim(` (${r.format} trace, lines ${r.source.line}-${r.source.endLine})`));
  // Without a signal (sanitizers, panics) the format's own verdict is the crash: say that, not "unknown".
  const kind = r.signal ?? (r.crashKind !== 'UNKNOWN' ? r.crashKind : null);
  // A description that only repeats the verdict ("data race", "heap-use-after-free on address ...") is left out.
  const description = r.signalDescription && !(r.signal === null && r.signalDescription.toLowerCase().startsWith(kind?.toLowerCase() ?? '\0')) ? r.signalDescription : null;
  const inferred = r.signalInferredFrom ? c.dim(` (not printed; inferred from ${r.signalInferredFrom})`) : '';
  const hang = r.crashKind === 'hang' ? `${c.red.bold('hang')} (no fatal signal, every thread is waiting${r.signal ? `; ${r.signal} only stopped the process` : ''})` : null;
  const signal = hang ?? (kind ? `${c.red.bold(kind)}${description ? ` (${description})` : ''}${inferred}` : c.yellow('signal not shown in the trace'));
  lines.push(`  Crash:     ${signal}${r.faultAddress ? ` at address ${c.bold(r.faultAddress)}` : ''}`);
  if (r.program) lines.push(`  Program:   ${r.program}`);
  if (r.abortMessage) lines.push(`  Message:   ${c.yellow(r.abortMessage)}`);
  for (const w of r.warnings ?? []) lines.push(`  ${c.yellow('Note:')}      ${w}`);
  const unreadable = r.unreadableFrames ?? [];
  if (unreadable.length > 0) {
    lines.push(`  ${c.yellow('Note:')}      ${unreadable.length} line${unreadable.length === 1 ? '' : 's'} look${unreadable.length === 1 ? 's' : ''} like a frame but could not be read${o.explain ? ':' : ' (--explain lists them)'}`);
    if (o.explain) for (const u of unreadable) lines.push(`             line ${u.line}: ${u.text.trim()}`);
  }
  const crashed = r.crashedThread === null ? null : r.threads[r.crashedThread]!;
  // A bare `bt` prints no thread header: the one stack is all there is to say.
  const headerless = crashed && !crashed.id && !crashed.name && crashed.lwp === null && r.threads.length === 1;
  if (headerless) lines.push(`  Thread:    ${c.dim('the only stack in the trace (printed without a thread header)')}`);
  else if (crashed) lines.push(`  Thread:    ${threadLabel(crashed)} ${c.dim(`(${REASONS[r.crashedThreadReason]}; ${r.threads.length} thread${r.threads.length === 1 ? '' : 's'} in trace)`)}`);
  const top = r.diagnoses[0];
  if (crashed) lines.push(...renderSource(crashed, r, c));
  if (crashed) lines.push(...renderFrames(crashed, r, o, true, top));
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
  lines.push(...renderDiagnoses(r, o));
  if (o.explain) lines.push(...renderExplanations(withVisibleControls(o.explain(report)), o));
  return lines.flatMap((l) => fit(l, o.width)).join('\n') + '\n';
}

const SEVERITY_COLOR = { critical: 'red', high: 'red', medium: 'yellow', low: 'cyan', info: 'gray' } as const;

function renderDiagnoses(r: Report, o: TextOptions & { width: number }): string[] {
  const c = o.chalk;
  if (r.diagnoses.length === 0) return [c.dim('  Diagnosis: none (no rule matched)')];
  const lines: string[] = [];
  const [top, ...rest] = r.diagnoses as [Diagnosis, ...Diagnosis[]];
  if (top.scope === 'crash-class') lines.push(c.dim('  No known-issue rule matched; the generic pack classifies the crash:'));
  lines.push('');
  lines.push(`  ${c.bold('Diagnosis:')} ${c.bold[SEVERITY_COLOR[top.severity]](top.title)} ${c.dim(`[${top.ruleId}, ${top.category}, ${top.severity}, confidence ${top.confidence.toFixed(2)}]`)}`);
  lines.push(...wrap(top.summary, 4, undefined, o.width));
  lines.push(`  ${c.bold('Root cause:')}`);
  lines.push(...wrap(top.rootCause, 4, undefined, o.width));
  lines.push(`  ${c.bold('Remediation:')}`);
  top.remediation.forEach((step, i) => lines.push(...wrap(step, 7, `    ${i + 1}. `, o.width)));
  lines.push(...renderEvidence(top, r, o));
  if (top.notes) lines.push(...wrap(`Note: ${top.notes}`, 4, undefined, o.width));
  if (top.references.length) lines.push(`  ${c.bold('References:')} ${top.references.join(' ')}`);
  if (rest.length) {
    lines.push(`  ${c.bold('Also matched:')}`);
    // Generic classifications of the class already named above say nothing new: one line for them.
    const named = new Set([top.category]);
    const same: Diagnosis[] = [];
    for (const d of rest) {
      if (d.scope === 'crash-class' && named.has(d.category)) {
        same.push(d);
        continue;
      }
      named.add(d.category);
      lines.push(`    - ${d.title} ${c.dim(`[${d.ruleId}, ${d.category}, confidence ${d.confidence.toFixed(2)}]`)}`);
    }
    if (same.length) lines.push(c.dim(`    - the same class by other evidence: ${same.map((d) => `${d.ruleId} (${d.confidence.toFixed(2)})`).join(', ')}`));
  }
  return lines;
}

/** Log lines longer than this are cut at a space, never inside a word. */
const MAX_EVIDENCE_TEXT = 400;

function shorten(text: string): string {
  if (text.length <= MAX_EVIDENCE_TEXT) return text;
  const cut = text.lastIndexOf(' ', MAX_EVIDENCE_TEXT);
  return `${text.slice(0, cut > MAX_EVIDENCE_TEXT / 2 ? cut : MAX_EVIDENCE_TEXT)} ...`;
}

/** What an evidence item is, in words: "signal", "frame #3 f", "line 12", "#1 load_config: argument". */
function evidenceLabel(e: Diagnosis['evidence'][number], r: Report): string {
  const key = e.condition.replace(/^evidence: /, '');
  const frame = e.thread !== undefined && e.frame !== undefined ? r.threads[e.thread]?.frames[e.frame] : undefined;
  if (frame && key === 'values') return `clue in #${frame.index} ${frame.function}`;
  if (key === 'repeated') return 'recursion';
  if (frame) return `${/#\d/.test(e.text) ? 'frame' : `frame #${frame.index}`}${e.thread !== r.crashedThread ? ` of thread ${r.threads[e.thread!]!.id || e.thread}` : ''}`;
  if (e.line !== undefined) return `line ${e.line}`;
  return key.replace(/_/g, ' ').replace(/\[\d+\]$/, '');
}

/**
 * Every evidence item of the top diagnosis, the rule's own conditions first: what held (a frame,
 * a clue value, a log line, the message), and in plain words why it matters; the items that
 * raised the confidence with their weight, so the confidence is explained.
 */
function renderEvidence(top: Diagnosis, r: Report, o: TextOptions & { width: number }): string[] {
  const c = o.chalk;
  if (top.evidence.length === 0) return [];
  const raised = new Map<string, number>();
  for (const e of top.evidence) if (e.weight !== undefined && e.why) raised.set(e.why, e.weight);
  const added = [...raised.values()].reduce((a, b) => a + b, 0);
  const head = added > 0 ? ` ${c.dim(`(the rule's conditions, then what raised the confidence by +${added.toFixed(2)})`)}` : '';
  const lines = [`  ${c.bold('Evidence:')}${head}`];
  // One line per distinct thing shown: a log line several conditions matched is listed once.
  const seen = new Set<string>();
  const weighed = new Set<string>();
  for (const e of top.evidence) {
    const key = `${e.thread}/${e.frame}/${e.line}/${e.text}/${e.why}/${e.detail}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // An item's weight is shown once, on its first line of evidence.
    const weight = e.weight !== undefined && !weighed.has(e.why ?? '') ? c.green(` +${e.weight.toFixed(2)}`) : '';
    if (e.weight !== undefined) weighed.add(e.why ?? '');
    lines.push(`    ${c.green('+')}${weight} ${c.dim(`${evidenceLabel(e, r)}:`)} ${shorten(e.text)}`);
    if (e.detail) lines.push(...wrap(c.dim(e.detail), 6, undefined, o.width));
    if (e.why) lines.push(...wrap(c.dim(e.detail ? `(${e.why})` : e.why), 6, undefined, o.width));
  }
  return lines;
}

/** The source line the debugger printed at the crash (gdb's "8\t  cfg->port = 8080;"), if the trace had it. */
function renderSource(t: Thread, r: Report, c: ChalkInstance): string[] {
  const withSource = t.frames[firstMeaningfulFrame(r, (f) => !!f.source)];
  const src = withSource?.source;
  if (!withSource || !src) return [];
  const where = withSource.file ? `${withSource.file}${withSource.line !== null ? `:${withSource.line}` : ''}` : `#${withSource.index}`;
  return [`  Source:    ${c.dim(`${where}:`)} ${src.trim()}`];
}

function renderExplanations(explanations: RuleExplanation[], o: TextOptions): string[] {
  const c = o.chalk;
  const lines = ['', `  ${c.bold('Explain:')} rules that came closest: those that fired, then near misses ranked by what held beyond the signal (conditions that held ${c.green('+')}, did not ${c.red('-')})`];
  if (explanations.length === 0) lines.push(c.dim('    no rule came closer than the signal alone'));
  for (const e of explanations) {
    const base = e.base !== undefined ? c.dim(` base confidence ${e.base.toFixed(2)}`) : '';
    lines.push(`    ${e.fired ? c.green('fired') : c.yellow(`${e.held}/${e.total}`)} ${e.ruleId}${e.fired ? base : ''} ${c.dim(e.file)}`);
    for (const cond of e.conditions) lines.push(`      ${cond.held ? c.green('+') : c.red('-')} ${cond.label} ${c.dim(`(${cond.detail})`)}`);
    if (!e.fired) continue;
    for (const ev of e.evidence ?? []) {
      lines.push(`      ${ev.held ? c.green(`+${ev.weight.toFixed(2)}`) : c.dim(` ${ev.weight.toFixed(2)}`)} ${c.dim('evidence:')} ${ev.why} ${c.dim(`(${ev.held ? 'held' : 'did not hold'}: ${ev.detail})`)}`);
    }
  }
  return lines;
}

/**
 * A paragraph filled to `width` columns, breaking only at spaces: a word or URL is never split, and
 * one longer than the width stands alone on its line.
 */
function wrap(text: string, indent: number, first: string | undefined, width: number): string[] {
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  const out: string[] = [];
  let line = first ?? ' '.repeat(indent);
  let empty = true;
  for (const w of words) {
    if (!empty && visibleLength(line) + 1 + visibleLength(w) > width) {
      out.push(line);
      line = ' '.repeat(indent) + w;
    } else {
      line += (empty ? '' : ' ') + w;
    }
    empty = false;
  }
  out.push(line);
  return out;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

function visibleLength(s: string): string['length'] {
  return s.replace(ANSI, '').length;
}

/**
 * Any other line longer than the width (a frame with a long name, evidence, references, a title)
 * is broken at its spaces too, continuing under its own indent plus four; colour codes take no
 * column (a style open across the break carries on, as the terminal keeps it).
 */
function fit(line: string, width: number): string[] {
  if (visibleLength(line) <= width) return [line];
  const prefix = /^(?:\x1b\[[0-9;]*m| )*/.exec(line)![0];
  const hang = ' '.repeat(Math.min(visibleLength(prefix) + 4, Math.floor(width / 3)));
  const parts = line.slice(prefix.length).split(/( +)/);
  const out: string[] = [];
  let current = prefix + parts[0]!;
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const sep = parts[i]!;
    const token = parts[i + 1]!;
    if (visibleLength(token) > 0 && visibleLength(current) + sep.length + visibleLength(token) > width) {
      out.push(current);
      current = hang + token;
    } else current += sep + token;
  }
  out.push(current);
  return out;
}

function threadLabel(t: Thread): string {
  const parts = [t.id ? `Thread ${t.id}` : 'Thread'];
  if (t.name) parts.push(`"${t.name}"`);
  if (t.lwp !== null) parts.push(`(LWP ${t.lwp})`);
  return parts.join(' ');
}

function renderFrames(t: Thread, r: Report, o: TextOptions, isCrashed: boolean, diagnosis?: Diagnosis): string[] {
  const c = o.chalk;
  const threadIndex = r.threads.indexOf(t);
  // Frames the top diagnosis used as evidence are marked inline, with the condition they satisfied.
  const marks = new Map<number, string>();
  for (const e of diagnosis?.evidence ?? []) {
    if (e.thread === threadIndex && e.frame !== undefined && !marks.has(e.frame)) marks.set(e.frame, e.condition);
  }
  const max = o.maxFrames ?? 25;
  const skipped = new Set(isCrashed ? r.skippedFrames : []);
  const firstMeaningful = isCrashed ? firstMeaningfulFrame(r) : -1;
  const lines = t.frames.slice(0, max).map((f, i) => {
    const text = `    #${String(f.index).padEnd(3)} ${frameText(f)}`;
    const mark = marks.has(i) ? c.green(`  <- matched ${marks.get(i)}`) : '';
    if (i === firstMeaningful) return c.bold.yellow(text) + c.yellow('  <- first meaningful frame') + mark;
    return (skipped.has(i) ? c.dim(text) : text) + mark;
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
