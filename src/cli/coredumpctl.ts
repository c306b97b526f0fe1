// `--coredumpctl [MATCH]`: systemd-coredump keeps cores itself; `coredumpctl dump` writes one out.

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onPath } from '../core/debugger.js';

/** The newest matching core written to a temp file, or a one-line reason it could not be had. */
export function fromCoredumpctl(match: string | null): { path: string } | string {
  if (!onPath('coredumpctl')) return '--coredumpctl: coredumpctl is not installed (systemd-coredump); pass the core file instead';
  const path = join(mkdtempSync(join(tmpdir(), 'coredx-coredump-')), 'core');
  const r = spawnSync('coredumpctl', ['dump', '--no-pager', '-q', '-o', path, ...(match ? [match] : [])], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) return `--coredumpctl: ${r.error.message}`;
  if (r.status !== 0) return `--coredumpctl: ${(r.stderr || r.stdout || `exit ${r.status}`).trim().split('\n')[0]}`;
  return { path };
}
