/** What the operator's commands write to and read of the world (replaced in tests). */
import { hostname } from 'node:os';
import { isProcessAlive } from '../store/file-store/lock.js';

/** Where the commands write. */
export interface ControlOutput {
  out(text: string): void;
  err(text: string): void;
}

/** A wrong use of a command (exit 2). */
export class ControlUsageError extends Error {}

/** What the commands read of the world. */
export interface ControlWorld {
  now(): number;
  readonly host: string;
  isAlive(pid: number): boolean;
  sleep(ms: number): Promise<void>;
}

/** The real world: the system clock, this host, `kill(pid, 0)`. */
export const realWorld: ControlWorld = {
  now: () => Date.now(),
  host: hostname(),
  isAlive: isProcessAlive,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
