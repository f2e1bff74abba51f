/**
 * The batch process of the crash harness (scripts/crash-test.ts): a real run over a real
 * FileStore in the given run directory, calling the harness's loopback HTTP service. It is
 * killed with SIGKILL at random moments and started again until it completes.
 *
 * Arguments: RUN_DIR PORT ITEMS CAP GENERATION HANDED_FILE
 */
import { openSync, writeSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { createRun, FileStore, type Classifier } from '../src/index.js';

const [dir, port, itemCount, capText, generation, handedFile] = process.argv.slice(2);
if (dir === undefined || port === undefined || handedFile === undefined) throw new Error('usage: crash-child RUN_DIR PORT ITEMS CAP GENERATION HANDED_FILE');
const items = Number(itemCount);
const cap = Number(capText);

const classify: Classifier<string> = (result) => {
  if (!result.ok || result.value === 'MSG00000') return undefined;
  return { class: 'reject', code: result.value, reason: `the service answered ${result.value}` };
};

const agent = new Agent({ keepAlive: true, maxSockets: cap });

/** One GET to the harness's service; resolves with the body (the outcome code). */
function callService(item: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = get(`http://127.0.0.1:${port}/call?item=${item}&gen=${generation}`, { agent, signal }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

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
  call: (item, context) => callService(item, context.signal),
  classify,
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
