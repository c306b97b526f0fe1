// Android's memory checkers (class: the allocator or the hardware, not a sanitizer build, finds the
// bug): GWP-ASan's and MTE's tombstones with "Cause:" and the freeing/allocating stacks, Scudo's
// abort messages, HWASan's report in logcat, and the two ways logcat is copied (adb's threadtime
// lines, Android Studio's Logcat window). Names are made up.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const GWP = [
  'pid: 811, tid: 840, name: Decoder  >>> com.example.radio <<<',
  'signal 11 (SIGSEGV), code 2 (SEGV_ACCERR), fault addr 0x0000007a11c3eff8',
  'Cause: [GWP-ASan]: Use After Free, 8 bytes into a 32-byte allocation at 0x7a11c3eff0',
  'backtrace:',
  '      #00 pc 0000000000012a40  /data/app/lib/arm64/libradio.so (radio::Stream::read_frame()+32)',
  '      #01 pc 00000000000119f0  /data/app/lib/arm64/libradio.so (radio::Stream::pump()+80)',
  '',
  'deallocated by thread 852:',
  '      #00 pc 0000000000048674  /apex/com.android.runtime/lib64/bionic/libc.so (gwp_asan::GuardedPoolAllocator::deallocate(void*)+436)',
  '      #01 pc 0000000000010d18  /data/app/lib/arm64/libradio.so (radio::Stream::close()+40)',
  '',
  'allocated by thread 811:',
  '      #00 pc 0000000000049d14  /apex/com.android.runtime/lib64/bionic/libc.so (gwp_asan::GuardedPoolAllocator::allocate(unsigned long, unsigned long)+608)',
  '      #01 pc 0000000000010a20  /data/app/lib/arm64/libradio.so (radio::Stream::open()+64)',
];

describe("GWP-ASan's and MTE's tombstones", () => {
  it('one report: the freeing and allocating stacks are roles of it, the Cause line diagnoses it', () => {
    const reports = analyze(GWP.join('\n')).reports;
    expect(reports).toHaveLength(1);
    const r = reports[0]!;
    expect(r.signatureFrames[0]).toBe('radio::Stream::read_frame');
    expect(r.threads.map((t) => t.role ?? null)).toEqual([null, 'freed-by', 'allocated-by']);
    expect(r.diagnoses[0]!.category).toBe('use-after-free');
  });
  it("read from Android Studio's Logcat window, with or without its date", () => {
    const studio = (date: string) => GWP.slice(0, 5).map((l) => `${date}811-811 DEBUG                   pid-811                              A  ${l}`).join('\n');
    for (const date of ['2024-03-01 10:11:12.345 ', '']) {
      const r = analyze(studio(date)).reports[0]!;
      expect([r.format, r.signatureFrames[0], r.diagnoses[0]!.category]).toEqual(['android-tombstone', 'radio::Stream::read_frame', 'use-after-free']);
    }
  });
});

describe("Scudo's abort messages", () => {
  it.each([
    ['invalid chunk state when deallocating address 0x00b40000a1c2f0', 'double-free'],
    ['corrupted chunk header at address 0x00b40000a1c2f0', 'heap-corruption'],
  ])('%s', (message, category) => {
    const r = analyze(['pid: 90, tid: 91, name: Worker  >>> com.example <<<', 'signal 6 (SIGABRT), code -1 (SI_QUEUE), fault addr --------', `Abort message: 'Scudo ERROR: ${message}'`, 'backtrace:', '      #00 pc 000000000005c0f4  /apex/com.android.runtime/lib64/bionic/libc.so (abort+164)', '      #01 pc 0000000000041e18  /data/app/lib/arm64/libx.so (x::Pool::put(x::Buf*)+60)'].join('\n')).reports[0]!;
    expect([r.signatureFrames[0], r.diagnoses[0]!.category]).toEqual(['x::Pool::put', category]);
  });
});

describe('HWASan in logcat', () => {
  it("reads the report behind adb logcat's threadtime prefix and diagnoses a freed block", () => {
    const p = '05-14 08:01:02.003  4410  4410 I hwasan  : ';
    const r = analyze([
      '==4410==ERROR: HWAddressSanitizer: tag-mismatch on address 0x004a1c2b0e08 at pc 0x0070b1c2d3e4',
      'WRITE of size 8 at 0x004a1c2b0e08 tags: 5c/02 (ptr/mem) in thread T3',
      '    #0 0x70b1c2d3e4  (/data/app/lib/arm64/libnet.so+0x2d3e4) (BuildId: 01ab)',
      '    #1 0x70b1c2c100  (/data/app/lib/arm64/libnet.so+0x2c100) (BuildId: 01ab)',
      '',
      '[0x004a1c2b0e00,0x004a1c2b0e40) is a small unallocated heap chunk; size: 64 offset: 8',
      'SUMMARY: HWAddressSanitizer: tag-mismatch (/data/app/lib/arm64/libnet.so+0x2d3e4) (BuildId: 01ab)',
    ].map((l) => p + l).join('\n')).reports[0]!;
    expect([r.format, r.crashKind, r.diagnoses[0]!.category]).toEqual(['hwasan', 'tag-mismatch', 'use-after-free']);
  });
});
