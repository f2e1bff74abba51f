/**
 * One turn of the event loop, without `setImmediate`: a message on a private `MessageChannel`
 * is delivered in a later turn, after the I/O callbacks of the current one, like an immediate.
 * Fake timers (vitest's `vi.useFakeTimers()`, `@sinonjs/fake-timers`) fake `setImmediate` and
 * `setTimeout` but not message ports, so code that must make progress while a test fakes time
 * (the file store's group commit) waits on this instead.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';

let receiver: MessagePort | undefined;
let sender: MessagePort | undefined;
const waiting: Array<() => void> = [];

/**
 * Resolves in a later turn of the event loop (after the I/O callbacks already due). While a turn
 * is awaited the port keeps the process alive; between waits it does not.
 */
export function nextMacrotask(): Promise<void> {
  return new Promise<void>((resolve) => {
    if (receiver === undefined || sender === undefined) {
      const channel = new MessageChannel();
      receiver = channel.port1;
      sender = channel.port2;
      receiver.on('message', () => {
        waiting.shift()?.();
        if (waiting.length === 0) receiver?.unref();
      });
      sender.unref();
    }
    if (waiting.length === 0) receiver.ref();
    waiting.push(resolve);
    sender.postMessage(null);
  });
}
