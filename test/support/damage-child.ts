/**
 * A night batch over a real FileStore, for the damage tests: calls a loopback recording service
 * for each item (`GET /call?item=N&gen=G`) and prints `{"state","finished"}` when the run ends.
 * When the store refuses the run directory it prints the error's code and message to stderr and
 * exits 1, as a batch job's wrapper would.
 *
 * Arguments: RUN_DIR PORT ITEMS GENERATION CHECKPOINT_EVERY
 */
import { loopbackServiceClient, serviceClassifier } from '../../scripts/loopback-service-client.js';
import { createRun, FileStore, isBcssBulkError } from '../../src/index.js';

const [dir, port, itemCount, generation, every] = process.argv.slice(2);
if (dir === undefined || port === undefined || every === undefined) throw new Error('usage: damage-child RUN_DIR PORT ITEMS GENERATION CHECKPOINT_EVERY');

const service = loopbackServiceClient(port, generation ?? '0', 4);

function* input(): Generator<number> {
  for (let i = 0; i < Number(itemCount); i++) yield i;
}

let store: FileStore;
try {
  store = await FileStore.open(dir, { checkpointEvery: Number(every) });
} catch (error) {
  process.stderr.write(isBcssBulkError(error) ? `${error.code} ${error.message}\n` : `${String(error)}\n`);
  process.exit(1);
}
const summary = await createRun<number, string>({
  input: input(),
  source: 'rn',
  sources: { rn: { kind: 'rn', cap: 4 } },
  calendar: { enforce: false, override: { reason: 'damage test against a loopback fake service, not the BCSS' } },
  announcement: { override: { reason: 'damage test against a loopback fake service, not a mass call to the BCSS' } },
  key: (item) => `item-${item}`,
  call: (item, context) => service.call(item, context.signal),
  classify: serviceClassifier,
  rejectBudget: false,
  overload: false,
  store,
}).start();
await store.close();
console.log(JSON.stringify({ state: summary.state, finished: summary.totals.finished }));
service.close();
