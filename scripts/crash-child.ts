/**
 * The batch process of the crash harness (scripts/crash-test.ts): a real run over a real
 * FileStore in the given run directory, calling the harness's loopback HTTP service. It is
 * killed with SIGKILL at random moments and started again until it completes.
 *
 * Arguments: RUN_DIR PORT ITEMS CAP GENERATION HANDED_FILE
 */
import { openSync, writeSync } from 'node:fs';
import { createRun, FileStore } from '../src/index.js';
import { loopbackServiceClient, serviceClassifier } from './loopback-service-client.js';

const [dir, port, itemCount, capText, generation, handedFile] = process.argv.slice(2);
if (dir === undefined || port === undefined || handedFile === undefined) throw new Error('usage: crash-child RUN_DIR PORT ITEMS CAP GENERATION HANDED_FILE');
const items = Number(itemCount);
const cap = Number(capText);

const service = loopbackServiceClient(port, generation ?? '0', cap);

function* input(): Generator<number> {
  for (let i = 0; i < items; i++) yield i;
}

const handed = openSync(handedFile, 'a');
const store = await FileStore.open(dir);
const run = createRun<number, string>({
  input: input(),
  source: 'rn',
  sources: { rn: { kind: 'rn', cap } },
  calendar: { enforce: false, override: { reason: 'crash harness against a loopback fake service, not the BCSS' } },
  announcement: { override: { reason: 'crash harness against a loopback fake service, not a mass call to the BCSS' } },
  key: (item) => `item-${item}`,
  call: (item, context) => service.call(item, context.signal),
  classify: serviceClassifier,
  // What the caller's side sees: each hand-off, with the process generation that made it.
  onSuccess: (item) => {
    writeSync(handed, `${generation} ${item}\n`);
  },
  rejectBudget: false,
  overload: false,
  store,
});
const summary = await run.start();
await store.close();
console.log(JSON.stringify({ state: summary.state, finished: summary.totals.finished }));
