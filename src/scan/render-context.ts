// What the report renderers need to know about the world outside a scan result, found here so
// that they stay pure functions of (result, context): where the repository is (GitHub code scanning
// reads SARIF's relative URIs against the checkout's root, so paths must be relative to that root,
// not to wherever coredx happens to run), which artifacts and source files lie in it, and the tool.

import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { TOOL } from '../model/tool.js';
import { relativeInside } from './paths.js';
import { sourceFrameOf } from './group.js';
import type { ScanReport } from './baseline.js';

/**
 * The repository root: $GITHUB_WORKSPACE when set (the checkout on GitHub Actions), else the git
 * top level of `cwd` (`git rev-parse --show-toplevel`), else `cwd` itself.
 */
export function repositoryRoot(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  if (env.GITHUB_WORKSPACE) return resolve(cwd, env.GITHUB_WORKSPACE);
  const git = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000, windowsHide: true });
  const top = git.status === 0 ? git.stdout.replace(/\r?\n$/, '') : '';
  return top ? resolve(top) : resolve(cwd);
}

/** `path` relative to `root` with forward slashes when it lies inside it (symlinks resolved too), else null. */
export function pathInside(root: string, path: string): string | null {
  const direct = relativeInside(root, path);
  if (direct !== null) return direct;
  try {
    return relativeInside(realpathSync(root), realpathSync(path));
  } catch {
    return null;
  }
}


/**
 * A frame's source file as a path relative to the repository root, when it is an existing file
 * there. A relative name ("null_deref.c", "src/x.c") is taken relative to the root, never to the
 * working directory, where a file of the same name may be unrelated.
 */
export function sourceInRepository(root: string, file: string): string | null {
  const abs = isAbsolute(file) ? file : resolve(root, file);
  try {
    if (!statSync(abs).isFile()) return null;
  } catch {
    return null;
  }
  return pathInside(root, abs);
}

/** The tool: its name, version and the project's page from package.json (`homepage`, else `repository`), when it names one. */
export function toolInfo(packageJson: URL = new URL('../../package.json', import.meta.url)): ToolInfo {
  try {
    const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as { homepage?: unknown; repository?: unknown };
    const repo = typeof pkg.repository === 'string' ? pkg.repository : (pkg.repository as { url?: unknown } | undefined)?.url;
    const url = [pkg.homepage, typeof repo === 'string' ? repo.replace(/^git\+/, '').replace(/\.git$/, '') : undefined].find((u): u is string => typeof u === 'string' && /^https:\/\/\S+$/.test(u));
    return url ? { ...TOOL, informationUri: url } : { ...TOOL };
  } catch {
    return { ...TOOL };
  }
}

export interface SarifContextOptions {
  /** The repository root (default: repositoryRoot(cwd)). */
  root?: string;
  /** The directory relative artifact paths are relative to (default: the working directory). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The context renderSarif writes `result` with: the repository root, where each artifact the log
 * names lies relative to it, each group's source file when it exists in the repository, the tool.
 * One pass over the groups (a group's report is read back if it was written away).
 */
export function sarifContext(result: ScanReport, options: SarifContextOptions = {}): SarifContext {
  const cwd = resolve(options.cwd ?? process.cwd());
  const root = resolve(cwd, options.root ?? repositoryRoot(cwd, options.env));
  const artifacts = new Map<string, string | null>();
  const sources = new Map<string, string>();
  const checked = new Set<string>();
  for (const g of result.groups) {
    // The log names the first 50 occurrences of a group (the first one and its related locations).
    for (const o of g.occurrences.slice(0, 50)) {
      if (!artifacts.has(o.path)) artifacts.set(o.path, pathInside(root, isAbsolute(o.path) ? o.path : resolve(cwd, o.path)));
    }
    const file = sourceFrameOf(g)?.file;
    if (file && !checked.has(file)) {
      checked.add(file);
      const rel = sourceInRepository(root, file);
      if (rel !== null) sources.set(file, rel);
    }
  }
  return { root, cwd, tool: toolInfo(), artifacts, sources };
}

export interface ToolInfo {
  name: string;
  version: string;
  /** The project's page, when it names one. */
  informationUri?: string;
}

/** What the SARIF log says about the world outside the scan result, found by its caller (sarifContext). */
export interface SarifContext {
  /** The repository root relative URIs are written against. */
  root: string;
  /** The directory relative artifact paths are relative to. */
  cwd: string;
  tool: ToolInfo;
  /** Artifact paths (as occurrences give them) and their path relative to the root, null when
   *  outside it (symlinks resolved). A path not listed is judged by its spelling alone. */
  artifacts?: ReadonlyMap<string, string | null>;
  /** Source files (a frame's file as printed) that exist inside the root, and their path relative
   *  to it. A file not listed gets no location. */
  sources?: ReadonlyMap<string, string>;
}



