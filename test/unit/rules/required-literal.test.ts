// A regex pattern is compiled only when the text holds its required literal (ripgrep's literal
// extraction): the literal must be in every text the regex matches, or a rule would stop firing.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { requiredLiteral } from '../../../src/rules/pattern.js';
import { sampleNames, samplePath } from '../../support/samples.js';

const { RE2JS } = createRequire(import.meta.url)('re2js');
const RULES = join(import.meta.dirname, '..', '..', '..', 'rules');

function bundledRegexes(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.toml')) {
        for (const m of readFileSync(join(dir, e.name), 'utf8').matchAll(/regex = "((?:[^"\\]|\\.)*)"/g)) out.push(JSON.parse(`"${m[1]}"`));
        for (const m of readFileSync(join(dir, e.name), 'utf8').matchAll(/regex = '([^']*)'/g)) out.push(m[1]!);
      }
    }
  };
  walk(RULES);
  return out;
}

describe('requiredLiteral', () => {
  it.each([
    ["Assertion `(?P<expression>.*)' failed", 'Assertion `'],
    ['this=0x0(?:[,)]|$)', 'this=0x0'],
    ['^\\s*what\\(\\):\\s+(?P<what>.+)$', 'what():'],
    ['colou?r name', 'r name'],
    ['x{0,3}abc', 'abc'],
    ['\\x41bcd', 'bcd'],
    ['ab+cd', 'ab'],
    // A group that matches once, without alternation, is its text (rules name what they capture).
    ['(?P<what>Invalid iterator comparison)', 'Invalid iterator comparison'],
    ['(?P<op>__n < this->size\\(\\))', '__n < this->size()'],
    ['error: (?:out of memory) at', 'error: out of memory at'],
    ['x(?:abc)?yz', 'yz'],
    ['(?:ab|cd)efg', 'efg'],
    ['(?P<a>fo(?P<b>oba)r)!', 'foobar!'],
    ['(?:abc)+def', 'def'],
  ])('%s -> %s', (regex, literal) => expect(requiredLiteral(regex)).toBe(literal));

  it.each(['a|b', '(?i)hello world', 'x*', '\\d+\\s+'])('%s has none', (regex) => expect(requiredLiteral(regex)).toBeNull());

  it('every bundled regex, on every line of every sample: a match contains its literal', () => {
    const regexes = bundledRegexes();
    expect(regexes.length).toBeGreaterThan(30);
    const lines = sampleNames().flatMap((n) => readFileSync(samplePath(n), 'utf8').split('\n'));
    let matches = 0;
    for (const source of regexes) {
      const literal = requiredLiteral(source);
      if (literal === null) continue;
      const re = RE2JS.compile(source);
      for (const line of lines) {
        if (!re.matcher(line).find()) continue;
        matches++;
        expect([source, line.includes(literal)]).toEqual([source, true]);
      }
    }
    expect(matches).toBeGreaterThan(0);
  });
});
