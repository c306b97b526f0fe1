// macOS 12+ and iOS 15+ crash reports as their .ips file holds them (Console's "Full Report", what
// people paste below the translated text or alone): a one-line JSON header ({"app_name":...,
// "bug_type":"309",...}) and a pretty-printed JSON body with "exception", "faultingThread",
// "threads" (frames by image index and offset, symbol, source) and "usedImages" (the modules).
// The body is collected line by line until its braces close, then read as JSON. Format `apple-crash`:
// the same report as the translated text (parse/apple-crash.ts), so both sign alike.

import { signalName } from './signals.js';
import { TraceSpan } from './framework.js';
import { MAX_FRAMES_PER_THREAD, type BlockParser, type FeedResult, type ParsedFrame, type ParsedThread, type ParsedTrace, type TraceParser } from './types.js';

/** The header line, or the body's first keys when a paste starts below its "{". */
const START = /^\s*(?:\{\s*"app_name"\s*:|\{\s*"bug_type"\s*:|"(?:uptime|procRole|incident)"\s*:)/;
/** Lines (and characters) a body may take; a larger or unclosed one is not read. */
const MAX_LINES = 200_000;
const MAX_CHARS = 32 * 1024 * 1024;

export const appleIpsParser: TraceParser = {
  format: 'apple-crash',
  label: "macOS/iOS .ips crash reports (JSON: '\"bug_type\"', '\"faultingThread\"')",
  markers: ['"app_name"', '"bug_type"', '"uptime"', '"procRole"', '"incident"'],
  startsTrace: (line: string) => (line.includes('"') && START.test(line)),
  begin: () => new IpsBlock(),
};

interface IpsFrame { symbol?: string; imageIndex?: number; imageOffset?: number; sourceFile?: string; sourceLine?: number; inline?: boolean }
interface IpsBody {
  exception?: { type?: string; signal?: string; subtype?: string; codes?: string };
  termination?: { namespace?: string; code?: number; indicator?: string };
  faultingThread?: number;
  threads?: { id?: number; name?: string; queue?: string; triggered?: boolean; frames?: IpsFrame[] }[];
  usedImages?: { name?: string; path?: string; base?: number }[];
  procPath?: string;
  procName?: string;
  asi?: Record<string, string[]>;
}

class IpsBlock implements BlockParser {
  private readonly span = new TraceSpan();
  private readonly lines: string[] = [];
  private chars = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Objects closed at depth 0 so far (the header line is the first when present). */
  private closed = 0;
  private body: string | null = null;

  feed(line: string, lineNo: number): FeedResult {
    this.span.open(lineNo);
    if (this.body !== null) return 'end';
    // The header alone, then text: no body follows.
    if (this.closed > 0 && this.depth === 0 && !line.trimStart().startsWith('{')) return 'end';
    // Inside the body every line of Apple's printing starts with a key, a brace or a bracket: a
    // line that does not is text after a cut report (read nothing more as JSON).
    if (this.lines.length > 0 && !/^\s*["{}[\]]/.test(line) && line.trim() !== '') return 'end';
    if (this.lines.length === 0 && !line.trimStart().startsWith('{')) this.depth = 1; // the body's "{" was not pasted
    this.lines.push(line);
    this.chars += line.length + 1;
    if (this.lines.length > MAX_LINES || this.chars > MAX_CHARS) return 'end';
    for (const c of line) {
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
      } else if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') this.depth++;
      else if (c === '}' || c === ']') {
        if (--this.depth === 0) this.closed++;
      }
    }
    this.span.reach(lineNo);
    // The body is the object that holds "threads": the header line closes first and has none.
    if (this.depth === 0 && this.closed > 0) {
      const text = this.lines.join('\n');
      const at = text.lastIndexOf('\n{');
      const candidate = this.lines[0]!.trimStart().startsWith('{') ? (this.closed > 1 && at >= 0 ? text.slice(at + 1) : text) : `{${text}`;
      if (candidate.includes('"threads"')) this.body = candidate;
      else if (this.closed > 1 || !candidate.includes('"app_name"')) return 'end';
    }
    return 'take';
  }

  finish(): ParsedTrace | null {
    if (this.body === null) return null;
    let doc: IpsBody;
    try {
      doc = JSON.parse(this.body) as IpsBody;
    } catch {
      return null;
    }
    const images = doc.usedImages ?? [];
    const threads: ParsedThread[] = (doc.threads ?? []).map((t, ti) => {
      const frames: ParsedFrame[] = (t.frames ?? []).slice(0, MAX_FRAMES_PER_THREAD).map((f, index) => {
        const image = f.imageIndex === undefined ? undefined : images[f.imageIndex];
        const offset = typeof f.imageOffset === 'number' ? `0x${f.imageOffset.toString(16)}` : null;
        const address = image?.base !== undefined && typeof f.imageOffset === 'number' ? `0x${(image.base + f.imageOffset).toString(16)}` : null;
        return {
          index, address, rawFunction: f.symbol || '??', module: image?.name ?? null,
          file: f.sourceFile ?? null, line: typeof f.sourceLine === 'number' ? f.sourceLine : null, column: null,
          inlined: Boolean(f.inline), raw: JSON.stringify(f),
          ...(!f.symbol && offset && image?.name ? { moduleOffset: offset } : {}),
        };
      });
      const dropped = (t.frames?.length ?? 0) - frames.length;
      return { id: String(ti), name: t.name || t.queue || null, lwp: typeof t.id === 'number' ? t.id : null, frames, ...(dropped > 0 ? { droppedFrames: dropped } : {}) };
    });
    const crashed = typeof doc.faultingThread === 'number' ? doc.faultingThread : (doc.threads ?? []).findIndex((t) => t.triggered);
    const e = doc.exception ?? {};
    const signal = e.signal ?? (doc.termination?.namespace === 'SIGNAL' && typeof doc.termination.code === 'number' ? signalName(String(doc.termination.code)) : null);
    const fault = /\bat (0x[0-9a-fA-F]+)/.exec(e.subtype ?? '');
    const inside = Object.values(doc.asi ?? {}).flat().map((text) => ({ line: this.span.start, text }));
    if (!threads.some((t) => t.frames.length > 0)) return null;
    return {
      format: 'apple-crash',
      startLine: this.span.start,
      endLine: this.span.end,
      signal,
      signalDescription: e.type ?? null,
      faultAddress: fault ? fault[1]! : null,
      program: doc.procPath ?? doc.procName ?? null,
      threads: threads.filter((t) => t.frames.length > 0),
      hints: crashed >= 0 && threads[crashed]?.frames.length ? [{ threadId: String(crashed), reason: 'stop-reason' }] : [],
      inside,
    };
  }
}
