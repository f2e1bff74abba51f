/** Reads a child's stdout as JSON lines: `each` gets every whole line, parsed, in order; or keeps them all and waits for one. */
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

/** One JSON line of a child. */
export type JsonLine = Readonly<Record<string, unknown>>;

/** Calls `each` with every JSON line written on `stream` (a line cut across chunks is joined first), typed as the caller's line. */
export function onJsonLines<L = JsonLine>(stream: Readable, each: (line: L) => void): void {
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      each(JSON.parse(text) as L);
    }
  });
}

/** A child's JSON lines as they come, its stderr, and a wait for a line. */
export interface WatchedLines<L> {
  readonly lines: L[];
  stderr(): string;
  /** Resolves with the first line (already seen or to come) that matches; rejects, with the lines and stderr, after `timeoutMs`. */
  waitFor(match: (line: L) => boolean, timeoutMs: number): Promise<L>;
}

/** Keeps every JSON line of `proc`'s stdout and its stderr (`label` names the child in a timeout's error). */
export function watchJsonLines<L = JsonLine>(proc: ChildProcess, label: string): WatchedLines<L> {
  const lines: L[] = [];
  const watchers: { match: (line: L) => boolean; resolve: (line: L) => void }[] = [];
  let errors = '';
  onJsonLines<L>(proc.stdout!, (line) => {
    lines.push(line);
    for (const watcher of [...watchers]) {
      if (watcher.match(line)) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve(line);
      }
    }
  });
  proc.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  return {
    lines,
    stderr: () => errors,
    waitFor: (match, timeoutMs) => {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<L>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${label}: no matching line within ${timeoutMs} ms; lines:\n${lines.map((l) => JSON.stringify(l)).join('\n')}\nstderr: ${errors}`)), timeoutMs);
        watchers.push({ match, resolve: (line) => (clearTimeout(timer), resolve(line)) });
      });
    },
  };
}
