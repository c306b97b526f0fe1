// Lua's error path in a native stack (class: an unprotected Lua error aborts through lauxlib's
// panic function): the raising API call and the error machinery are skipped, the C caller signs;
// the VM's own frames and a binding's lua_* functions are not machinery.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/pipeline.js';

const gdb = (frames: string[]) =>
  analyze(['Program terminated with signal SIGABRT, Aborted.', ...frames.map((f, i) => `#${i}  0x00005600000010${i}0 in ${f}`)].join('\n')).reports[0]!;

describe("Lua's error path", () => {
  it('an unprotected error is blamed on the C code that called the API', () => {
    const r = gdb([
      'panic (L=0x1) at lauxlib.c:1009',
      'luaD_throw (L=0x1, errcode=2) at ldo.c:131',
      'luaG_errormsg (L=0x1) at ldebug.c:818',
      'luaG_typeerror (L=0x1, o=<optimized out>, op=0x2 "index") at ldebug.c:682',
      'luaV_finishget (L=0x1, t=<optimized out>, key=<optimized out>, val=<optimized out>, slot=0x0) at lvm.c:305',
      'lua_getfield (L=0x1, idx=-1, k=0x3 "port") at lapi.c:662',
      'Server::load_config (this=0x4, L=0x1) at src/server.cpp:142',
      'main (argc=3, argv=0x5) at src/main.cpp:31',
    ]);
    expect(r.signatureFrames[0]).toBe('Server::load_config');
  });

  it("the VM's own frames and a binding's lua_* function still sign", () => {
    expect(gdb(['luaV_execute (L=0x1, ci=0x2) at lvm.c:1130', 'luaD_call (L=0x1) at ldo.c:610', 'main () at m.c:3']).signatureFrames[0]).toBe('luaV_execute');
    expect(gdb(['lua_widget_resize (L=0x1) at src/bindings.c:88', 'main () at m.c:3']).signatureFrames[0]).toBe('lua_widget_resize');
  });
});
