/**
 * Child batch processes for the cap tests (test/support/shared-child.ts, one run each), started
 * together, with their JSON lines; and a poll-until helper.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SharedOptions } from '../../src/index.js';
import { onJsonLines } from './json-lines.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** One JSON line of a child. */
export type Line = Readonly<Record<string, unknown>>;

/** What a child runs (see shared-child.ts). */
export interface ChildConfig {
  readonly name: string;
  readonly url: string;
  readonly calls: number;
  readonly callMs: number;
  readonly retryCallMs?: number;
  readonly timeoutMs?: number;
  readonly hardDeadlineMs?: number;
  readonly abortGraceMs?: number;
  readonly shared: SharedOptions;
}

/** A running child. */
export interface Child {
  readonly proc: ChildProcess;
  readonly lines: Line[];
  /** Every line, once the process exited (rejects on a non-zero exit other than SIGKILL). */
  readonly exited: Promise<Line[]>;
}

/** Starts the children, waits until each is ready, then lets them all go at once. */
export async function startTogether(configs: readonly ChildConfig[], into: Child[]): Promise<Child[]> {
  const started = configs.map((config) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'test/support/shared-child.ts', JSON.stringify({ ...config, waitForGo: true })], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    const lines: Line[] = [];
    let errors = '';
    let onReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (onReady = resolve));
    onJsonLines(proc.stdout!, (line) => {
      lines.push(line);
      if (line['ready'] === true) onReady();
    });
    proc.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const exited = new Promise<Line[]>((resolve, reject) => {
      proc.once('exit', (code, signal) => (code === 0 || signal === 'SIGKILL' ? resolve(lines) : reject(new Error(`child ${config.name} exited with ${code ?? signal}:\n${errors}`))));
    });
    exited.catch(() => undefined);
    const child: Child = { proc, lines, exited };
    into.push(child);
    return { child, ready };
  });
  await Promise.all(started.map(({ ready }) => ready));
  for (const { child } of started) child.proc.stdin!.write('go\n');
  return started.map(({ child }) => child);
}

/** The outcome line of a child. */
export const outcome = (lines: readonly Line[]): Line | undefined => lines.find((line) => line['done'] !== undefined);

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition` holds, polling every 5 ms; fails after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
