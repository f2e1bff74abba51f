/**
 * The operator tests' processes: batch children (test/support/operator-child.ts) with their
 * JSON lines, and the real `bcss-bulk` command built from src, run without blocking the test's
 * event loop (the recording server lives in it).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll } from 'vitest';
import { watchJsonLines } from './json-lines.js';
import { startRecordingServer, type RecordingServer } from './recording-server.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** One JSON line of a child. */
export interface Line {
  readonly name: string;
  readonly t: number;
  readonly [field: string]: unknown;
}

/** A batch child and its lines. */
export interface BatchChild {
  readonly proc: ChildProcess;
  readonly lines: Line[];
  /** Resolves with the exit code (or signal) once the process exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Resolves once a line matches; rejects after `timeoutMs`. */
  waitFor(match: (line: Line) => boolean, timeoutMs?: number): Promise<Line>;
  stderr(): string;
}

/** Starts test/support/operator-child.ts with `config`. */
export function startBatch(config: Record<string, unknown>): BatchChild {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/support/operator-child.ts', JSON.stringify(config)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const watched = watchJsonLines<Line>(proc, `batch ${String(config['name'])}`);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  return { proc, lines: watched.lines, exited, stderr: watched.stderr, waitFor: (match, timeoutMs = 30_000) => watched.waitFor(match, timeoutMs) };
}

/** What a `bcss-bulk` command did. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** When it exited (ms since epoch). */
  readonly at: number;
}

/** Runs the real `bcss-bulk` (src/cli.ts through tsx) without blocking the event loop. */
export function bcssBulk(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : -1;
      resolve({ code, stdout, stderr, at: Date.now() });
    });
  });
}

/**
 * What every operator test file sets up: a recording server for its batches to call, and
 * throw-away run directories, removed after the file's tests. Call it at the top of a test file.
 */
export function operatorFixture(prefix: string): { readonly server: RecordingServer; runDir(): Promise<string> } {
  const dirs: string[] = [];
  let server: RecordingServer | undefined;
  beforeAll(async () => {
    server = await startRecordingServer();
  });
  afterAll(async () => {
    await server?.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  return {
    get server() {
      if (server === undefined) throw new Error('the recording server starts in beforeAll');
      return server;
    },
    runDir: async () => {
      const dir = await mkdtemp(path.join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
  };
}
