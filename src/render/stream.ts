// Reports as a sequence of string chunks, so that a result with 100,000s of crash groups is written
// a group at a time and never becomes one string (V8 strings stop at ~512 MB, and one string of a
// report costs its size twice over while it is built). Each `render*` function that returns a
// string joins its renderer's chunks.

import type { CrashGroup } from '../scan/group.js';
import { withVisibleControls } from './escape.js';

/** An array of a JSON document given as a sequence, serialized an element at a time (see jsonChunks). */
export class JsonArrayStream {
  constructor(readonly items: Iterable<unknown>) {}
}

/** Joins the chunks of a renderer: the report as one string. */
export function joinChunks(chunks: Iterable<string>): string {
  let out = '';
  for (const chunk of chunks) out += chunk;
  return out;
}

/** Chunks of about `size` characters (and never fewer than one per `chunks` chunk that is larger). */
export function* batchChunks(chunks: Iterable<string>, size = 1 << 20): Generator<string> {
  let pending = '';
  for (const chunk of chunks) {
    pending += chunk;
    if (pending.length >= size) {
      yield pending;
      pending = '';
    }
  }
  if (pending) yield pending;
}

const isStreamed = (v: unknown): boolean => v instanceof JsonArrayStream || (v !== null && typeof v === 'object' && hasStream(v as object));

/** Whether a JsonArrayStream is among an object's own values or an array's elements (one level down, then recursively). */
function hasStream(v: object): boolean {
  if (v instanceof JsonArrayStream) return true;
  if (Array.isArray(v)) return v.some((x) => x instanceof JsonArrayStream || (x !== null && typeof x === 'object' && !isPlainLeaf(x) && hasStream(x)));
  for (const x of Object.values(v)) if (x instanceof JsonArrayStream || (x !== null && typeof x === 'object' && !isPlainLeaf(x) && hasStream(x))) return true;
  return false;
}

/** Objects JSON.stringify serializes on their own terms (toJSON): never containers of streams. */
const isPlainLeaf = (v: object): boolean => typeof (v as { toJSON?: unknown }).toJSON === 'function';

/** JSON.stringify(v, null, 2) indented for its place at `indent` (JSON text holds no raw line breaks but its own). */
function stringifyAt(v: unknown, indent: string): string | undefined {
  const s = JSON.stringify(v, null, 2);
  return s === undefined || !indent || !s.includes('\n') ? s : s.replace(/\n/g, `\n${indent}`);
}

/**
 * `JSON.stringify(value, null, 2)`, byte for byte, in chunks: the arrays given as JsonArrayStream
 * (anywhere in plain objects and arrays) are serialized an element at a time, everything else as
 * JSON.stringify does it. Values JSON leaves out (undefined, functions, symbols) are left out of
 * objects and are null in arrays, as JSON.stringify does.
 */
export function* jsonChunks(value: unknown, indent = ''): Generator<string> {
  if (value instanceof JsonArrayStream) {
    const inner = `${indent}  `;
    let first = true;
    for (const item of value.items) {
      const text = isStreamed(item) ? null : (stringifyAt(item, inner) ?? 'null');
      yield `${first ? '[' : ','}\n${inner}`;
      if (text === null) yield* jsonChunks(item, inner);
      else yield text;
      first = false;
    }
    yield first ? '[]' : `\n${indent}]`;
    return;
  }
  if (value === null || typeof value !== 'object' || isPlainLeaf(value) || !hasStream(value)) {
    const text = stringifyAt(value, indent);
    if (text !== undefined) yield text;
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return yield '[]';
    for (let i = 0; i < value.length; i++) {
      yield `${i === 0 ? '[' : ','}\n${inner}`;
      const item = value[i] as unknown;
      if (isStreamed(item)) yield* jsonChunks(item, inner);
      else yield stringifyAt(item, inner) ?? 'null';
    }
    yield `\n${indent}]`;
    return;
  }
  let first = true;
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    yield `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    if (isStreamed(item)) yield* jsonChunks(item, inner);
    else yield stringifyAt(item, inner)!;
  }
  yield first ? '{}' : `\n${indent}}`;
}

/**
 * The groups with the control characters of their strings made visible (withVisibleControls), a
 * group at a time, as renderers for terminals, workflow logs and XML need them: the same strings
 * as withVisibleControls(result).groups without copying the whole result at once. Only the first
 * `occurrences` occurrences are kept (a renderer lists that many at most; `count` is the number).
 */
export function* visibleGroups(groups: Iterable<CrashGroup>, occurrences: number): Generator<CrashGroup> {
  for (const g of groups) yield withVisibleControls(g.occurrences.length > occurrences ? { ...g, occurrences: g.occurrences.slice(0, occurrences) } : g);
}
