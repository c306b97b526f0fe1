// A scan worker as a process (see threads.ts for why processes): Node's child process behind the
// few calls parallel.ts makes of a worker thread. Its setup is its first message; its messages are
// structured clones, as a thread's are ('advanced' serialization). Its stderr is read, not shown: a
// worker that dies says why in the scan's one-line error, not with its own stack on the terminal.

import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';

/** How a worker process that could not start says why, on its stderr (process-port.ts writes it). */
export const STARTING_FAILED = 'coredx scan worker could not start: ';

/** What parallel.ts uses of a scan worker, a thread's or a process's. */
export interface LaneWorker {
  /** Batches are taken through shared memory (a thread) or handed over by message (a process). */
  readonly sharesMemory: boolean;
  postMessage(message: unknown): void;
  // A thread's and a process's messages are what parallel.ts says they are (WorkerMessage).
  on(event: 'message', listener: (message: any) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'exit', listener: (code: number) => void): this;
  ref(): void;
  unref(): void;
  terminate(): Promise<unknown>;
}

const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGKILL: 137, SIGSEGV: 139, SIGTERM: 143 };

export class ProcessLane extends EventEmitter implements LaneWorker {
  readonly sharesMemory = false;
  private readonly child: ChildProcess;
  private stderrTail = '';
  private stopping = false;
  private readonly exited: Promise<void>;

  /** `setup`: the worker's first message (threads.ts' WorkerSetup). */
  constructor(script: string, args: string[], setup: object) {
    super();
    // No inherited flags: a bench's `--input-type=module -e ...` or a user's inspector are the
    // scan's, not its workers'.
    this.child = fork(script, args, { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const stderr = this.child.stderr!;
    stderr.setEncoding('utf8');
    stderr.on('data', (d: string) => (this.stderrTail = (this.stderrTail + d).slice(-4000)));
    const stderrClosed = new Promise<void>((resolve) => stderr.once('close', resolve));
    this.child.on('message', (m) => this.emit('message', m));
    this.child.on('error', (e) => this.emit('error', e));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        const status = code ?? (signal ? (SIGNAL_EXIT[signal] ?? 128) : 1);
        if (status === 0 || this.stopping) return resolve(), void this.emit('exit', status);
        // Why it died (Node's last words), once its stderr is read to the end.
        void stderrClosed.then(() => {
          const why = lastLine(this.stderrTail);
          this.emit('error', new Error(`scan worker process exited (${signal ?? `code ${code}`})${why ? `: ${why}` : ''}`));
          this.emit('exit', status);
          resolve();
        });
      });
    });
    this.child.send(setup);
  }

  postMessage(message: unknown): void {
    if (this.child.connected) this.child.send(message as object);
  }

  ref(): void {
    this.child.ref();
    this.child.channel?.ref();
    (this.child.stderr as { ref?: () => void } | null)?.ref?.();
  }

  unref(): void {
    this.child.unref();
    this.child.channel?.unref();
    (this.child.stderr as { unref?: () => void } | null)?.unref?.();
  }

  /**
   * Ends the process: its channel closed, it exits (a debugger it runs killed first); SIGKILL if it
   * has not after KILL_AFTER_MS.
   */
  terminate(): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      if (this.child.connected) this.child.disconnect();
      else this.child.kill('SIGTERM');
      const kill = setTimeout(() => this.child.kill('SIGKILL'), KILL_AFTER_MS);
      kill.unref();
      void this.exited.then(() => clearTimeout(kill));
    }
    return this.exited;
  }
}

/** How long a worker process gets to end after its channel closed (a debugger's group is given 2 s). */
const KILL_AFTER_MS = 5000;

/** Why a worker process died: what it said when it could not start, else its last words but Node's version line. */
function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim());
  const said = lines.find((l) => l.startsWith(STARTING_FAILED));
  if (said) return said.slice(STARTING_FAILED.length).slice(0, 300);
  return lines.filter((l) => l && !l.startsWith('at ') && !/^Node\.js v\d/.test(l)).pop()?.slice(0, 300) ?? '';
}
