// NVIDIA's compute-sanitizer (and cuda-memcheck before it) on a CUDA kernel's bad access, every line
// behind "========= ":
//   ========= Invalid __global__ read of size 4 bytes
//   =========     at halo_exchange_kernel(const float *, float *, int, int)+0x3d0 in /src/stencil/halo.cu:47
//   =========     by thread (31,0,0) in block (15,0,0)
//   =========     Address 0x7f3c9de00800 is out of bounds
//   =========     Device Frame:void cub::Reduce<...>(...)+0xc0 in /src/cub/block_reduce.cuh:118      (inlined callers)
//   =========     Saved host backtrace up to driver entry point at kernel launch time
//   =========     Host Frame:launch_halo(float const*, float*, int, int) [0x1d3a4] in /src/build/bin/stencil
//   =========         Host Frame: [0x2e0b1f] in libcuda.so.1              (newer: the module on the same line, or on the next)
// cuda-memcheck wrote "at 0x000003d0 in kernel(...)" and "Host Frame:/path/mod (fn + 0x1a) [0x1d3a4]".
// The kernel's frame is the faulting one; the host frames are where it was launched from, and are
// kept after it. Several errors follow one another: each header starts another report.

import { dumpFrame, HandlerDumpBlock, type DumpHeader, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

const PREFIX = /^={9}\s?/;
const HEADER = /^(Invalid|Misaligned|Uninitialized) (__global__|__shared__|__local__|__generic__)?\s*(?:memory )?(read|write|atomic)\b.*?(?:of size (\d+) bytes?)?\s*$|^(Program hit .*|Race reported between .*|Out-of-range Shared or Local Address|Barrier error .*|Malloc\/Free error .*|Leaked \d+ bytes .*)$/;
const AT_NEW = /^at (.+?)\+(0x[0-9a-fA-F]+)(?: in (\S+?):(\d+))?\s*$/;
const AT_OLD = /^at (0x[0-9a-fA-F]+) in (?:(\S+?):(\d+):)?(.+?)\s*$/;
const DEVICE = /^Device Frame:\s*(.+?)(?:\+(0x[0-9a-fA-F]+))?(?: in (\S+?):(\d+))?\s*$/;
const HOST_NEW = /^Host Frame:\s*(.*?)\s*\[(0x[0-9a-fA-F]+)\](?: in (\S+))?\s*$/;
const HOST_OLD = /^Host Frame:(\S+?)(?: \((.+?) \+ 0x[0-9a-fA-F]+\))? \[(0x[0-9a-fA-F]+)\]\s*$/;
const OTHER = /^(?:by thread \(|Address 0x|Access (?:at|to) 0x|and is |Saved host backtrace|in \S+$|COMPUTE-SANITIZER|CUDA-MEMCHECK|ERROR SUMMARY|Target application|=+$|\.\.\.|$)/;

/** The sanitizers' kinds for the tool's verdicts: an invalid access to a kernel's global (device
 *  heap) or shared memory is past an allocation's bounds, to its local memory past the thread's stack. */
function header(m: RegExpExecArray): DumpHeader {
  if (m[5]) return { signal: null, description: m[5], faultAddress: null, crashKind: m[5].startsWith('Race reported') ? 'data race' : null };
  const description = `${m[1]} ${m[2] ?? ''} ${m[3]}`.replace(/\s+/g, ' ');
  if (m[1] === 'Misaligned') return { signal: 'SIGBUS', description, faultAddress: null };
  if (m[1] === 'Uninitialized') return { signal: null, description, faultAddress: null, crashKind: 'use-of-uninitialized-value' };
  return { signal: 'SIGSEGV', description, faultAddress: null, crashKind: m[2] === '__local__' ? 'stack-buffer-overflow' : 'heap-buffer-overflow' };
}

function dialect(): HandlerDumpDialect {
  let last: ReturnType<typeof dumpFrame> | null = null;
  const keep = (f: ReturnType<typeof dumpFrame>) => (last = f);
  return {
    format: 'compute-sanitizer',
    program: null,
    strip: (line) => (PREFIX.test(line.trimStart()) ? line.trimStart().replace(PREFIX, '').trim() : null),
    header(text) {
      const m = HEADER.exec(text);
      return m ? header(m) : null;
    },
    frame(text) {
      let m: RegExpExecArray | null;
      if ((m = AT_NEW.exec(text)) && !/^0x/.test(m[1]!)) return keep(dumpFrame(null, m[1]!, null, text, m[3] ?? null, m[4] ? Number(m[4]) : null));
      if ((m = AT_OLD.exec(text))) return keep(dumpFrame(null, m[4]!, null, text, m[2] ?? null, m[3] ? Number(m[3]) : null));
      if ((m = DEVICE.exec(text))) return keep(dumpFrame(null, m[1]!, null, text, m[3] ?? null, m[4] ? Number(m[4]) : null));
      if ((m = HOST_OLD.exec(text))) return keep(dumpFrame(m[3]!.toLowerCase(), m[2] ?? '??', m[1]!, text));
      if ((m = HOST_NEW.exec(text))) return keep(dumpFrame(m[2]!.toLowerCase(), m[1] || '??', m[3] ?? null, text));
      return null;
    },
    other(text) {
      // "in /path/module" on the line after a host frame (compute-sanitizer 2023+).
      const module = /^in (\S+)$/.exec(text);
      if (module && last && last.module === null && last.address !== null) last.module = module[1]!;
      return OTHER.test(text);
    },
  };
}

export const computeSanitizerParser: TraceParser = {
  format: 'compute-sanitizer',
  label: "NVIDIA compute-sanitizer/cuda-memcheck errors ('========= Invalid __global__ read of size 4 bytes')",
  markers: ['========= '],
  startsTrace(line) {
    const t = line.trimStart();
    // The tool's prefix with its space, as its marker says (a line of the body may lose the space).
    return t.startsWith('========= ') && HEADER.test(t.replace(PREFIX, '').trim());
  },
  begin: () => new HandlerDumpBlock(dialect()),
};
