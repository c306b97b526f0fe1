# coredx inside lldb: a `coredx` command that analyzes the process or core being debugged.
#
# Set up once:   coredx debugger-setup lldb >> ~/.lldbinit
#   (the line is `command script import /path/to/coredx/debugger/coredx_lldb.py`)
# Then, stopped at a crash (live or on a core):
#   (lldb) coredx              the diagnosis, as `coredx analyze` prints it
#   (lldb) coredx --json       the report as JSON (`coredx analyze --format json`)
#   (lldb) coredx --explain    and which rules came closest
#   (lldb) coredx --raw        only what would be analyzed (the session text), without analyzing it
#
# What is analyzed is what a pasted lldb session would hold: the loaded images (`image list -f`),
# every thread with its stop reason (`thread list`) and every thread's stack (`bt all`). lldb 14
# does not show a core's fault address; on Linux it is read from the core's NT_SIGINFO note and
# written into the crashed thread's stop reason as newer lldb prints it ("signal SIGSEGV: address
# not mapped to object (fault address: 0x0)"). The text is piped to
# `node <package>/bin/coredx.js analyze`; node is $COREDX_NODE, else the `node` on PATH.
#
# The debugger's state is left as it was: the selected thread and every thread's selected frame
# are restored.

import os
import re
import shlex
import shutil
import signal as signal_module
import struct
import subprocess

import lldb

