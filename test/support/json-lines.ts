/** Reads a child's stdout as JSON lines: `each` gets every whole line, parsed, in order. */
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
