import { CapMonitor } from './cap-monitor.js';
import { measureResponsiveness } from './responsiveness.js';
import type { BcssBulk } from './library.js';
const neu = (await import(new URL('../dist/index.js', import.meta.url).href)) as BcssBulk;
const old = (await import('/tmp/i15-old/dist/index.js')) as BcssBulk;
const m = new CapMonitor();
const rounds = Number(process.argv[2] ?? 5);
const res: Record<string, number[]> = { old: [], neu: [] };
for (let i = 0; i < rounds; i++) {
  for (const [name, lib] of [['old', old], ['neu', neu]] as const) {
    const r = await measureResponsiveness(lib, 300_000, 1, m);
    res[name]!.push(Math.round(r.itemsPerSecond));
    if (i === rounds - 1) console.log(name, JSON.stringify(r));
  }
}
console.log(JSON.stringify(res));