DIR = os.path.dirname(os.path.realpath(__file__))
BIN = os.path.join(os.path.dirname(DIR), "bin", "coredx.js")
ANALYZE_TIMEOUT = 300
# Signals a debugger stop may carry without the program having crashed.
STOP_SIGNALS = ("SIGSTOP", "SIGTRAP", "SIGINT", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGCONT", "SIGCHLD", "SIGWINCH", "SIGPROF", "SIGALRM", "SIGVTALRM", "SIGPIPE", "SIGUSR1", "SIGUSR2", "SIGURG", "SIGIO")
USAGE = (
    "usage: coredx [--json] [--explain] [--all-threads] [--rules DIR]... [--no-builtin] [--color|--no-color] [--raw]\n"
    "Analyzes the process or core being debugged with coredx and prints the diagnosis.\n"
    "  --json          the report as JSON (coredx analyze --format json)\n"
    "  --explain       also which rules came closest, and which of their conditions held\n"
    "  --all-threads   text output: every thread, not only the crashing one\n"
    "  --rules DIR     add a rule directory (repeatable); --no-builtin drops the bundled packs\n"
    "  --raw           print what would be analyzed (the session text) instead of analyzing it\n"
)


class CoredxError(Exception):
    pass


def parse_args(command):
    try:
        words = shlex.split(command)
    except ValueError as err:
        raise CoredxError("coredx: %s\n%s" % (err, USAGE))
    opts = {"json": False, "raw": False, "help": False, "analyze": []}
    i = 0
    while i < len(words):
        w = words[i]
        if w == "--json":
            opts["json"] = True
        elif w == "--raw":
            opts["raw"] = True
        elif w in ("-h", "--help"):
            opts["help"] = True
        elif w in ("--explain", "--all-threads", "-a", "--no-builtin", "--color", "--no-color"):
            opts["analyze"].append(w)
        elif w in ("--rules", "-r"):
            if i + 1 >= len(words):
                raise CoredxError("coredx: --rules needs a directory\n" + USAGE)
            opts["analyze"] += ["--rules", words[i + 1]]
            i += 1
        elif w.startswith("--rules="):
            opts["analyze"].append(w)
        else:
            raise CoredxError("coredx: unknown argument %r\n%s" % (w, USAGE))
        i += 1
    return opts


# ---- the stop ----


def signal_name(number):
    try:
        return signal_module.Signals(number).name
    except ValueError:
        return str(number)


def thread_signal(thread):
    """The signal that stopped the thread, by name, or None."""
    if thread.GetStopReason() == lldb.eStopReasonSignal and thread.GetStopReasonDataCount() > 0:
        number = thread.GetStopReasonDataAtIndex(0)
        return signal_name(number) if number > 0 else None
    return None


def crashed_thread(process, selected):
    """The thread that crashed (a fatal signal or an exception), preferring the selected one."""

    def crashed(t):
        if t.GetStopReason() == lldb.eStopReasonException:
            return True
        name = thread_signal(t)
        return name is not None and name not in STOP_SIGNALS

    if selected.IsValid() and crashed(selected):
        return selected
    for t in process:
        if crashed(t):
            return t
    return None


# ---- a core's NT_SIGINFO (lldb 14 does not show the fault address of a core) ----

NT_PRSTATUS, NT_PRPSINFO, NT_SIGINFO = 1, 3, 0x53494749


def core_notes(path):
    """The notes of an x86-64/AArch64 little-endian ELF64 core: [(type, desc bytes)], or None."""
    with open(path, "rb") as f:
        head = f.read(64)
        if len(head) < 64 or head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
            return None
        if struct.unpack_from("<H", head, 16)[0] != 4:  # ET_CORE
            return None
        phoff, = struct.unpack_from("<Q", head, 32)
        phentsize, phnum = struct.unpack_from("<HH", head, 54)
        notes = []
        for i in range(min(phnum, 4096)):
            f.seek(phoff + i * phentsize)
            ph = f.read(56)
            if len(ph) < 56:
                break
            p_type, = struct.unpack_from("<I", ph, 0)
            if p_type != 4:  # PT_NOTE
                continue
            offset, = struct.unpack_from("<Q", ph, 8)
            size, = struct.unpack_from("<Q", ph, 32)
            f.seek(offset)
            data = f.read(min(size, 64 << 20))
            pos = 0
            while pos + 12 <= len(data):
                namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
                pos += 12 + ((namesz + 3) & ~3)
                notes.append((ntype, data[pos : pos + descsz]))
                pos += (descsz + 3) & ~3
        return notes


def mapped_cores():
    """Files this lldb maps from offset 0 (lldb maps the core it reads): Linux only."""
    paths = []
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                fields = line.split(None, 5)
                if len(fields) == 6 and int(fields[2], 16) == 0 and fields[5].startswith("/"):
                    path = fields[5].rstrip("\n")
                    if path.endswith(" (deleted)"):
                        continue
                    if path not in paths:
                        paths.append(path)
    except (OSError, ValueError):
        return []
    return paths


def process_core(process):
    """(path, notes) of the core this process was loaded from: the mapped core holding its pid."""
    pid = process.GetProcessID()
    for path in mapped_cores():
        try:
            notes = core_notes(path)
        except OSError:
            continue
        if not notes:
            continue
        pids = set()
        for ntype, desc in notes:
            if ntype == NT_PRSTATUS and len(desc) >= 36:
                pids.add(struct.unpack_from("<i", desc, 32)[0])
            elif ntype == NT_PRPSINFO and len(desc) >= 28:
                pids.add(struct.unpack_from("<i", desc, 24)[0])
        if pid in pids:
            return path, notes
    return None, None


def core_path(process):
    return process_core(process)[0]


def core_siginfo(process):
    """(signo, si_code, si_addr) from the NT_SIGINFO of the core this process was loaded from."""
    for ntype, desc in process_core(process)[1] or []:
        if ntype == NT_SIGINFO and len(desc) >= 24:
            signo, _errno, code = struct.unpack_from("<iii", desc, 0)
            addr, = struct.unpack_from("<Q", desc, 16)
            return signo, code, addr
    return None


SEGV_CODES = {1: "address not mapped to object", 2: "invalid permissions for mapped object"}
BUS_CODES = {1: "illegal alignment", 2: "nonexistent physical address", 3: "object-specific hardware error"}
FAULT_SIGNALS = {"SIGSEGV": SEGV_CODES, "SIGBUS": BUS_CODES, "SIGILL": {}, "SIGFPE": {}}


def core_stop_reason(process, thread):
    """The crashed thread's stop reason with its fault address, as newer lldb prints it for a core."""
    name = thread_signal(thread)
    if name not in FAULT_SIGNALS:
        return None
    info = core_siginfo(process)
    if info is None or signal_name(info[0]) != name or info[1] <= 0:
        return None
    description = FAULT_SIGNALS[name].get(info[1], "invalid address" if name in ("SIGSEGV", "SIGBUS") else "fault")
    return "signal %s: %s (fault address: 0x%x)" % (name, description, info[2])


# ---- the session text ----


def quote(path):
    return path.replace("\\", "\\\\").replace('"', '\\"')


def run_command(debugger, command):
    ret = lldb.SBCommandReturnObject()
    debugger.GetCommandInterpreter().HandleCommand(command, ret)
    return ret.GetOutput() or ""


def collect(debugger):
    target = debugger.GetSelectedTarget()
    process = target.GetProcess() if target.IsValid() else None
    if process is None or not process.IsValid() or process.GetNumThreads() == 0:
        raise CoredxError("coredx: no process or core to analyze: run the program until it crashes, or open a core (lldb PROGRAM -c CORE)")
    if process.GetState() not in (lldb.eStateStopped, lldb.eStateCrashed, lldb.eStateSuspended):
        raise CoredxError("coredx: the process is not stopped (%s): interrupt it first" % lldb.SBDebugger.StateAsCString(process.GetState()))
    selected = process.GetSelectedThread()
    selected_id = selected.GetIndexID() if selected.IsValid() else None
    frames = {t.GetIndexID(): t.GetSelectedFrame().GetFrameID() for t in process}
    try:
        return session_text(debugger, process, selected)
    finally:
        for t in process:
            frame = frames.get(t.GetIndexID())
            if frame is not None and t.GetSelectedFrame().GetFrameID() != frame:
                t.SetSelectedFrame(frame)
        if selected_id is not None and process.GetSelectedThread().GetIndexID() != selected_id:
            process.SetSelectedThreadByIndexID(selected_id)


def session_text(debugger, process, selected):
    parts = []
    images = run_command(debugger, "image list -f").rstrip("\n")
    if images:
        parts.append(images)
    crashed = crashed_thread(process, selected)
    reason = None
    if crashed is not None and process.GetPluginName() == "elf-core":
        reason = core_stop_reason(process, crashed)
    executable = process.GetTarget().GetExecutable()
    if executable.IsValid() and executable.fullpath:
        # The command a pasted session starts with: it names the program.
        core = core_path(process) if process.GetPluginName() == "elf-core" else None
        parts.append('(lldb) target create "%s"%s' % (quote(executable.fullpath), ' --core "%s"' % quote(core) if core else ""))
    threads = run_command(debugger, "thread list").rstrip("\n")
    stacks = run_command(debugger, "bt all").rstrip("\n")
    if crashed is not None:
        threads = as_at_stop(threads, crashed, reason)
        stacks = as_at_stop(stacks, crashed, reason)
    parts += [threads, stacks]
    return "\n".join(p for p in parts if p) + "\n"


THREAD_LINE = re.compile(r"^(?:\* |  )(thread #(\d+)\b.*?)(, stop reason = signal \w+)?$")


def as_at_stop(text, crashed, reason):
    """`thread list` / `bt all` as lldb prints them right after the stop: the crashed thread marked
    selected ("* thread #N", whichever thread is selected now: the selection is not touched), and
    on a core its stop reason with the fault address."""
    crashed_id = crashed.GetIndexID()
    lines = []
    for line in text.split("\n"):
        m = THREAD_LINE.match(line)
        if m:
            mine = int(m.group(2)) == crashed_id
            stop = m.group(3) or ""
            if mine and reason is not None and stop:
                stop = ", stop reason = " + reason
            line = ("* " if mine else "  ") + m.group(1) + stop
        lines.append(line)
    return "\n".join(lines)


# ---- the analyzer ----


def find_node():
    node = os.environ.get("COREDX_NODE")
    if node:
        return node
    node = shutil.which("node")
    if node:
        return node
    raise CoredxError("coredx: node not found: put Node.js 20 or later on PATH, or set COREDX_NODE to its path")


def analyze(debugger, text, opts):
    if not os.path.isfile(BIN):
        raise CoredxError("coredx: %s is missing: this module must stay in the coredx package's debugger/ folder" % BIN)
    args = [find_node(), BIN, "analyze"]
    if opts["json"]:
        args += ["--format", "json"]
    flags = opts["analyze"]
    if not opts["json"] and "--color" not in flags and "--no-color" not in flags:
        args.append("--color" if debugger.GetUseColor() else "--no-color")
    args += flags
    env = dict(os.environ)
    width = debugger.GetTerminalWidth()
    if width:
        env["COLUMNS"] = str(width)
    try:
        run = subprocess.run(args, input=text.encode("utf-8"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=ANALYZE_TIMEOUT)
    except OSError as err:
        raise CoredxError("coredx: cannot run %s: %s (set COREDX_NODE to Node.js 20 or later)" % (args[0], err))
    except subprocess.TimeoutExpired:
        raise CoredxError("coredx: the analyzer did not finish within %d s" % ANALYZE_TIMEOUT)
    return run.returncode, run.stdout.decode("utf-8", "replace"), run.stderr.decode("utf-8", "replace")


def coredx_command(debugger, command, result, internal_dict):
    """Analyze the crash being debugged with coredx.
Usage: coredx [--json] [--explain] [--all-threads] [--rules DIR]... [--no-builtin] [--color|--no-color] [--raw]

Collects every thread with its stop reason and stack (thread list, bt all) and the loaded
images (image list), runs `coredx analyze` on them and prints the diagnosis. --json prints the
report as JSON, --explain which rules came closest, --raw only the collected text. The selected
thread and frames are left as they were."""
    try:
        opts = parse_args(command)
        if opts["help"]:
            result.PutCString(USAGE.rstrip("\n"))
            return
        text = collect(debugger)
        if opts["raw"]:
            result.PutCString(text.rstrip("\n"))
            return
        code, out, err = analyze(debugger, text, opts)
        if out:
            result.PutCString(out.rstrip("\n"))
        if code != 0:
            result.SetError(err.rstrip("\n") or "coredx: the analyzer exited with status %s" % code)
        elif err:
            result.PutCString(err.rstrip("\n"))
    except CoredxError as err:
        result.SetError(str(err))


def __lldb_init_module(debugger, internal_dict):
    # --overwrite: importing the module again (a second init line, `command script import` by hand)
    # replaces the command; lldb before 14 does not know the option.
    add = "command script add -f %s.coredx_command coredx" % __name__
    ret = lldb.SBCommandReturnObject()
    debugger.GetCommandInterpreter().HandleCommand(add.replace("add ", "add --overwrite ", 1), ret)
    if not ret.Succeeded():
        debugger.HandleCommand(add)
