/**
 * The live files of a run directory, shared by the running process (which writes the status
 * snapshot, picks up commands and acknowledges them) and `bcss-bulk status|pause|resume|stop`
 * (which reads the snapshot, writes a command and waits for its acknowledgement), so that
 * neither imports the other:
 *
 * - `status.json` — the run's status snapshot, replaced atomically (temp file, fsync, rename)
 *   on each state change and every few seconds while the run is live;
 * - `command-<id>.json` — one command (pause, resume, stop), written atomically by the CLI; the
 *   run claims it (renames it `command-<id>.taken`), applies it and removes it once it has
 *   acknowledged it; the CLI withdraws a command not claimed in time (nothing changed);
 * - `command-<id>.ack` — the run's acknowledgement of that command; the CLI removes it;
 * - `control.log` — every command received, one JSON line each (time, origin, command, reason,
 *   outcome), appended and synced: the durable record of what the operators asked.
 */
import { unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { LiveStatusDamagedError } from '../errors.js';
import { FILE_MODE, hasErrorCode, nodeFileSystem, replaceFile, writeFileDurably, type FileSystem } from '../file-store/fs.js';

/** Name of the status snapshot. */
export const LIVE_STATUS_FILE = 'status.json';
/** Prefix of the command files and their acknowledgements. */
export const COMMAND_PREFIX = 'command-';
/** Name of the durable log of commands. */
export const CONTROL_LOG = 'control.log';

const FORMAT = 1;

/** The commands an operator sends to a live run. */
export const COMMANDS = ['pause', 'resume', 'stop'] as const;
/** One of {@link COMMANDS}. */
export type CommandName = (typeof COMMANDS)[number];

const sourceSchema = z.looseObject({ inFlight: z.number(), cap: z.number(), queued: z.number(), retrying: z.number() });
const statusSchema = z.looseObject({
  state: z.string(),
  at: z.number(),
  totals: z.looseObject({ read: z.number(), inFlight: z.number(), finished: z.number(), succeeded: z.number(), rejected: z.number(), exhausted: z.number() }),
  sources: z.record(z.string(), sourceSchema),
});

const snapshotSchema = z.looseObject({
  format: z.literal(FORMAT),
  host: z.string(),
  pid: z.number().int(),
  writtenAt: z.number(),
  /** When the run will write the next snapshot at the latest, in ms after this one (shorter while it runs). */
  refreshMs: z.number().positive(),
  name: z.string().optional(),
  status: statusSchema,
});

/** The status snapshot as written to `status.json`: the run's `status()` plus who writes it and when. */
export type LiveSnapshot = z.infer<typeof snapshotSchema>;

const commandSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/),
  command: z.enum(COMMANDS),
  reason: z.string().max(500).optional(),
  abort: z.boolean().optional(),
  at: z.number(),
  host: z.string(),
  pid: z.number().int(),
});

/** A command written by the CLI. */
export type LiveCommand = z.infer<typeof commandSchema>;

const ackSchema = z.strictObject({
  id: z.string(),
  ok: z.boolean(),
  /** The run's state once the command was applied. */
  state: z.string(),
  message: z.string(),
  /** For `resume`: when the run resumes (ms since epoch; later than now under the minimum pause). */
  resumesAt: z.number().optional(),
  at: z.number(),
});

/** A run's acknowledgement of a command. */
export type LiveAck = z.infer<typeof ackSchema>;

/** One line of `control.log`. */
export interface ControlLogEntry {
  /** Instant the command was applied, ISO 8601. */
  readonly at: string;
  /** Instant the command was written, ISO 8601. */
  readonly asked: string;
  readonly id: string;
  /** The command, or `unreadable` for a command file that could not be read (refused). */
  readonly command: CommandName | 'unreadable';
  readonly origin: 'command';
  readonly reason?: string;
  /** Where the command came from: host and pid of the CLI. */
  readonly from: string;
  readonly ok: boolean;
  readonly outcome: string;
}

const commandFile = (dir: string, id: string) => path.join(dir, `${COMMAND_PREFIX}${id}.json`);
const ackFile = (dir: string, id: string) => path.join(dir, `${COMMAND_PREFIX}${id}.ack`);
/** A command the run has claimed (renamed from its command file, so that the CLI can no longer withdraw it). */
const takenFile = (dir: string, id: string) => path.join(dir, `${COMMAND_PREFIX}${id}.taken`);

/**
 * Replaces the snapshot atomically (temp file, then rename): a reader sees the old snapshot or
 * the new one, never a mix. Not fsynced: it is a live view, rewritten every few seconds; after
 * a crash the pid it names tells that it is stale.
 */
export async function writeLiveSnapshot(dir: string, snapshot: Omit<LiveSnapshot, 'format'>, fs: FileSystem = nodeFileSystem): Promise<void> {
  await replaceFile(fs, path.join(dir, LIVE_STATUS_FILE), `${JSON.stringify({ format: FORMAT, ...snapshot })}\n`, { durable: false });
}

/**
 * Reads the snapshot of a run directory; undefined when there is none.
 *
 * @throws {LiveStatusDamagedError} a snapshot that is not JSON or not a snapshot's shape.
 */
