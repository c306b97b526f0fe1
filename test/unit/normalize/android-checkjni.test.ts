// Android ART's CheckJNI abort (class: the runtime reports the app's JNI misuse and aborts): its
// report and abort frames are skipped, so the app's native caller signs; ART's own code elsewhere
// (the garbage collector) is not machinery.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const tombstone = (frames: string[]) =>
  analyze([
    '*** *** *** *** *** *** *** *** *** *** *** *** *** *** *** ***',
    'pid: 8812, tid: 8840, name: AudioThread  >>> com.example.synth <<<',
    'signal 6 (SIGABRT), code -1 (SI_QUEUE), fault addr --------',
    'backtrace:',
    ...frames.map((f, i) => `      #${String(i).padStart(2, '0')} pc 00000000004f8a${i}0  ${f}`),
  ].join('\n')).reports[0]!;

describe("ART's CheckJNI abort", () => {
  it("is blamed on the app's native caller", () => {
    const r = tombstone([
      '/apex/com.android.runtime/lib64/bionic/libc.so (abort+164)',
      '/apex/com.android.art/lib64/libart.so (art::Runtime::Abort(char const*)+2308)',
      '/apex/com.android.art/lib64/libart.so (art::JavaVMExt::JniAbort(char const*, char const*)+1296)',
      '/apex/com.android.art/lib64/libart.so (art::(anonymous namespace)::ScopedCheck::Check(art::ScopedObjectAccess&, bool, char const*, art::(anonymous namespace)::JniValueType*)+1212)',
      '/apex/com.android.art/lib64/libart.so (art::(anonymous namespace)::CheckJNI::GetObjectClass(_JNIEnv*, _jobject*)+684)',
      '/data/app/com.example.synth/lib/arm64/libsynthcore.so (synth::JavaBridge::onBuffer(float*, int)+92)',
    ]);
    expect(r.signatureFrames[0]).toBe('synth::JavaBridge::onBuffer');
  });
  it("a crash in ART's garbage collector still names it", () => {
    const r = tombstone(['/apex/com.android.art/lib64/libart.so (art::gc::collector::ConcurrentCopying::MarkObject(art::mirror::Object*)+120)', '/apex/com.android.art/lib64/libart.so (art::gc::Heap::CollectGarbage()+40)']);
    expect(r.signatureFrames[0]).toBe('art::gc::collector::ConcurrentCopying::MarkObject');
  });
});
