// Android tombstones (parse/android-tombstone.ts): a full tombstone with its other threads and
// memory sections, the same text behind logcat prefixes, frames' module/function/offset shapes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { androidTombstoneParser, frameOf } from '../../../src/parse/android-tombstone.js';
import { analyze } from '../../../src/pipeline.js';
import { samplePath } from '../../support/samples.js';
import { lines, parseOne, parseWith } from './feed.js';

const fnsOf = (frames: readonly { rawFunction: string }[]) => frames.map((f) => f.rawFunction);

describe('android-tombstone parser', () => {
  it('reads a full tombstone: signal, abort message, the crashed thread first, other threads, no stack-dump lines as frames', () => {
    const t = parseOne(androidTombstoneParser, readFileSync(samplePath('android-tombstone-abort.txt'), 'utf8'));
    expect(t.format).toBe('android-tombstone');
    expect([t.signal, t.signalDescription, t.faultAddress, t.program]).toEqual(['SIGABRT', 'SI_QUEUE', null, 'org.acme.player']);
    expect(t.threads.map((th) => [th.id, th.name, th.frames.length])).toEqual([['7352', 'AudioDecoder', 6], ['7310', 'org.acme.player', 3]]);
    expect(t.hints).toEqual([{ threadId: '7352', reason: 'received-signal' }]);
    expect(t.threads[0]!.frames[2]).toMatchObject({
      index: 2, rawFunction: 'media::RingBuffer::Write(float const*, unsigned long)',
      module: '/data/app/~~Qw3rTy==/org.acme.player-Zx9==/lib/arm64/libplayer.so', moduleOffset: '0xc7e10', file: null,
    });
    expect(t.inside.map((l) => l.text)).toContain("Abort message: 'Check failed: frames_ <= capacity_ (4097 vs. 4096) ring_buffer.cc:88'");
  });

  it('gives the report the abort message and a signature through the whole pipeline', () => {
    const [r] = analyze(readFileSync(samplePath('android-tombstone-abort.txt'), 'utf8'), { rules: null }).reports;
    expect(r!.abortMessage).toBe('Check failed: frames_ <= capacity_ (4097 vs. 4096) ring_buffer.cc:88');
    expect(r!.threads[r!.crashedThread!]!.id).toBe('7352');
    expect(r!.threads).toHaveLength(2);
  });

  it('reads the logcat copy behind its prefixes: fault address, apk-embedded module with an offset', () => {
    const t = parseOne(androidTombstoneParser, readFileSync(samplePath('android-tombstone-logcat-segv.txt'), 'utf8'));
    expect([t.signal, t.signalDescription, t.faultAddress]).toEqual(['SIGSEGV', 'SEGV_MAPERR', '0x0000000000000018']);
    expect(t.threads).toHaveLength(1);
    expect(fnsOf(t.threads[0]!.frames)).toEqual(['sync::Journal::append(sync::Entry const&)', 'sync::Session::flush()', 'Java_net_example_notes_Sync_nativeFlush', 'art_quick_generic_jni_trampoline']);
    expect(t.threads[0]!.frames[2]!.module).toBe('/data/app/~~n0te5==/net.example.notes-Ab1==/base.apk!libsync.so');
    // The ActivityManager line after "Tombstone written to:" is not the tombstone's.
    expect(t.endLine).toBeLessThan(21);
  });

  it('reads the brief logcat form and a backtrace pasted without its header', () => {
    const t = parseOne(androidTombstoneParser, lines(
      "F/DEBUG  (  812): signal 11 (SIGSEGV), code 2 (SEGV_ACCERR), fault addr 0x7f00d000",
      'F/DEBUG  (  812): backtrace:',
      'F/DEBUG  (  812):     #00 pc 0001a2b4  /system/lib/libfoo.so (Foo::run+12)',
      'F/DEBUG  (  812):     #01 pc 00003f10  /system/lib/libfoo.so',
    ));
    expect([t.signal, t.faultAddress]).toEqual(['SIGSEGV', '0x7f00d000']);
    expect(t.threads[0]!.frames.map((f) => [f.rawFunction, f.module, f.moduleOffset])).toEqual([['Foo::run', '/system/lib/libfoo.so', '0x1a2b4'], ['??', '/system/lib/libfoo.so', '0x3f10']]);
  });

  it("reads Android 4's '#00  pc' frames, and threadtime lines whose date a log cleaner already removed", () => {
    const old = parseOne(androidTombstoneParser, lines(
      'I/DEBUG   (  127): pid: 2001, tid: 2019, name: Thread-77  >>> com.example.legacy <<<',
      'I/DEBUG   (  127): signal 7 (SIGBUS), code 1 (BUS_ADRALN), fault addr 0x5f2a3c41',
      'I/DEBUG   (  127): backtrace:',
      'I/DEBUG   (  127):     #00  pc 0000dc08  /system/lib/libc.so (memcpy+72)',
      'I/DEBUG   (  127):     #01  pc 00031a5c  /data/app-lib/com.example.legacy-1/libcodec.so (Codec::copy(char*, int)+24)',
    ));
    expect([old.signal, old.faultAddress, old.program]).toEqual(['SIGBUS', '0x5f2a3c41', 'com.example.legacy']);
    expect(old.threads.map((th) => [th.id, th.frames.map((f) => f.rawFunction)])).toEqual([['2019', ['memcpy', 'Codec::copy(char*, int)']]]);
    const [r] = analyze(lines(
      '2026-12-01 10:11:12.345  4411  4411 F DEBUG   : signal 11 (SIGSEGV), code 1 (SEGV_MAPERR), fault addr 0x8',
      '2026-12-01 10:11:12.345  4411  4411 F DEBUG   : backtrace:',
      '2026-12-01 10:11:12.345  4411  4411 F DEBUG   :       #00 pc 0000000000012340  /vendor/lib64/libgpu.so (Gpu::submit()+16)',
      '2026-12-01 10:11:12.345  4411  4411 F DEBUG   :       #01 pc 0000000000012f00  /vendor/lib64/libgpu.so (Gpu::flush()+64)',
    ), { rules: null }).reports;
    expect([r!.format, r!.signal, r!.faultAddress]).toEqual(['android-tombstone', 'SIGSEGV', '0x8']);
    expect(r!.threads[0]!.frames.map((f) => f.function)).toEqual(['Gpu::submit', 'Gpu::flush']);
  });

  it.each([
    ['/system/lib64/libc.so (abort+164) (BuildId: 1f2e)', 'abort', '/system/lib64/libc.so'],
    ['/data/app/x/base.apk (offset 0x2000) (f(g(int))+8)', 'f(g(int))', '/data/app/x/base.apk'],
    ['<anonymous:7d21000000>', '??', '<anonymous:7d21000000>'],
    ['/system/lib64/libart.so (deleted)', '??', '/system/lib64/libart.so'],
  ])('splits the frame text %s into function and module', (rest, fn, module) => {
    expect(frameOf(0, '0000000000001000', rest, rest)).toMatchObject({ rawFunction: fn, module, moduleOffset: '0x1000' });
  });

  it('reads nothing in text that only mentions a signal, and keeps two tombstones apart', () => {
    expect(parseWith(androidTombstoneParser, lines('pid: 4, tid: 5, name: x  >>> y <<<', 'the app got signal 11 (SIGSEGV) somewhere', '#00 is a tag'))).toEqual([]);
    const two = parseWith(androidTombstoneParser, lines(
      '*** *** *** *** *** *** *** *** *** *** *** *** *** *** *** ***',
      'signal 6 (SIGABRT), code -6 (SI_TKILL), fault addr --------',
      'backtrace:',
      '    #00 pc 0000000000001000  /system/lib64/libc.so (abort+16)',
      '*** *** *** *** *** *** *** *** *** *** *** *** *** *** *** ***',
      'signal 11 (SIGSEGV), code 1 (SEGV_MAPERR), fault addr 0x0',
      'backtrace:',
      '    #00 pc 0000000000002000  /system/lib64/libbar.so (bar+4)',
    ));
    expect(two.map((t) => [t.signal, t.threads[0]!.frames[0]!.rawFunction])).toEqual([['SIGABRT', 'abort'], ['SIGSEGV', 'bar']]);
  });
});
