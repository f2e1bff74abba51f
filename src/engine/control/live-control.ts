/**
 * The run's live files in its run directory (see store/live/live-files.ts): keeps the status
 * snapshot fresh (on each state change, and every `refreshMs` while the run is live) and picks
 * up the operator's commands, applies them through the run's own pause, resume and stop, logs
 * and acknowledges them.
 *
 * Commands arrive as files in the run directory (`command-<id>.json`). The directory is watched
 * (`fs.watch`, so a command is usually picked up at once) and also polled every `pollMs` of real
 * time: `fs.watch` misses events on some file systems (NFS, some containers), and the
 * poll bounds the pickup whatever the file system does. A file, rather than a local socket,
 * because it needs no listener to clean up after a crash, works the same for a run directory
 * on a shared volume, and leaves a trace an operator can read with `ls`.
 */
import { watch, type FSWatcher } from 'node:fs';
import { hostname } from 'node:os';
import type { Clock } from '../../util/clock.js';
import { realInterval, realMonotonicNow } from '../../util/real-time.js';
import { RunFailedError } from '../../util/errors.js';
import { reasonOf } from '../../util/reason.js';
import { acknowledge, appendControlLog, isCommandFile, pendingCommands, writeLiveSnapshot, type LiveAck, type LiveCommand } from '../../store/live/live-files.js';
import type { ControlRequest, RunState } from '../state-machine.js';
import type { RunStatus, RunSummary, StopOptions } from '../status.js';

/** What the live control needs of its run. */
export interface LiveControlRun {
  readonly state: RunState;
  readonly name: string | undefined;
  status(): RunStatus;
  pause(request: ControlRequest): void;
  resume(request: ControlRequest): Date;
  stop(options: StopOptions): Promise<RunSummary>;
  fail(error: RunFailedError): void;
  /** Why a resumption is refused now (an institution-wide pause holds), if it is. */
  resumeRefused(): string | undefined;
}

/** Timings of the live control, in ms. */
export interface LiveControlTimings {
  readonly refreshMs: number;
  readonly pollMs: number;
}

/** The snapshot's period while the run waits for its window. */
const IDLE_REFRESH_MS = 30_000;

const LIVE: ReadonlySet<RunState> = new Set(['running', 'waiting', 'paused', 'draining']);

/** The live files of one run. */
export class LiveControl {
  readonly #host = hostname();
  #cancelTimer: (() => void) | undefined;
  #watcher: FSWatcher | undefined;
  #writing: Promise<void> | undefined;
  #dirty = false;
  #checking: Promise<void> | undefined;
  #checkAgain = false;
  #closed = false;
  /** Real time (ms) of the last snapshot written. */
  #lastWriteReal = Number.NEGATIVE_INFINITY;

  /**
   * @param realNow a monotonic real-time source. The poll and the refresh run on a real timer
   * (util/real-time.ts): commands and operators live in real time, and under a fake clock that
   * runs a night in seconds the run must not look for commands 100,000 times. The run's clock
   * stamps the snapshot and the acknowledgements; a state change is written at once.
   */
  constructor(
    private readonly dir: string,
    private readonly clock: Clock,
    private readonly run: LiveControlRun,
    private readonly timings: LiveControlTimings,
    private readonly realNow: () => number = realMonotonicNow,
  ) {}

