/**
 * The night operator's commands on a live run: `bcss-bulk status DIR`, `bcss-bulk pause DIR`,
 * `bcss-bulk resume DIR`, `bcss-bulk stop DIR` (through the run directory's live files, see
 * store/live/live-files.ts), and their institution-wide forms with `--redis URL --namespace NS`
 * (see institution-command.ts). Exit codes: 0 acknowledged (status: printed), 1 no live run, a
 * stale or damaged snapshot, a refused or unacknowledged command (nothing changed), 2 wrong usage.
 */
import { parseArgs } from 'node:util';
import { BcssBulkError } from '../util/errors.js';
import { newCommandId, readLiveSnapshot, staleness, takeAck, withdrawCommand, writeCommand, type CommandName, type LiveAck, type LiveSnapshot } from '../store/live/live-files.js';
import { formatStatus, statusJson } from './control-format.js';
import { institutionCommand } from './institution-command.js';
import { ControlUsageError, realWorld, type ControlOutput, type ControlWorld } from './control-io.js';

export type { ControlOutput, ControlWorld } from './control-io.js';

/** The usage of the operator's commands. */
export const CONTROL_USAGE = `  bcss-bulk status DIR [--json]
      Where the live run of the run directory DIR stands: state (and why, by whom, since when),
      items read and finished, in flight / cap / queued / retrying per source, rate, time left,
      host and pid. Says STALE (exit 1) when the process that wrote it is gone.
  bcss-bulk pause DIR [--reason TEXT]
      Pauses the live run of DIR: no new calls (within 2 s), calls in flight finish.
  bcss-bulk resume DIR [--reason TEXT]
      Resumes it, no earlier than the minimum pause after the pause: says when it resumes.
  bcss-bulk stop DIR [--abort] [--reason TEXT]
      Stops it: no new calls, calls in flight finish (--abort: aborted), checkpoint written; the
      process ends. Started again on DIR, the batch goes on where it stopped.
      pause, resume and stop exit 0 once the run acknowledged the command (waits --wait-ms, 10000).
  bcss-bulk status --redis URL --namespace NS [--json]
      The live runs of the institution (shared mode): host, pid, state, in flight per source.
  bcss-bulk pause|resume --redis URL --namespace NS [--source NAME] [--reason TEXT]
      Pauses (resumes) every run of the namespace on every host (or only the calls of one
      source), within 2 s; runs started meanwhile wait. See docs/operating.md.
`;

/** The commands of this file. */
export const CONTROL_COMMANDS: ReadonlySet<string> = new Set(['status', 'pause', 'resume', 'stop']);

const OPTIONS = {
  json: { type: 'boolean' },
  reason: { type: 'string' },
  abort: { type: 'boolean' },
  'wait-ms': { type: 'string' },
  redis: { type: 'string' },
  namespace: { type: 'string' },
  source: { type: 'string' },
} as const;

/** Runs `status|pause|resume|stop ...`; resolves with the exit code. */
export async function controlCommand(argv: readonly string[], io: ControlOutput, world: ControlWorld = realWorld): Promise<number> {
  const [command, ...args] = argv as [CommandName | 'status', ...string[]];
  try {
    const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
    if (values.redis !== undefined || values.namespace !== undefined) {
      if (values.redis === undefined || values.namespace === undefined) throw new ControlUsageError('--redis and --namespace go together');
      if (positionals.length > 0) throw new ControlUsageError(`${command} takes either a run directory or --redis URL --namespace NS, not both`);
      if (command === 'stop') throw new ControlUsageError('stop takes a run directory: an institution stops by pausing (bcss-bulk pause --redis ...), then stopping each run');
      if (values.abort === true) throw new ControlUsageError('--abort goes with stop DIR');
      return await institutionCommand(command, { redis: values.redis, namespace: values.namespace, source: values.source, reason: values.reason, json: values.json === true }, io, world);
    }
    const [dir, ...extra] = positionals;
    if (dir === undefined || extra.length > 0) throw new ControlUsageError(`${command} takes one run directory (or --redis URL --namespace NS)`);
    if (values.source !== undefined) throw new ControlUsageError('--source goes with --redis URL --namespace NS');
    if (command !== 'stop' && values.abort === true) throw new ControlUsageError('--abort goes with stop');
    if (command === 'status') {
      if (values.reason !== undefined) throw new ControlUsageError('status takes no --reason');
      return await status(dir, values.json === true, io, world);
    }
    if (values.json === true) throw new ControlUsageError(`${command} takes no --json`);
    const waitMs = values['wait-ms'] === undefined ? 10_000 : Number(values['wait-ms']);
    if (!Number.isInteger(waitMs) || waitMs < 100 || waitMs > 600_000) throw new ControlUsageError('--wait-ms must be a whole number of ms from 100 to 600000');
    return await send(dir, { command, ...(values.reason === undefined ? {} : { reason: values.reason }), ...(values.abort === true ? { abort: true } : {}) }, waitMs, io, world);
  } catch (error) {
    if (error instanceof ControlUsageError || (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true)) {
      io.err(`bcss-bulk: ${error.message}\n\nUsage:\n${CONTROL_USAGE}\nExit codes: 0 done (acknowledged), 1 no live run, a stale or damaged status, a refused command, 2 wrong usage.\n`);
      return 2;
    }
    const code = error instanceof BcssBulkError ? ` [${error.code}]` : '';
    io.err(`bcss-bulk: ${error instanceof Error ? error.message : String(error)}${code}\n`);
    return 1;
  }
}

