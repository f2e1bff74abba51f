/**
 * The seal: a small file of two fixed-size slots, overwritten in place (never renamed), that
 * records how long the journal and each ledger were once a group of records was synced. The
 * store writes it after every synced group, in parallel with the next group's append and fsync
 * (the next group's records resolve once both are on disk), so it costs no fsync in series.
 *
 * After a crash, a file shorter than the seal (or the checkpoint) says is damage, not a torn
 * write: only the records of the last synced group and of the group in flight can be past the
 * seal. The two slots are written in turn (slot `seq % 2`), so a write torn by a crash damages
 * only the slot being written, and the other one still holds the previous seal.
 */
import { crc32 } from 'node:zlib';
import { LedgerDamagedError } from '../errors.js';

/** Name of the seal file in the run directory. */
export const SEAL_FILE = 'seal';

/** Smallest slot, and the unit slot sizes are rounded to. */
const SLOT_UNIT = 512;
const FORMAT = 1;

/** What one slot of the seal holds. */
export interface SealData {
  /** Format of the seal. */
  readonly format: number;
  /** Incremented at every write; the valid slot with the higher one is the seal. */
  readonly seq: number;
  /** Generation of the journal it measures (that of the checkpoint in force when it was written). */
  readonly generation: number;
  /** Synced length of `journal-<generation>.log`, in bytes. */
  readonly journal: number;
  /** Synced length of each ledger, in bytes. */
  readonly ledgers: Readonly<Record<string, number>>;
  /** Items finished (recorded and synced). */
  readonly completed: number;
  /** One past the highest position finished (0 when none). */
  readonly next: number;
}

/** The slot size that holds a seal naming these ledgers (names up to 64 characters, lengths up to 2^53). */
export function slotSizeFor(ledgers: Iterable<string>): number {
  let bytes = 160; // crc, format, seq, generation, journal, completed, next, braces
  for (const ledger of ledgers) bytes += ledger.length + 24;
  return Math.ceil(bytes / SLOT_UNIT) * SLOT_UNIT;
}

/** One slot's bytes: the framed record, then zeros up to `slotSize`. */
export function encodeSlot(data: SealData, slotSize: number): Buffer {
  const json = JSON.stringify(data);
  const line = Buffer.from(`${crc32(json).toString(16).padStart(8, '0')} ${json}\n`);
  if (line.length > slotSize) throw new RangeError(`a seal of ${line.length} bytes does not fit a slot of ${slotSize}`);
  const slot = Buffer.alloc(slotSize);
  line.copy(slot);
  return slot;
}

/** The whole seal file with both slots holding `data` (as first written, atomically). */
export function encodeSeal(data: SealData, slotSize: number): Buffer {
  const slot = encodeSlot(data, slotSize);
  return Buffer.concat([slot, slot]);
}

function decodeSlot(slot: Buffer): SealData | undefined {
  const newline = slot.indexOf(0x0a);
  if (newline < 10 || slot[8] !== 0x20) return undefined;
  const stored = slot.subarray(0, 8).toString('latin1');
  const body = slot.subarray(9, newline);
  if (!/^[0-9a-f]{8}$/.test(stored) || crc32(body) !== Number.parseInt(stored, 16)) return undefined;
  try {
    const value = JSON.parse(body.toString('utf8')) as Partial<SealData>;
    const whole = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
    if (value.format !== FORMAT || !whole(value.seq) || !whole(value.generation) || !whole(value.journal) || !whole(value.completed) || !whole(value.next)) return undefined;
    if (typeof value.ledgers !== 'object' || value.ledgers === null || !Object.values(value.ledgers).every(whole)) return undefined;
    return value as SealData;
  } catch {
    return undefined;
  }
}

/** A seal read back: its data and the size of its slots. */
export interface ReadSeal {
  readonly data: SealData;
  readonly slotSize: number;
}

/**
 * Reads the seal file's bytes: the valid slot with the higher `seq`.
 *
 * @throws {LedgerDamagedError} when no slot is valid (a crash tears one slot at most).
 */
export function decodeSeal(file: string, bytes: Buffer): ReadSeal {
  const slotSize = bytes.length / 2;
  if (!Number.isInteger(slotSize) || slotSize < SLOT_UNIT || slotSize % SLOT_UNIT !== 0) {
    throw new LedgerDamagedError(file, 0, `the seal is ${bytes.length} bytes long, not two slots of a multiple of ${SLOT_UNIT} bytes`, { damage: 'shortened', foundLength: bytes.length });
  }
  const slots = [decodeSlot(bytes.subarray(0, slotSize)), decodeSlot(bytes.subarray(slotSize))];
  const valid = slots.filter((slot): slot is SealData => slot !== undefined);
  if (valid.length === 0) throw new LedgerDamagedError(file, 0, 'neither slot of the seal is valid (a crash tears one at most)');
  const data = valid.reduce((a, b) => (b.seq > a.seq ? b : a));
  return { data, slotSize };
}

/** Byte offset of the slot that the seal numbered `seq` is written to. */
export function slotOffset(seq: number, slotSize: number): number {
  return (seq % 2) * slotSize;
}

/** True when two seals record the same state (their `seq` aside). */
export function sameState(a: SealData, b: SealData): boolean {
  return JSON.stringify({ ...a, seq: 0 }) === JSON.stringify({ ...b, seq: 0 });
}
