/**
 * A view of a run that counts the listeners an observer holds on it: after detaching, an
 * observer must hold none (nothing of it follows the run any more).
 */
import type { ObservedRun, RunEvents } from '../../src/index.js';

/** `view` is what the observer is attached to; `live()` the listeners it still holds. */
export function countingRun(run: ObservedRun): { readonly view: ObservedRun; live(): number } {
  let live = 0;
  const view: ObservedRun = {
    get state() {
      return run.state;
    },
    get name() {
      return run.name;
    },
    status: () => run.status(),
    on<K extends keyof RunEvents>(event: K, listener: (payload: RunEvents[K]) => void): () => void {
      live++;
      const off = run.on(event, listener);
      let removed = false;
      return () => {
        if (removed) return;
        removed = true;
        live--;
        off();
      };
    },
  };
  return { view, live: () => live };
}
