// Gecko's MozStackWalk dumps after MOZ_CRASH or a failed MOZ_ASSERT.
import { describe, expect, it } from 'vitest';
import { mozillaParser } from '../../../src/parse/mozilla.js';
import { analyze } from '../../../src/pipeline.js';
import { lines, parseOne, where } from './feed.js';

describe('mozilla parser', () => {
  const text = lines(
    'Hit MOZ_CRASH(attempt to read a released layer) at /builds/worker/checkouts/gecko/gfx/layers/ipc/LayerTree.cpp:412',
    '#01: mozilla::layers::LayerTree::FindLayer(unsigned long) (/builds/worker/checkouts/gecko/gfx/layers/ipc/LayerTree.cpp:412)',
    '#02: ???[/home/dev/firefox/libxul.so +0x3a1c2e4]',
    '#03: nsThread::ProcessNextEvent(bool, bool*) (/builds/worker/checkouts/gecko/xpcom/threads/nsThread.cpp:1198)',
    'Exiting due to channel error.',
  );

  it('reads the frames: functions with locations, unnamed frames with module and offset', () => {
    const t = parseOne(mozillaParser, text);
    expect([t.format, t.signal]).toEqual(['mozilla', 'SIGSEGV']);
    expect(where(t.threads[0]!.frames)).toEqual([
      ['mozilla::layers::LayerTree::FindLayer(unsigned long)', '/builds/worker/checkouts/gecko/gfx/layers/ipc/LayerTree.cpp', 412],
      ['??', null, null],
      ['nsThread::ProcessNextEvent(bool, bool*)', '/builds/worker/checkouts/gecko/xpcom/threads/nsThread.cpp', 1198],
    ]);
    expect([t.threads[0]!.frames[1]!.module, t.threads[0]!.frames[1]!.moduleOffset]).toEqual(['/home/dev/firefox/libxul.so', '0x3a1c2e4']);
  });

  it("MOZ_CRASH's reason is the message, diagnosed as a failed check", () => {
    const r = analyze(text).reports[0]!;
    expect(r.abortMessage).toMatch(/^Hit MOZ_CRASH\(attempt to read a released layer\)/);
    expect(r.diagnoses[0]?.category).toBe('assertion');
  });

  it('the header without frames is no trace', () => {
    expect(analyze('Hit MOZ_CRASH(oom) at /src/a.cpp:1\nbye\n').reports.filter((r) => r.format === 'mozilla')).toEqual([]);
  });
});
