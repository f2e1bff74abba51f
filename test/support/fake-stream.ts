/** A writable for the progress bar's tests: it keeps what it is given, looking like a terminal or not. */
import { Writable } from 'node:stream';

/** A writable that keeps what it is given, looking like a terminal or not. */
export function fakeStream(isTTY: boolean): Writable & { chunks: string[]; isTTY: boolean; columns: number } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  }) as Writable & { chunks: string[]; isTTY: boolean; columns: number };
  return Object.assign(stream, { chunks, isTTY, columns: 100 });
}
