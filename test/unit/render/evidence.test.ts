// Text output shows the evidence: the clue values a rule used (`this=0x0`) with why they matter,
// every matching log line in full (never cut inside a word), frames with their why, the weights
// that explain the confidence, the source line at the crash when the trace has it; --explain lists
// evidence weights and no rule that held on the signal alone.
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';
import { loadRules } from '../../../src/rules/load.js';
import { renderText } from '../../../src/render/text.js';

const chalk = new Chalk({ level: 0 });
const rules = loadRules().ruleSet;
/** Wrapped output back to one line per item: continuation lines joined to the line they continue. */
const unwrap = (s: string) => s.replace(/\n {8,}/g, ' ');

const LONG = `W1125 10:15:02.417339 21034 src/brpc/input_messenger.cpp:386] Fail to read from Socket{id=8589934721 fd=14 addr=127.0.0.1:8010:52114} (0x7f3a2c01a0c0): Connection reset by peer [104] while reading the response of call 8589934721 from the server that was killed by the test harness at the end of the scenario`;

describe('text evidence', () => {
  it('shows the null argument and the caller\'s null local as clues, with why and weight', () => {
    const text = 'Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000555555555145 in apply_config (cfg=0x0) at null_deref.c:8\n#1  0x0000555555555189 in load_config (path=0x555555556010 "server.conf") at null_deref.c:14\n        cfg = 0x0\n$1 = {si_addr = 0x0, _addr_lsb = 0, _addr_bnd = {_lower = 0x0, _upper = 0x0}}\n';
    const out = unwrap(renderText(analyze(text, { rules }), { chalk, width: 100 }));
    expect(out).toMatch(/\+ \+0\.10 clue in #0 apply_config: cfg=0x0/);
    expect(out).toMatch(/\+ clue in #1 load_config: cfg = 0x0/);
    expect(out).toMatch(/clue in #1 load_config: cfg = 0x0/);
    expect(out).toMatch(/argument cfg of apply_config is null/);
    expect(out).toMatch(/fault address: 0x0\n\s+the fault address is 0x0: a null pointer was dereferenced/);
    expect(out).toMatch(/raised the confidence by \+0\.15/);
  });

  it('lists every matching log line whole, and a frame with why it matters', () => {
    const text = `${LONG}\nE1125 10:15:02.417512 21031 shard_client.cpp:88] shard 1 failed: [E1014]Got EOF of Socket{id=8589934722 fd=15 addr=127.0.0.1:8011:52116} (0x7f3a2c01a300)\nProgram received signal SIGSEGV, Segmentation fault.\n#0  brpc::policy::ProcessHttpResponse (msg=0x55555556df10) at brpc_reenact.cpp:31\n#1  0x0000555555555a0f in brpc::InputMessenger::OnNewMessages (m=0x55555555b0d0 <main::sock>) at brpc_reenact.cpp:38\n`;
    const out = renderText(analyze(text, { rules }), { chalk, width: 80 });
    const flat = unwrap(out);
    expect(flat).toContain(`line 1: ${LONG}`);
    expect(flat).toMatch(/line 2: E1125 .*Got EOF of Socket/);
    expect(flat).toMatch(/frame: #0 {2}brpc::policy::ProcessHttpResponse \(msg=0x55555556df10\) at brpc_reenact\.cpp:31\n\s+the crash happened in brpc::policy::ProcessHttpResponse/);
    // Wrapped at spaces only: every word of the log line is a whole word of the output.
    const tokens = new Set(out.split(/\s+/));
    for (const w of LONG.split(' ')) expect(tokens.has(w), w).toBe(true);
    expect(out).not.toMatch(/\.\.\. \(the connection/);
  });

  it('prints the source line the debugger showed at the crash', () => {
    const result = analyze('Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000555555555145 in apply_config (cfg=0x0) at null_deref.c:8\n', { rules });
    result.reports[0]!.threads[0]!.frames[0]!.source = '  cfg->port = 8080; /* cfg is NULL */';
    expect(renderText(result, { chalk, width: 100 })).toContain('  Source:    null_deref.c:8: cfg->port = 8080; /* cfg is NULL */');
  });

  it('--explain: evidence weights of the rules that fired, no rule that matched only the signal', () => {
    const report = analyze('Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000555555555145 in apply_config (cfg=0x0) at null_deref.c:8\n', { rules });
    const out = unwrap(renderText(report, { chalk, width: 160, explain: (r) => rules.explain(r) }));
    expect(out).toMatch(/fired generic\/null-argument base confidence 0\.60/);
    expect(out).toMatch(/\+0\.10 evidence: the null argument is `this`|0\.10 evidence: the null argument is `this`/);
    expect(out).not.toMatch(/brpc\/bthread-stack-overflow/);
    expect(out).not.toMatch(/boost-asio\/handler-after-owner-destroyed/);
  });

  it('folds generic classifications of the class already named into one line', () => {
    const text = 'Program terminated with signal SIGSEGV, Segmentation fault.\n#0  0x0000555555555145 in apply_config (cfg=0x0) at null_deref.c:8\n#1  0x0000555555555189 in load_config (path=0x555555556010 "server.conf") at null_deref.c:14\n        cfg = 0x0\n$1 = {si_addr = 0x0, _addr_lsb = 0, _addr_bnd = {_lower = 0x0, _upper = 0x0}}\n';
    const out = unwrap(renderText(analyze(text, { rules }), { chalk, width: 160 }));
    expect(out).toMatch(/- the same class by other evidence: generic\/null-argument \(0\.60\), generic\/null-in-caller \(0\.45\)/);
    expect(out).toMatch(/- Invalid memory access \(segmentation fault\) \[generic\/invalid-memory-access, other/);
  });
});
