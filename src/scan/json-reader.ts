// Reading a JSON file of any size (`coredx merge` inputs, `--baseline` files): the file is read a
// megabyte at a time, and the elements of the arrays the caller names (a scan report's `groups`,
// SARIF's `results`) are handed to it one at a time, each parsed by JSON.parse and then dropped,
// never kept in one array nor read as one string. A report larger than a JavaScript string (V8
// stops at ~512 MB) is read in the memory of its largest element. Everything else is parsed as
// JSON.parse would, and anything JSON.parse rejects is rejected (JsonSyntaxError, one line).

import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export type JsonPath = (string | number)[];

export interface StreamJsonOptions {
  /** Arrays whose elements go to `onElement` one at a time (left empty in the value returned). */
  stream: (path: JsonPath) => boolean;
  /** Objects and arrays on the way to a streamed array: read a member at a time (others by JSON.parse, whole). */
  descend: (path: JsonPath) => boolean;
  /** Each element of a streamed array, in order; `path` is the array's. */
  onElement: (path: JsonPath, index: number, value: unknown) => void;
  /** Bytes read at a time (default 1 MiB). */
  chunkSize?: number;
}

/** Not JSON: the message is one line (JSON.parse's words where it judged, with the character offset). */
export class JsonSyntaxError extends Error {}

