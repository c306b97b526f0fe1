// `--coredumpctl [MATCH]`: systemd-coredump keeps cores itself; `coredumpctl dump` writes one out.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onPath } from '../core/debugger.js';

/**
 * The newest matching core written to a temp file, or a one-line reason it could not be had.
 * `remove` deletes the copy (cores run to gigabytes; /tmp must not keep them).
 */
export function fromCoredumpctl(match: string | null): { path: string; remove: () => void } | string {
  if (!onPath('coredumpctl')) return '--coredumpctl: coredumpctl is not installed (systemd-coredump); pass the core file instead';
  const dir = mkdtempSync(join(tmpdir(), 'coredx-coredump-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const path = join(dir, 'core');
  const r = spawnSync('coredumpctl', ['dump', '--no-pager', '-q', '-o', path, ...(match ? [match] : [])], { encoding: 'utf8', timeout: 120_000 });
  let problem: string | null = null;
  if (r.error) problem = r.error.message;
  else if (r.status !== 0) problem = (r.stderr || r.stdout || `exit ${r.status}`).trim().split('\n')[0]!;
  if (problem === null) return { path, remove };
  remove();
  return `--coredumpctl: ${problem}`;
}
