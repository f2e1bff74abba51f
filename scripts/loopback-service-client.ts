/**
 * The batch side of the crash and damage harnesses: one GET per item to the harness's loopback
 * recording service (`/call?item=N&gen=G`), whose body is the outcome code, and the classifier
 * that reads that code (`MSG00000` a success, any other code a reject).
 */
import { Agent, get } from 'node:http';
import type { Classifier } from '../src/index.js';

/** A success for `MSG00000`, a reject for any other code the service answered. */
export const serviceClassifier: Classifier<string> = (result) => {
  if (!result.ok || result.value === 'MSG00000') return undefined;
  return { class: 'reject', code: result.value, reason: `the service answered ${result.value}` };
};

/** Calls the service on `port` for each item, marked with the process `generation`; `close()` frees its sockets. */
export function loopbackServiceClient(port: string, generation: string, maxSockets: number): { call(item: number, signal: AbortSignal): Promise<string>; close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    call: (item, signal) =>
      new Promise((resolve, reject) => {
        const request = get(`http://127.0.0.1:${port}/call?item=${item}&gen=${generation}`, { agent, signal }, (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => resolve(body));
          response.on('error', reject);
        });
        request.on('error', reject);
      }),
    close: () => agent.destroy(),
  };
}
