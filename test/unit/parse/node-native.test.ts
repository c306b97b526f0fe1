// Node.js's fatal-error dumps: V8's FATAL ERROR and node's assertion, with the native stack node prints.
import { describe, expect, it } from 'vitest';
import { nodeNativeParser } from '../../../src/parse/node-native.js';
import { analyze } from '../../../src/pipeline.js';
import { lines, parseOne } from './feed.js';

describe('node-native parser', () => {
  it("reads V8's FATAL ERROR and node 20's native stack: frames, modules, unnamed frames", () => {
    const t = parseOne(nodeNativeParser, lines(
      'FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal',
      '----- Native stack trace -----',
      '',
      ' 1: 0xb8b1a0 node::OnFatalError(char const*, char const*) [node]',
      ' 2: 0xf5e2d0 v8::Utils::ReportApiFailure(char const*, char const*) [node]',
      ' 3: 0x7f61a82c41b3 tilecat::Reader::Open(Napi::CallbackInfo const&) [/home/dev/m/node_modules/tilecat/build/Release/tilecat.node]',
      ' 4: 0xb3a5d1  [node]',
      '',
      '----- JavaScript stack trace -----',
      '',
      '1: open (/home/dev/m/src/tiles.js:41:18)',
    ));
    expect([t.format, t.signal, t.signalDescription]).toEqual(['node', 'SIGABRT', 'FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal']);
    expect(t.threads[0]!.frames.map((f) => [f.rawFunction, f.module, f.address])).toEqual([
      ['node::OnFatalError(char const*, char const*)', 'node', '0xb8b1a0'],
      ['v8::Utils::ReportApiFailure(char const*, char const*)', 'node', '0xf5e2d0'],
      ['tilecat::Reader::Open(Napi::CallbackInfo const&)', '/home/dev/m/node_modules/tilecat/build/Release/tilecat.node', '0x7f61a82c41b3'],
      ['??', 'node', '0xb3a5d1'],
    ]);
  });

  it("blames the addon below node's fatal-error machinery; the JavaScript stack is no frame", () => {
    const r = analyze(lines(
      'FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal.',
      ' 1: 0x95bf28 node::Abort() [node]',
      ' 2: 0x95cd73 node::OnFatalError(char const*, char const*) [node]',
      ' 3: 0xb179ad v8::Utils::ReportApiFailure(char const*, char const*) [node]',
      ' 4: 0x7f3d2c0a17f2 mongo::Payload::detect(v8::Local<v8::Object>) [/home/dev/app/node_modules/mongo/build/Release/mongo.node]',
      'Aborted',
    )).reports;
    expect(r).toHaveLength(1);
    expect(r[0]!.signatureFrames[0]).toBe('mongo::Payload::detect');
    expect(r[0]!.abortMessage).toBe('FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal.');
  });

  it("reads node's assertion header (its program and message) and Windows frames without addresses after the native-stack header", () => {
    const t = parseOne(nodeNativeParser, lines(
      "node[88213]: ../src/node_buffer.cc:254:char* node::Buffer::Data(v8::Local<v8::Value>): Assertion `val->IsArrayBufferView()' failed.",
      '----- Native stack trace -----',
      ' 1: node_module_register+2032',
      ' 2: 00007FF6A1B2C3D4 node::Buffer::Data+77',
    ));
    expect([t.program, t.signalDescription]).toEqual(['node', "../src/node_buffer.cc:254:char* node::Buffer::Data(v8::Local<v8::Value>): Assertion `val->IsArrayBufferView()' failed."]);
    expect(t.threads[0]!.frames.map((f) => [f.rawFunction, f.address])).toEqual([['node_module_register', null], ['node::Buffer::Data', '0x00007ff6a1b2c3d4']]);
  });

  it('reads the assertion of a Windows node whose path holds spaces', () => {
    const r = analyze(lines(
      "C:\\Program Files\\nodejs\\node.exe[21344]: c:\\ws\\src\\node_buffer.cc:254: Assertion `val->IsArrayBufferView()' failed.",
      ' 1: 00007FF6A1B2C3D4 node::Buffer::Data+77',
      ' 2: 00007FFB1C2D1E20 zlibx::Deflate::Write+112',
    )).reports[0]!;
    expect([r.format, r.program, r.signatureFrames[0], r.diagnoses[0]?.category]).toEqual(['node', 'C:\\Program Files\\nodejs\\node.exe', 'node::Buffer::Data', 'assertion']);
  });

  it("an application's FATAL ERROR with a numbered list (no address, no module, no native-stack header) is no trace", () => {
    const text = lines('FATAL ERROR: 2 migrations failed', ' 1: create_users', ' 2: add_index_orders', '');
    expect(analyze(text).reports.filter((r) => r.format === 'node')).toEqual([]);
    // The same frames after node's header are Windows frames.
    const t = parseOne(nodeNativeParser, lines('FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal', '----- Native stack trace -----', ' 1: node_module_register', ' 2: v8::Utils::ReportApiFailure'));
    expect(t.threads[0]!.frames.map((f) => f.rawFunction)).toEqual(['node_module_register', 'v8::Utils::ReportApiFailure']);
  });

  it('a FATAL ERROR line without a native stack is no trace', () => {
    expect(analyze('FATAL ERROR: something odd\nthe end\n').reports.filter((r) => r.format === 'node')).toEqual([]);
  });
});
