/**
 * Child processes for the package tests (npm pack, npm install, node probes, tsc): run a
 * command, never throw, and report its exit status and both outputs.
 */
import { execFileSync } from 'node:child_process';

/** How a child process ended. */
export interface Outcome {
  readonly ok: boolean;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** How the child's environment is made from ours. */
export interface ChildEnvOptions {
  /** Also drop npm's `npm_config_*`, `NODE_OPTIONS` and vitest's variables, and ask npm for its cache first (an install into a consumer project). */
  readonly consumer?: boolean;
}

/** Environment of child processes: ours, without what an enclosing `npm test` says about this repo. */
export function childEnv(options: ChildEnvOptions = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const dropped = options.consumer ? /^npm_(package|lifecycle|config)_/i : /^npm_(package|lifecycle)_/i;
  for (const [name, value] of Object.entries(process.env)) {
    if (dropped.test(name) || name === 'INIT_CWD') continue;
    if (options.consumer && (name === 'NODE_OPTIONS' || name.startsWith('VITEST'))) continue;
    env[name] = value;
  }
  if (options.consumer) {
    env.npm_config_prefer_offline = 'true';
    env.npm_config_audit = 'false';
    env.npm_config_fund = 'false';
  }
  return env;
}

/** Runs a command; never throws, reports the exit status and both outputs. */
export function exec(command: string, args: readonly string[], cwd: string, timeout: number, env: NodeJS.ProcessEnv): Outcome {
  try {
    const stdout = execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout, maxBuffer: 64 * 1024 * 1024 });
    return { ok: true, status: 0, stdout, stderr: '' };
  } catch (error) {
    const failure = error as { status?: number | null; stdout?: string; stderr?: string; message?: string };
    return { ok: false, status: failure.status ?? null, stdout: failure.stdout ?? '', stderr: failure.stderr ?? failure.message ?? String(error) };
  }
}

/** Runs a command and returns its stdout; throws with both outputs when it fails. */
export function mustExec(command: string, args: readonly string[], cwd: string, timeout: number, env: NodeJS.ProcessEnv): string {
  const outcome = exec(command, args, cwd, timeout, env);
  if (!outcome.ok) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${outcome.status}\n--- stdout\n${outcome.stdout}\n--- stderr\n${outcome.stderr}`);
  }
  return outcome.stdout;
}
