// lldb's stop reason as newer releases write it (class: "(fault address=0x18)" after the si_code's
// words, where older ones wrote "(fault address: 0x18)"): both give the fault address.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const stop = (reason: string) =>
  analyze([`* thread #4, name = 'io', stop reason = ${reason}`, '  * frame #0: 0x0000555555591c3e srv`net::Conn::flush(this=0x0000000000000000) at conn.cc:211:15', '    frame #1: 0x0000555555592a10 srv`net::Loop::run(this=0x00005555555c2eb0) at loop.cc:90:7'].join('\n')).reports[0]!;

describe('lldb fault address phrasings', () => {
  it.each([
    ['signal SIGSEGV: address not mapped to object (fault address=0x18)', '0x18'],
    ['signal SIGSEGV: invalid address (fault address: 0x18)', '0x18'],
    ['signal SIGSEGV', null],
  ])('%s', (reason, address) => {
    const r = stop(reason);
    expect([r.signal, r.faultAddress]).toEqual(['SIGSEGV', address]);
  });
});
