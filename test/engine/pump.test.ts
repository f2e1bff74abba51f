import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/testing.js';
import { YieldBudget } from '../../src/util/yield-budget.js';
import { Pump } from '../../src/engine/pump.js';

describe('Pump', () => {
  it('folds requests made during a turn into one more turn, never running a turn inside another', () => {
    let depth = 0;
    let turns = 0;
    let maxDepth = 0;
    const pump: Pump = new Pump(new YieldBudget(new FakeClock(0), 1_000), () => {
      depth++;
      maxDepth = Math.max(maxDepth, depth);
      turns++;
      if (turns === 1) {
        pump.run();
        pump.run(); // two requests during the first turn: one more turn
      }
      depth--;
    });
    pump.run();
    expect(turns).toBe(2);
    expect(maxDepth).toBe(1);
  });

  it('gives the event loop its turn once the budget is spent, then runs', async () => {
    let turns = 0;
    const pump = new Pump(new YieldBudget(new FakeClock(0), 2), () => turns++);
    pump.run();
    expect(turns).toBe(1);
    pump.run(); // the second step spends the budget of 2
    expect(turns).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(turns).toBe(2);
  });
});
