// One matching policy for qualified, unqualified and inlined names: a rule naming
// "brpc::DestroyingPtr<>::~DestroyingPtr" matches the frame gdb prints for the inlined destructor
// ("~DestroyingPtr") and lldb's short names, by the pattern's last component, only when the frame
// carries no scope of its own.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import type { Frame } from '../../../src/model.js';
import { RuleSet } from '../../../src/rules/engine.js';
import { loadRules } from '../../../src/rules/load.js';
import { compileFramePattern, scopeParts, unqualifiedForm } from '../../../src/rules/pattern.js';

const frame = (fn: string, full = fn): Frame => ({
  index: 0, address: null, function: fn, fullFunction: full, rawFunction: fn, module: null, file: null, line: null, column: null, inlined: false, raw: fn,
});

describe('unqualified frame names', () => {
  it('splits names at top-level scopes only', () => {
    expect(scopeParts('a::b<c::d>::e')).toEqual(['a', 'b<c::d>', 'e']);
    expect(scopeParts('f(std::string)')).toEqual(['f(std::string)']);
    expect(scopeParts('~DestroyingPtr')).toEqual(['~DestroyingPtr']);
  });

  it('matches a qualified pattern on an unscoped frame by its last component', () => {
    const p = compileFramePattern({ function: 'brpc::DestroyingPtr<>::~DestroyingPtr' });
    expect(p.test(frame('brpc::DestroyingPtr<>::~DestroyingPtr'))).not.toBeNull();
    expect(p.test(frame('~DestroyingPtr'))).not.toBeNull();
    // A frame with its own, different scope is another function.
    expect(p.test(frame('other::~DestroyingPtr'))).toBeNull();
    expect(p.test(frame('~Other'))).toBeNull();
  });

  it('keeps globs in the last component', () => {
    const p = compileFramePattern({ function: 'brpc::policy::Process*Request' });
    // "Process*Request" names no whole identifier: no unqualified form (it would match too much).
    expect(unqualifiedForm('brpc::policy::Process*Request')).toBeNull();
    expect(p.test(frame('ProcessRpcRequest'))).toBeNull();
    const q = compileFramePattern({ function: 'brpc::Socket::Write*' });
    expect(unqualifiedForm('brpc::Socket::Write*')).toBeNull();
    expect(q.test(frame('Write'))).toBeNull();
    expect(compileFramePattern({ function: 'brpc::Socket::ProcessEvent' }).test(frame('ProcessEvent'))).not.toBeNull();
  });

  it('never lets a bare wildcard or an operator match every unscoped frame', () => {
    expect(compileFramePattern({ function: 'boost::asio::detail::scheduler::*' }).test(frame('run'))).toBeNull();
    expect(compileFramePattern({ function: 'boost::asio::detail::*_op<>::operator()' }).test(frame('operator()'))).toBeNull();
    expect(unqualifiedForm('main')).toBeNull();
  });

  it('indexes such an alternative by its last component', () => {
    expect(compileFramePattern({ function: 'brpc::DestroyingPtr<>::~DestroyingPtr' }).tokens).toEqual([['DestroyingPtr']]);
    expect(compileFramePattern({ function: 'brpc::policy::Process*Request' }).tokens).toEqual([['policy', 'brpc']]);
  });

  const rules = new RuleSet(loadRules().ruleSet.rules.filter((r) => r.id === 'brpc/exception-escaped-service'));
  const trace = (destructor: string) => `Program terminated with signal SIGABRT, Aborted.
#0  __pthread_kill_implementation (threadid=<optimized out>, signo=signo@entry=6, no_tid=no_tid@entry=0) at ./nptl/pthread_kill.c:44
#1  0x00007fb1a2a0ffb2 in __GI_raise (sig=sig@entry=6) at ../sysdeps/posix/raise.c:26
#2  0x00007fb1a29fa472 in __GI_abort () at ./stdlib/abort.c:79
#3  0x00007fb1a2ca7ee9 in __cxa_call_terminate () from /lib/x86_64-linux-gnu/libstdc++.so.6
#4  0x00007fb1a2ca8718 in __gxx_personality_v0 () from /lib/x86_64-linux-gnu/libstdc++.so.6
#5  0x00007fb1a2b2f3d6 in _Unwind_Resume () from /lib/x86_64-linux-gnu/libgcc_s.so.1
${destructor}
#7  0x000055a1c3e2c4d7 in brpc::policy::ProcessRpcRequest (msg_base=0x7fb18c001f40) at src/brpc/policy/baidu_rpc_protocol.cpp:520
#8  0x000055a1c3df7a10 in brpc::ProcessInputMessage (void_arg=0x7fb18c001f40) at src/brpc/input_messenger.cpp:179
`;

  it('fires brpc/exception-escaped-service on the inlined ~DestroyingPtr gdb prints', () => {
    for (const line of [
      '#6  ~DestroyingPtr (this=0x7fb19bffe8a0, __in_chrg=<optimized out>) at src/brpc/destroyable.h:60',
      '#6  0x000055a1c3e0a1b2 in ~DestroyingPtr (this=0x7fb19bffe8a0, __in_chrg=<optimized out>) at src/brpc/destroyable.h:60',
      '#6  0x000055a1c3e0a1b2 in brpc::DestroyingPtr<google::protobuf::Message>::~DestroyingPtr (this=0x7fb19bffe8a0, __in_chrg=<optimized out>) at src/brpc/destroyable.h:60',
    ]) {
      const [report] = analyze(trace(line), { rules }).reports;
      expect(report?.diagnoses.map((d) => d.ruleId), line).toEqual(['brpc/exception-escaped-service']);
    }
  });

  it('does not fire on another class\'s destructor', () => {
    const [report] = analyze(trace('#6  0x000055a1c3e0a1b2 in ~ScopedGuard (this=0x7fb19bffe8a0) at src/guard.h:20'), { rules }).reports;
    expect(report?.diagnoses).toEqual([]);
  });
});
