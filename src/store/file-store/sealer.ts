/**
 * The store's writer of the seal (see seal.ts): one write at a time, in the slots in turn, each
 * synced; a write of the same state as the last one is skipped. A failed write fails every
 * later one (the store then fails, as for a failed append).
 */
import path from 'node:path';
import { storeIo, writeFileDurably, type FileSystem, type UpdateHandle } from './fs.js';
import { encodeSeal, encodeSlot, SEAL_FILE, sameState, slotOffset, slotSizeFor, type SealData } from './seal.js';

/** The state a seal records, without its sequence number. */
export type SealState = Omit<SealData, 'seq' | 'format'>;

/** The seal's state from the store's figures. */
export function sealSnapshot(state: { generation: number; journal: number; ledgers: ReadonlyMap<string, number>; completed: number; next: number }): SealState {
  const ledgers: Record<string, number> = {};
  for (const [ledger, length] of [...state.ledgers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) ledgers[ledger] = length;
  return { generation: state.generation, journal: state.journal, ledgers, completed: state.completed, next: state.next };
}

/** Writes the seal of one run directory. */
export class Sealer {
  private chain: Promise<void> = Promise.resolve();
  private constructor(
    private readonly file: string,
    private readonly handle: UpdateHandle,
    private readonly slotSize: number,
    private last: SealData,
  ) {}

  /** Writes a fresh seal file (atomically, both slots holding `state`) and opens it for the writes in place. */
  static async create(fs: FileSystem, dir: string, ledgers: Iterable<string>, state: SealState, lastSeq: number): Promise<Sealer> {
    const file = path.join(dir, SEAL_FILE);
    const slotSize = slotSizeFor(ledgers);
    const data: SealData = { format: 1, seq: lastSeq + 1, ...state };
    await storeIo('write the seal', file, () => writeFileDurably(fs, file, encodeSeal(data, slotSize)));
    const handle = await storeIo('open the seal', file, () => fs.openForUpdate(file));
    return new Sealer(file, handle, slotSize, data);
  }

  /** Starts writing `state` after the writes under way (nothing when it is the state last written). */
  write(state: SealState): void {
    const data: SealData = { format: 1, seq: this.last.seq + 1, ...state };
    if (sameState(data, this.last)) return;
    this.last = data;
    const slot = encodeSlot(data, this.slotSize);
    this.chain = this.chain.then(() =>
      storeIo('write the seal', this.file, async () => {
        await this.handle.writeAt(slot, slotOffset(data.seq, this.slotSize));
        await this.handle.sync();
      }),
    );
    this.chain.catch(() => undefined); // kept, and thrown by settled()
  }

  /** Resolves once every write started is on disk; rejects when one failed. */
  settled(): Promise<void> {
    return this.chain;
  }

  /** Waits for the writes under way (their failure aside) and closes the file. */
  async close(): Promise<void> {
    await this.chain.catch(() => undefined);
    await this.handle.close();
  }
}