export async function readLiveSnapshot(dir: string, fs: FileSystem = nodeFileSystem): Promise<LiveSnapshot | undefined> {
  const file = path.join(dir, LIVE_STATUS_FILE);
  const data = await fs.readFile(file);
  if (data === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch (error) {
    throw new LiveStatusDamagedError(file, 'it is not JSON', { cause: error });
  }
  const parsed = snapshotSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LiveStatusDamagedError(file, `${issue.path.join('.') || 'its content'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Why a snapshot no longer describes a live process, or undefined while it does. Pure. */
export function staleness(snapshot: LiveSnapshot, now: number, thisHost: string, isAlive: (pid: number) => boolean): string | undefined {
  if (snapshot.host === thisHost && !isAlive(snapshot.pid)) return `process ${snapshot.pid} on ${snapshot.host} is gone`;
  const age = now - snapshot.writtenAt;
  const limit = staleAfterMs(snapshot.refreshMs);
  if (age > limit) return `the snapshot was not refreshed for ${Math.round(age / 1000)} s (a live run refreshes it every ${Math.round(snapshot.refreshMs / 1000)} s)`;
  return undefined;
}

/** A snapshot older than this is stale: three refreshes missed, plus 5 s of slack. */
export function staleAfterMs(refreshMs: number): number {
  return 3 * refreshMs + 5_000;
}

/** A new command id: sortable by time, unique per host and process. */
export function newCommandId(now: number): string {
  return `${now.toString(36).padStart(9, '0')}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Writes a command for the run of `dir` (atomically: the run never sees half a command). */
export async function writeCommand(dir: string, command: Omit<LiveCommand, 'host' | 'pid'>, fs: FileSystem = nodeFileSystem): Promise<LiveCommand> {
  const full: LiveCommand = commandSchema.parse({ ...command, host: hostname(), pid: process.pid });
  await writeFileDurably(fs, commandFile(dir, full.id), JSON.stringify(full));
  return full;
}

/** Withdraws a command the run has not claimed; true when it was still there (the run will never apply it), false when the run claimed it. */
export async function withdrawCommand(dir: string, id: string): Promise<boolean> {
  const file = commandFile(dir, id);
  try {
    await unlink(file);
    return true;
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return false;
    throw error;
  }
}

/** A command found in the control folder: its id and, when it is readable, the command. */
export interface FoundCommand {
  readonly id: string;
  readonly command: LiveCommand | undefined;
  /** Why it could not be read, when it could not. */
  readonly problem?: string;
}

/** The commands waiting in `dir`, oldest first, each claimed by the caller (the run): acknowledge each one. */
export async function pendingCommands(dir: string, fs: FileSystem = nodeFileSystem): Promise<FoundCommand[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return [];
    throw error;
  }
  const found: FoundCommand[] = [];
  for (const name of names.filter(isCommandFile).sort()) {
    const id = name.slice(COMMAND_PREFIX.length, -'.json'.length);
    // Claimed first (an atomic rename): a command the CLI withdrew meanwhile is never applied.
    try {
      await fs.rename(path.join(dir, name), takenFile(dir, id));
    } catch (error) {
      if (hasErrorCode(error, 'ENOENT')) continue;
      throw error;
    }
    const data = await fs.readFile(takenFile(dir, id));
    if (data === undefined) continue;
    try {
      const parsed = commandSchema.safeParse(JSON.parse(data.toString('utf8')));
      found.push(parsed.success && parsed.data.id === id ? { id, command: parsed.data } : { id, command: undefined, problem: parsed.success ? 'its id is not its name' : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    } catch {
      found.push({ id, command: undefined, problem: 'it is not JSON' });
    }
  }
  return found;
}

/** Acknowledges a command: writes its ack, then removes the command. */
export async function acknowledge(dir: string, ack: LiveAck, fs: FileSystem = nodeFileSystem): Promise<void> {
  await writeFileDurably(fs, ackFile(dir, ack.id), JSON.stringify(ackSchema.parse(ack)));
  await fs.remove(takenFile(dir, ack.id));
}

/** The ack of command `id`, once written (removed as it is read); undefined before. */
export async function takeAck(dir: string, id: string, fs: FileSystem = nodeFileSystem): Promise<LiveAck | undefined> {
  const file = ackFile(dir, id);
  const data = await fs.readFile(file);
  if (data === undefined) return undefined;
  const ack = ackSchema.parse(JSON.parse(data.toString('utf8')));
  await fs.remove(file);
  return ack;
}

/** Appends one entry to the durable log of commands, synced before it resolves. */
export async function appendControlLog(dir: string, entry: ControlLogEntry, fs: FileSystem = nodeFileSystem): Promise<void> {
  const handle = await fs.openAppend(path.join(dir, CONTROL_LOG), FILE_MODE);
  try {
    await handle.append(Buffer.from(`${JSON.stringify(entry)}\n`));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** True for the name of a command file (not its temp file, not its ack). */
export function isCommandFile(name: string): boolean {
  return name.startsWith(COMMAND_PREFIX) && name.endsWith('.json') && !name.includes('.tmp');
}
