/**
 * The run directory's lock: one process at a time. The lock file names its holder (pid,
 * host, start time) and is created atomically with its content (written to a temp file, then
 * linked to the lock's name, which fails when the lock exists). A lock left by a crashed
 * holder is taken over when its pid is no longer alive on this host (or is this process's pid
 * while this process holds no such lock: a restarted container reuses PID 1); any other holder
 * is refused with a {@link RunDirLockedError}.
 */
import { hostname as osHostname } from 'node:os';
import path from 'node:path';
import { RunDirLockedError } from '../errors.js';
import { FILE_MODE, hasErrorCode, type FileSystem } from './fs.js';

/** Lock files held by this process (a lock naming this pid but not listed here is an earlier process's with the same pid, e.g. PID 1 of a restarted container). */
const heldHere = new Set<string>();

/** Name of the lock file in the run directory. */
export const LOCK_FILE = 'lock';

/** What the lock file says of its holder. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  readonly startedAt: string;
}

/** True while a process with this pid exists (signal 0 checks without signalling). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !hasErrorCode(error, 'ESRCH'); // EPERM: alive, owned by another user
  }
}

function parseHolder(data: Buffer | undefined): LockHolder | undefined {
  if (data === undefined) return undefined;
  try {
    const value = JSON.parse(data.toString('utf8')) as Partial<LockHolder>;
    if (typeof value.pid === 'number' && typeof value.hostname === 'string' && typeof value.startedAt === 'string') {
      return { pid: value.pid, hostname: value.hostname, startedAt: value.startedAt };
    }
  } catch {
    // unreadable: reported below
  }
  return undefined;
}

/** A held lock; `release()` removes it. */
export interface HeldLock {
  readonly file: string;
  release(): Promise<void>;
}

/**
 * Takes the lock of `dir`.
 *
 * @throws {RunDirLockedError} when another live process holds it, or it is held from another host.
 */
export async function acquireLock(fs: FileSystem, dir: string, isAlive: (pid: number) => boolean = isProcessAlive): Promise<HeldLock> {
  const file = path.join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, hostname: osHostname(), startedAt: new Date().toISOString() };
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await fs.openAppend(temp, FILE_MODE);
  try {
    await handle.truncate(0);
    await handle.append(Buffer.from(JSON.stringify(me)));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.link(temp, file);
        await fs.syncDir(dir);
        heldHere.add(file);
        return {
          file,
          release: async () => {
            heldHere.delete(file);
            await fs.remove(file);
            await fs.syncDir(dir);
          },
        };
      } catch (error) {
        if (!hasErrorCode(error, 'EEXIST')) throw error;
      }
      const holder = parseHolder(await fs.readFile(file));
      if (holder === undefined) {
        throw new RunDirLockedError(file, { pid: 0, hostname: 'unknown', startedAt: 'unknown' }, 'the lock file cannot be read');
      }
      if (holder.hostname !== me.hostname) throw new RunDirLockedError(file, holder, 'it is held from another host, whose processes cannot be checked from here');
      if (heldHere.has(file)) throw new RunDirLockedError(file, holder, 'this process already has a store open on it');
      if (holder.pid !== process.pid && isAlive(holder.pid)) throw new RunDirLockedError(file, holder, 'that process is still running');
      if (attempt > 0) throw new RunDirLockedError(file, holder, 'another process took it over at the same time');
      await fs.remove(file); // its holder died: take it over
    }
  } finally {
    await fs.remove(temp);
  }
}