  /** Writes the first snapshot, starts watching and polling. */
  async open(): Promise<void> {
    await this.writeNow();
    if (this.#closed) return;
    try {
      this.#watcher = watch(this.dir, { persistent: false }, (_event, name) => {
        if (name === null || isCommandFile(String(name))) this.check();
      });
      this.#watcher.on('error', () => this.#watcher?.close()); // the poll still picks commands up
    } catch {
      this.#watcher = undefined; // no watching here (some file systems): the poll alone bounds the pickup
    }
    this.arm();
    this.check(); // commands written before the run started
  }

  /** The run's state changed: write the snapshot (at once, or after the write under way). */
  changed(): void {
    if (!this.#closed) this.write();
  }

  /** Stops watching and polling, writes the final snapshot; resolves once it is on disk. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#watcher?.close();
    this.#watcher = undefined;
    await this.#checking;
    await this.#writing;
    await this.writeNow();
  }

  private arm(): void {
    this.#cancelTimer = realInterval(() => {
      if (this.#closed) return;
      if (this.realNow() - this.#lastWriteReal >= this.refreshMs()) this.write();
      this.check();
    }, this.timings.pollMs);
  }

  private write(): void {
    if (this.#writing !== undefined) {
      this.#dirty = true;
      return;
    }
    this.#writing = this.writeNow().then(
      () => {
        this.#writing = undefined;
        if (this.#dirty && !this.#closed) {
          this.#dirty = false;
          this.write();
        }
      },
      (error: unknown) => {
        this.#writing = undefined;
        this.run.fail(new RunFailedError('CONTROL_FAILED', `The live status could not be written in ${this.dir}: ${reasonOf(error)}`, { cause: error }));
      },
    );
  }

  private async writeNow(): Promise<void> {
    const now = this.clock.now();
    this.#lastWriteReal = this.realNow();
    const name = this.run.name;
    await writeLiveSnapshot(this.dir, { host: this.#host, pid: process.pid, writtenAt: now, refreshMs: this.refreshMs(), ...(name === undefined ? {} : { name }), status: this.run.status() });
  }

  /** The snapshot's period: `refreshMs`, but 30 s while the run waits for its window (for hours, nothing moving). */
  private refreshMs(): number {
    return this.run.state === 'waiting' ? Math.max(this.timings.refreshMs, IDLE_REFRESH_MS) : this.timings.refreshMs;
  }

  /** Looks for commands (once more after the look under way, if one is). */
  private check(): void {
    if (this.#closed) return;
    if (this.#checking !== undefined) {
      this.#checkAgain = true;
      return;
    }
    this.#checking = this.takeCommands().then(
      () => {
        this.#checking = undefined;
        if (this.#checkAgain) {
          this.#checkAgain = false;
          this.check();
        }
      },
      (error: unknown) => {
        this.#checking = undefined;
        this.run.fail(new RunFailedError('CONTROL_FAILED', `The commands in ${this.dir} could not be read: ${reasonOf(error)}`, { cause: error }));
      },
    );
  }

  private async takeCommands(): Promise<void> {
    for (const found of await pendingCommands(this.dir)) {
      if (this.#closed) return;
      const now = this.clock.now();
      const { ok, message, resumesAt } = found.command === undefined ? { ok: false, message: `the command file cannot be read: ${found.problem ?? 'unknown'}`, resumesAt: undefined } : applyCommand(this.run, found.command, now);
      await appendControlLog(this.dir, {
        at: new Date(now).toISOString(),
        asked: new Date(found.command?.at ?? now).toISOString(),
        id: found.id,
        command: found.command?.command ?? 'unreadable',
        origin: 'command',
        ...(found.command?.reason === undefined ? {} : { reason: found.command.reason }),
        from: found.command === undefined ? 'unknown' : `${found.command.host} pid ${found.command.pid}`,
        ok,
        outcome: message,
      });
      const ack: LiveAck = { id: found.id, ok, state: this.run.state, message, at: now, ...(resumesAt === undefined ? {} : { resumesAt }) };
      await acknowledge(this.dir, ack);
      this.write();
    }
  }

}

/** Applies a command to a run: what the acknowledgement says. Pure but for the run's own methods. */
export function applyCommand(run: LiveControlRun, command: Pick<LiveCommand, 'command' | 'reason' | 'abort'>, now: number): { ok: boolean; message: string; resumesAt?: number } {
  const state = run.state;
  if (!LIVE.has(state)) return { ok: false, message: `the run is ${state}: nothing to ${command.command}` };
  const request = { origin: 'command', reason: command.reason } as const;
  try {
    switch (command.command) {
      case 'pause': {
        const was = state;
        run.pause(request);
        return { ok: true, message: was === 'paused' ? 'the run was already paused; it stays paused (a scheduled resumption, if any, is cancelled)' : 'paused: no new calls; calls in flight finish' };
      }
      case 'resume': {
        const refused = run.resumeRefused();
        if (refused !== undefined) return { ok: false, message: refused };
        const at = run.resume(request).getTime();
        const message = at > now ? `resumes at ${new Date(at).toISOString()} (${run.state === 'paused' ? 'the minimum pause after an interruption' : 'the next window'})` : 'resumed';
        return { ok: true, message, resumesAt: at };
      }
      case 'stop': {
        void run.stop({ inFlight: command.abort === true ? 'abort' : 'wait', ...request });
        return { ok: true, message: command.abort === true ? 'stopping: calls in flight are aborted (their items stay unfinished)' : 'stopping: no new calls; calls in flight finish, then the run ends' };
      }
    }
  } catch (error) {
    return { ok: false, message: reasonOf(error) };
  }
}
