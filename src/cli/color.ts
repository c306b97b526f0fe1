// Colour policy, decided once at the edge: an explicit --color/--no-color wins (CI systems often set
// FORCE_COLOR globally), then NO_COLOR, then FORCE_COLOR, then "is the output a terminal".

import { Chalk, type ChalkInstance } from 'chalk';

export function chalkFor(stream: NodeJS.WriteStream, flag: boolean | undefined, env = process.env): ChalkInstance {
  if (flag !== undefined) return new Chalk({ level: flag ? 1 : 0 });
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return new Chalk({ level: 0 });
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') {
    const level = force === 'false' || force === '0' ? 0 : Math.min(3, Math.max(1, Number(force) || 1));
    return new Chalk({ level: level as 0 | 1 | 2 | 3 });
  }
  return new Chalk({ level: stream.isTTY ? (stream.hasColors?.(256) ? 2 : 1) : 0 });
}