/** A file that could not be read (open or read failed): `code` is the errno code. */
export class JsonReadError extends Error {
  constructor(
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

const WS = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

class Reader {
  private text = '';
  private pos = 0;
  /** Characters dropped before `text` (for messages). */
  private base = 0;
  private eof = false;
  private readonly decoder = new StringDecoder('utf8');
  private readonly buf: Buffer;
  /** A value being captured: its pieces before `text`, and where it starts in `text`. */
  private pieces: string[] | null = null;
  private capStart = 0;

  constructor(
    private readonly fd: number,
    private readonly options: StreamJsonOptions,
  ) {
    this.buf = Buffer.allocUnsafe(options.chunkSize ?? 1 << 20);
  }

  /** Reads more text; false at the end of the file. */
  private fill(): boolean {
    if (this.eof) return false;
    let n: number;
    try {
      n = readSync(this.fd, this.buf, 0, this.buf.length, null);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new JsonReadError(e.code, e.message);
    }
    const more = n === 0 ? ((this.eof = true), this.decoder.end()) : this.decoder.write(this.buf.subarray(0, n));
    if (this.pieces) {
      if (this.capStart < this.pos) this.pieces.push(this.text.slice(this.capStart, this.pos));
      this.capStart = 0;
    }
    this.base += this.pos;
    this.text = this.pos < this.text.length ? this.text.slice(this.pos) + more : more;
    this.pos = 0;
    return more.length > 0 || !this.eof;
  }

  /** The next character's code after white space, -1 at the end. */
  private peek(): number {
    for (;;) {
      const t = this.text;
      let i = this.pos;
      while (i < t.length && WS(t.charCodeAt(i))) i++;
      this.pos = i;
      if (i < t.length) return t.charCodeAt(i);
      if (!this.fill()) return -1;
    }
  }

  private error(why: string): JsonSyntaxError {
    return new JsonSyntaxError(`${why} at character ${this.base + this.pos}`);
  }

  private expect(c: number, what: string): void {
    const got = this.peek();
    if (got !== c) throw this.error(got < 0 ? `unexpected end of JSON input (expected ${what})` : `unexpected ${JSON.stringify(String.fromCharCode(got))} (expected ${what})`);
    this.pos++;
  }

  /** Moves past one value (any JSON text; JSON.parse judges it) starting at `pos`. */
  private skipValue(): void {
    const first = this.text.charCodeAt(this.pos);
    if (first === 123 || first === 91) {
      let depth = 0;
      let inString = false;
      let escape = false;
      for (;;) {
        const t = this.text;
        let i = this.pos;
        for (; i < t.length; i++) {
          const c = t.charCodeAt(i);
          if (inString) {
            if (escape) escape = false;
            else if (c === 92) escape = true;
            else if (c === 34) inString = false;
          } else if (c === 34) inString = true;
          else if (c === 123 || c === 91) depth++;
          else if (c === 125 || c === 93) {
            if (--depth === 0) {
              this.pos = i + 1;
              return;
            }
          }
        }
        this.pos = i;
        if (!this.fill()) return; // cut short: JSON.parse says so
      }
    }
    if (first === 34) {
      let escape = false;
      this.pos++;
      for (;;) {
        const t = this.text;
        let i = this.pos;
        for (; i < t.length; i++) {
          const c = t.charCodeAt(i);
          if (escape) escape = false;
          else if (c === 92) escape = true;
          else if (c === 34) {
            this.pos = i + 1;
            return;
          }
        }
        this.pos = i;
        if (!this.fill()) return;
      }
    }
    // A number or a literal: up to the next delimiter.
    for (;;) {
      const t = this.text;
      let i = this.pos;
      while (i < t.length && /[-+.\w]/.test(t[i]!)) i++;
      this.pos = i;
      if (i < t.length || !this.fill()) return;
    }
  }

  /** One value, whole, by JSON.parse. */
  private parseWhole(): unknown {
    const start = this.base + this.pos;
    this.pieces = [];
    this.capStart = this.pos;
    let raw: string;
    try {
      this.skipValue();
      this.pieces.push(this.text.slice(this.capStart, this.pos));
      raw = this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join('');
    } finally {
      this.pieces = null;
    }
    try {
      return JSON.parse(raw);
    } catch (err) {
      throw new JsonSyntaxError(`${(err as Error).message.split('\n')[0]} (in the value at character ${start})`);
    }
  }

  parseValue(path: JsonPath): unknown {
    const c = this.peek();
    if (c < 0) throw this.error('unexpected end of JSON input');
    if (c === 123 && this.options.descend(path)) return this.parseObject(path);
    if (c === 91 && (this.options.stream(path) || this.options.descend(path))) return this.parseArray(path, this.options.stream(path));
    return this.parseWhole();
  }

  private parseObject(path: JsonPath): Record<string, unknown> {
    this.pos++;
    const obj: Record<string, unknown> = {};
    if (this.peek() === 125) {
      this.pos++;
      return obj;
    }
    for (;;) {
      if (this.peek() !== 34) this.expect(34, 'a key');
      const key = this.parseWhole() as string;
      this.expect(58, '":"');
      const value = this.parseValue([...path, key]);
      Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
      const c = this.peek();
      if (c === 125) {
        this.pos++;
        return obj;
      }
      this.expect(44, '"," or "}"');
    }
  }

  private parseArray(path: JsonPath, streamed: boolean): unknown[] {
    this.pos++;
    const arr: unknown[] = [];
    if (this.peek() === 93) {
      this.pos++;
      return arr;
    }
    for (let index = 0; ; index++) {
      const value = this.parseValue([...path, index]);
      if (streamed) this.options.onElement(path, index, value);
      else arr.push(value);
      const c = this.peek();
      if (c === 93) {
        this.pos++;
        return arr;
      }
      this.expect(44, '"," or "]"');
    }
  }

  /** The document: one value, then nothing but white space. */
  parseDocument(): unknown {
    const value = this.parseValue([]);
    if (this.peek() >= 0) throw this.error('unexpected text after the JSON document');
    return value;
  }
}

/**
 * Reads the JSON file at `path` (see above): the value, with the streamed arrays left empty.
 * Throws JsonReadError (cannot open or read it), JsonSyntaxError (not JSON) or what `onElement` throws.
 */
export function streamJsonFile(path: string, options: StreamJsonOptions): unknown {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new JsonReadError(e.code, e.message);
  }
  try {
    return new Reader(fd, options).parseDocument();
  } finally {
    closeSync(fd);
  }
}

/** A read error's reason, in the words of the CLI's messages. */
export function readReason(err: JsonReadError): string {
  return err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.code === 'EACCES' ? 'permission denied' : err.message.split('\n')[0]!;
}
