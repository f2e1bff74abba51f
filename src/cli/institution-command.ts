/** Placeholder replaced below. */
import type { ControlOutput, ControlWorld } from './control-io.js';
export async function institutionCommand(_c: string, _o: unknown, _io: ControlOutput, _w: ControlWorld): Promise<number> {
  return 1;
}
