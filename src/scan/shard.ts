// --shard I/N: a deterministic 1/N of the artifacts, so N machines can scan one tree and
// `coredx merge` can put the parts back together. A file's shard depends on its path relative to
// the argument it was found under (a directory, a glob's fixed part, or the file's own directory),
// hashed: independent of which other files exist, of the order they were found in, and of where
// the tree sits on each machine.

import { createHash } from 'node:crypto';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import picomatch from 'picomatch';

export interface Shard {
  /** 1-based. */
  index: number;
  total: number;
}

/** Parses "I/N" (1 <= I <= N); a message when it is not one. */
export function parseShard(spec: string): Shard | string {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  const index = m ? Number(m[1]) : NaN;
  const total = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(total) || total < 1 || index < 1 || index > total) return `--shard must be I/N with 1 <= I <= N, got "${spec}"`;
  return { index, total };
}

/** The scan roots of the arguments: a directory, a glob's fixed part, or a file's own directory. */
function rootsOf(inputs: string[]): string[] {
  return inputs.map((input) => {
    if (picomatch.scan(input).isGlob) return resolve(picomatch.scan(input).base || '.');
    return resolve(input);
  });
}

/** The path a file is sharded by: relative to the first argument it lies inside, else its name. */
export function shardKey(path: string, roots: string[]): string {
  const abs = resolve(path);
  for (const root of roots) {
    const rel = relative(root, abs);
    if (rel === '') return basename(abs);
    if (rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel)) return rel;
  }
  return relative(dirname(abs), abs);
}

export function shardOf(key: string, total: number): number {
  const digest = createHash('sha256').update(key).digest();
  return (digest.readUInt32BE(0) % total) + 1;
}

/** A predicate: is this path (found under `inputs`) in `shard`? */
export function inShard(inputs: string[], shard: Shard): (path: string) => boolean {
  const roots = rootsOf(inputs);
  return (path) => shard.total === 1 || shardOf(shardKey(path, roots), shard.total) === shard.index;
}
