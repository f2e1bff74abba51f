import { describe, expect, it } from 'vitest';
import { Demand, type Ticket, type Waiter } from '../../src/shared/semaphore-demand.js';

const waiter = (): Waiter => ({ signal: new AbortController().signal, onAbort: () => undefined, resolve: () => undefined, reject: () => undefined });
const ticket = (demand: Demand, seq: number, issuing = false): Ticket => ({ demand, seq, queuedAt: 0, issuing });

describe('Demand: a process keeps as many places in line as items waiting', () => {
  it('counts the tickets beyond the waiters (negative: tickets to issue)', () => {
    const demand = new Demand('rn', 4, 10_000);
    demand.waiters.push(waiter(), waiter());
    expect(demand.surplus).toBe(-2);
    demand.tickets.add(ticket(demand, 1));
    demand.tickets.add(ticket(demand, 2));
    expect(demand.surplus).toBe(0);
    demand.waiters.shift(); // served by a kept slot: its ticket is now spare
    expect(demand.surplus).toBe(1);
  });

  it('withdraws the newest queued tickets first (older ones keep their places), never one being issued', () => {
    const demand = new Demand('rn', 4, 10_000);
    for (const [seq, issuing] of [[1, false], [5, false], [3, false], [9, true]] as const) demand.tickets.add(ticket(demand, seq, issuing));
    expect(demand.newestQueued(2).map((t) => t.seq)).toEqual([5, 3]);
    expect(demand.newestQueued(0)).toEqual([]);
    expect(demand.newestQueued(-1)).toEqual([]);
  });

  it('removes an aborted waiter once, and only a waiter it holds', () => {
    const demand = new Demand('rn', 4, 10_000);
    const [a, b] = [waiter(), waiter()];
    demand.waiters.push(a, b);
    expect(demand.remove(a)).toBe(true);
    expect(demand.remove(a)).toBe(false);
    expect(demand.waiters).toEqual([b]);
  });

  it('keys a source and its lease terms apart', () => {
    expect(Demand.key('rn', 4, 10_000)).not.toBe(Demand.key('rn', 4, 20_000));
    expect(Demand.key('rn', 4, 10_000)).not.toBe(Demand.key('rn', 2, 10_000));
    expect(Demand.key('rn', 4, 10_000)).toBe(Demand.key('rn', 4, 10_000));
  });
});
