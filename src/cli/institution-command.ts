/**
 * The institution-wide forms of the operator's commands (shared mode):
 * `bcss-bulk pause|resume --redis URL --namespace NS [--source NAME] [--reason TEXT]` and
 * `bcss-bulk status --redis URL --namespace NS [--json]` (see shared/institution.ts).
 */
import { Institution, type InstitutionState, type LiveRunEntry } from '../shared/institution.js';
import type { ControlOutput, ControlWorld } from './control-io.js';

/** The arguments of an institution-wide command. */
export interface InstitutionArgs {
  readonly redis: string;
  readonly namespace: string;
  readonly source: string | undefined;
  readonly reason: string | undefined;
  readonly json: boolean;
}

/** The bound within which every run of the namespace reacts, as the operator is told. */
const BOUND = 'within 1 s on every host (at once through pub/sub; each run also reads the pauses every second)';

function formatState(namespace: string, state: InstitutionState): string {
  const lines = [`Namespace ${namespace}: ${state.all === undefined ? 'not paused' : `PAUSED since ${new Date(state.all.at).toISOString()} by ${state.all.by}${state.all.reason === undefined ? '' : ` (${state.all.reason})`}`}`];
  for (const [source, pause] of Object.entries(state.sources)) lines.push(`  source ${source}: PAUSED since ${new Date(pause.at).toISOString()} by ${pause.by}${pause.reason === undefined ? '' : ` (${pause.reason})`}`);
  return `${lines.join('\n')}\n`;
}

function formatRuns(runs: readonly LiveRunEntry[], now: number): string {
  if (runs.length === 0) return 'Live runs: none\n';
  const lines = [`Live runs: ${runs.length}`];
  for (const run of runs) {
    const sources = Object.entries(run.sources).map(([name, s]) => `${name} ${s.inFlight}/${s.cap} in flight, ${s.queued} queued`).join('; ');
    lines.push(`  ${run.host} pid ${run.pid}  ${run.runName}${run.name === undefined ? '' : ` (${run.name})`}  ${run.state}${run.pauseReason === undefined ? '' : ` (${run.pauseReason})`}  ${run.finished} finished  [${sources}]  (${Math.round((now - run.at) / 1000)} s ago)`);
  }
  return `${lines.join('\n')}\n`;
}

/** Runs an institution-wide command; resolves with the exit code. */
export async function institutionCommand(command: 'status' | 'pause' | 'resume', args: InstitutionArgs, io: ControlOutput, world: ControlWorld): Promise<number> {
  const institution = await Institution.open(args.redis, args.namespace, 500);
  try {
    if (command === 'pause') {
      await institution.pause(args.source, args.reason, world.now());
      io.out(`Paused ${args.source === undefined ? `every run of namespace ${args.namespace}` : `the calls of source ${args.source} in namespace ${args.namespace}`}: no new calls ${BOUND}; calls in flight finish. Runs started now wait.\n`);
    } else if (command === 'resume') {
      const was = await institution.resume(args.source);
      io.out(was ? `Resumed ${args.source === undefined ? `namespace ${args.namespace}` : `source ${args.source} in namespace ${args.namespace}`}: each run goes on ${BOUND}, no earlier than its minimum pause after it was paused.\n` : `Nothing to resume: ${args.source === undefined ? `namespace ${args.namespace}` : `source ${args.source}`} was not paused.\n`);
    }
    const state = await institution.read();
    const runs = await institution.listLive();
    if (command === 'status' && args.json) io.out(`${JSON.stringify({ namespace: args.namespace, paused: state.all ?? null, pausedSources: state.sources, runs }, null, 2)}\n`);
    else io.out(formatState(args.namespace, state) + formatRuns(runs, world.now()));
    return 0;
  } finally {
    await institution.close();
  }
}
