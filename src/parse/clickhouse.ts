// ClickHouse's fatal-signal dump (BaseDaemon), in the server's log:
//   2025.03.04 10:22:33.101300 [ 811 ] {} <Fatal> BaseDaemon: (version 24.3.1.1 (official build), build id: ...) (from thread 799) (query_id: ...) Received signal Segmentation fault (11)
//   2025.03.04 10:22:33.101320 [ 811 ] {} <Fatal> BaseDaemon: Address: NULL pointer. Access: read. Address not mapped to object.
//   2025.03.04 10:22:33.101330 [ 811 ] {} <Fatal> BaseDaemon: Stack trace: 0x0000000011201c25 0x...
//   2025.03.04 10:22:33.101400 [ 811 ] {} <Fatal> BaseDaemon: 2. DB::ColumnVector<>::insertFrom(...) @ 0x0000000011201c25 in /usr/bin/clickhouse
//   ... <Fatal> BaseDaemon: 5. ? @ 0x00007f2b0e094ac3
// Newer releases put the source before the name ("4. ./src/Common/Exception.cpp:91: DB::Exception::Exception(...) @ 0x... in ..."),
// older ones print backtrace_symbols frames ("0. /usr/bin/clickhouse-server(DB::f()+0x24) [0x39d8b14]") and
// "Address: NULL pointer." / "Access: read." on lines of their own. The handler's thread logs the
// dump; "(from thread N)" names the thread that received the signal.

import { parseLine } from './backtrace-symbols.js';
import { dumpFrame, HandlerDumpBlock, signalFromNumber, type HandlerDumpDialect } from './handler-dump.js';
import type { TraceParser } from './types.js';

const PREFIX = /^.*?BaseDaemon: /;
const RECEIVED = /Received signal (.+?) \((\d{1,2})\)\.?\s*$/;
const ADDRESS = /^Address: (NULL pointer|0x[0-9a-fA-F]+)/;
const FRAME = /^(\d{1,4})\. (?:(\S+?):(\d+): )?(.*?) @ (0x[0-9a-fA-F]+)(?: in (\S.*?))?\s*$/;
const NUMBERED = /^\d{1,4}\. (.*)$/;
const OTHER = /^(?:#{10,}|Stack trace: |Access: |Address not mapped|Unknown si_code|Invalid permissions|Integrity check|Changed settings:|This ClickHouse version|Report this error|\(version )/;

const dialect: HandlerDumpDialect = {
  format: 'clickhouse',
  program: 'clickhouse-server',
  strip: (line) => (line.includes('BaseDaemon: ') ? line.replace(PREFIX, '') : null),
  header(text) {
    const m = RECEIVED.exec(text);
    if (m) return { ...signalFromNumber(Number(m[2])), faultAddress: null };
    return null;
  },
  frame(text) {
    let m = FRAME.exec(text);
    if (m) {
      const module = m[6] ?? null;
      const symbol = m[4] === '?' ? '??' : m[4]!;
      return dumpFrame(m[5]!, symbol, module, text, m[2] ?? null, m[3] ? Number(m[3]) : null);
    }
    const n = NUMBERED.exec(text);
    if (n && (m = parseLine(n[1]!))) return dumpFrame(m[3]!, m[2]!.replace(/[+-]0x[0-9a-fA-F]+$/, '') || '??', m[1]!, text);
    return null;
  },
  other: (text) => OTHER.test(text) || ADDRESS.test(text),
};

/** The dump with its "Address:" line read: a dialect is stateless, so the block keeps the address. */
class ClickHouseBlock extends HandlerDumpBlock {
  private address: string | null = null;

  override feed(line: string, lineNo: number) {
    const m = line.includes('BaseDaemon: Address: ') ? ADDRESS.exec(line.replace(PREFIX, '')) : null;
    if (m) this.address = m[1] === 'NULL pointer' ? '0x0' : m[1]!.toLowerCase();
    return super.feed(line, lineNo);
  }

  override finish() {
    const trace = super.finish();
    if (trace && this.address && trace.signal && ['SIGSEGV', 'SIGBUS'].includes(trace.signal)) trace.faultAddress = this.address;
    return trace;
  }
}

export const clickhouseParser: TraceParser = {
  format: 'clickhouse',
  label: "ClickHouse's BaseDaemon dumps ('BaseDaemon: ... Received signal Segmentation fault (11)', '2. f() @ 0x... in /usr/bin/clickhouse')",
  markers: ['Received signal'],
  startsTrace: (line) => line.includes('BaseDaemon: ') && line.includes('Received signal') && RECEIVED.test(line),
  begin: () => new ClickHouseBlock(dialect),
};
