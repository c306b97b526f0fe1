// --format github: an annotation's file= is the real path, encoded as GitHub's runner decodes
// command properties (%25, %0D, %0A, %3A, %2C), so that it lands on that file even when its name
// holds control characters; the text (title, message) shows them as visible escapes.
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderGithub } from '../../../src/render/github.js';
import { escapeCommandPath } from '../../../src/render/escape.js';
import { scan } from '../../../src/scan/scan.js';
import { tempDir } from '../../support/tmp.js';

const crash = `Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000000000401136 in bell_fn (p=0x0) at src/a.c:5\n#1  0x0000000000401150 in main () at src/main.c:9\n`;
// A name with a control character, a line break, a carriage return and the property delimiters.
const NAME = 'odd\x07\r\n,:%.log';
const ENCODED = 'odd\x07%0D%0A%2C%3A%25.log';

describe('github annotations', () => {
  it('escapeCommandPath encodes what the runner decodes, and nothing else', () => {
    expect(escapeCommandPath(NAME)).toBe(ENCODED);
    expect(escapeCommandPath('a/b c.log')).toBe('a/b c.log');
  });

  it('name the real file of a group and of a file that could not be read', async () => {
    const dir = tempDir('github-file');
    writeFileSync(join(dir, NAME), crash);
    // A dangling symlink: a file that could not be read (an error), annotated as such.
    symlinkSync('missing', join(dir, `gone-${NAME}`));
    const out = renderGithub(await scan([dir]));
    const files = [...out.matchAll(/^::\w+ file=([^,]*),/gm)].map((m) => m[1]);
    expect(files).toEqual([escapeCommandPath(join(dir, NAME)), escapeCommandPath(join(dir, `gone-${NAME}`))]);
    // The display text is not used as a path...
    expect(out).not.toContain('file=' + escapeCommandPath(join(dir, 'odd\\x07')));
    // ...but is in the title and message.
    expect(out).toMatch(/title=coredx%3A .*bell_fn/);
  });
});