/** The snapshot of DIR and why it is stale, or a message saying there is none. */
async function snapshotOf(dir: string, world: ControlWorld): Promise<{ snapshot: LiveSnapshot; stale: string | undefined }> {
  const snapshot = await readLiveSnapshot(dir);
  if (snapshot === undefined) throw new BcssBulkError('NO_LIVE_RUN', `No live run in ${dir}: it has no status.json (no run was started on it with operator control, or it is not a run directory). Nothing was changed`);
  return { snapshot, stale: staleness(snapshot, world.now(), world.host, world.isAlive) };
}

const FINAL = new Set(['stopped', 'completed', 'failed']);

async function status(dir: string, json: boolean, io: ControlOutput, world: ControlWorld): Promise<number> {
  const { snapshot, stale } = await snapshotOf(dir, world);
  const ended = FINAL.has(snapshot.status.state);
  const staleNow = ended ? undefined : stale;
  io.out(json ? `${JSON.stringify(statusJson(dir, snapshot, staleNow), null, 2)}\n` : formatStatus(dir, snapshot, staleNow, world.now()));
  if (staleNow !== undefined) {
    io.err(`bcss-bulk: the status of ${dir} is stale: ${staleNow}\n`);
    return 1;
  }
  return 0;
}

async function send(dir: string, asked: { command: CommandName; reason?: string; abort?: boolean }, waitMs: number, io: ControlOutput, world: ControlWorld): Promise<number> {
  const { snapshot, stale } = await snapshotOf(dir, world);
  if (FINAL.has(snapshot.status.state)) throw new BcssBulkError('NO_LIVE_RUN', `No live run in ${dir}: its run ended ${snapshot.status.state} (${new Date(snapshot.writtenAt).toISOString()}). Nothing was changed`);
  if (stale !== undefined) throw new BcssBulkError('STALE_RUN', `No live run in ${dir}: its status is stale (${stale}). Nothing was changed; start the batch again to go on`);
  const command = await writeCommand(dir, { id: newCommandId(world.now()), at: world.now(), ...asked });
  const ack = await waitForAck(dir, command.id, waitMs, world);
  if (ack === undefined) {
    throw new BcssBulkError('NOT_ACKNOWLEDGED', `The run in ${dir} (pid ${snapshot.pid} on ${snapshot.host}) did not take the ${asked.command} command within ${waitMs / 1000} s; it was withdrawn. Nothing was changed`);
  }
  if (!ack.ok) {
    io.err(`bcss-bulk: the run in ${dir} refused ${asked.command}: ${ack.message} (state: ${ack.state})\n`);
    return 1;
  }
  io.out(`${asked.command}: acknowledged by pid ${snapshot.pid} on ${snapshot.host}: ${ack.message} (state: ${ack.state})\n`);
  return 0;
}

/** Waits for the ack of command `id`; withdraws the command when none comes in `waitMs` (undefined then). */
async function waitForAck(dir: string, id: string, waitMs: number, world: ControlWorld): Promise<LiveAck | undefined> {
  const until = world.now() + waitMs;
  for (;;) {
    const ack = await takeAck(dir, id);
    if (ack !== undefined) return ack;
    if (world.now() >= until) break;
    await world.sleep(100);
  }
  if (await withdrawCommand(dir, id)) return undefined;
  // The run took the command as it was withdrawn: its ack follows at once.
  for (let i = 0; i < 50; i++) {
    const ack = await takeAck(dir, id);
    if (ack !== undefined) return ack;
    await world.sleep(100);
  }
  return undefined;
}
