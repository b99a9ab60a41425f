import { helpText, parseCliArgs, type Args } from './args.js';
import type { Outcome } from './commands/outcome.js';
import type { RunDeps } from './commands/run-context.js';
import { AwsAccessError, DeclinedError, InterruptedError, UsageError } from './errors.js';
import type { IoHost } from './io/host.js';
import { STEP_LIST } from './step-list.js';
import { InteractiveHost, NonInteractiveHost, type Streams } from './io/terminal-host.js';
import { packageVersion } from './package-info.js';

export const EXIT = { ok: 0, error: 1, usage: 2, attention: 3, interrupted: 130, terminated: 143 } as const;

const OUTCOME_EXIT: Record<Outcome, number> = {
  ok: EXIT.ok,
  'changes-pending': EXIT.attention,
  'controls-failing': EXIT.attention,
  'step-failed': EXIT.error,
};

export interface CliDeps extends Partial<RunDeps> {
  /** Replaces the terminal hosts (tests). */
  host?: IoHost;
}

/** A person can be asked only when both the keyboard and the prompt's stream are a terminal. */
function chooseHost(streams: Streams, env: NodeJS.ProcessEnv): IoHost {
  return streams.stdin.isTTY && streams.stderr.isTTY ? new InteractiveHost(streams, env) : new NonInteractiveHost(streams, env);
}

/** Runs one invocation and returns its exit code. It never exits the process itself. */
export async function runCli(argv: string[], streams: Streams, deps: CliDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const host = deps.host ?? chooseHost(streams, env);
  const runDeps: RunDeps = { ...deps, env };
  let args: Args;
  try {
    args = parseCliArgs(argv);
    if (args.help) {
      host.result(helpText(STEP_LIST));
      return EXIT.ok;
    }
    if (args.version) {
      host.result(packageVersion());
      return EXIT.ok;
    }
    const outcome = await dispatch(args, host, runDeps);
    return OUTCOME_EXIT[outcome];
  } catch (err) {
    return reportError(err, host);
  }
}

/** Commands are loaded when chosen: `--version` and bad flags answer without loading the AWS SDK. */
async function dispatch(args: Args, host: IoHost, deps: RunDeps): Promise<Outcome> {
  switch (args.command) {
    case 'plan':
      return (await import('./commands/plan.js')).planCommand(args, host, deps);
    case 'verify':
      return (await import('./commands/verify.js')).verifyCommand(args, host, deps);
    case 'apply':
    case 'wizard':
      return (await import('./commands/apply.js')).applyCommand(args, host, deps);
    case 'answers':
      return (await import('./commands/answers.js')).answersCommand(args, host, deps);
    case 'permissions':
      return (await import('./commands/permissions.js')).permissionsCommand(args, host);
    case 'sso-config':
      return (await import('./commands/sso-config.js')).handoffCommand(args, host, deps);
  }
}

function reportError(err: unknown, host: IoHost): number {
  if (err instanceof UsageError) {
    host.notify({ code: err.name, level: 'error', text: err.message });
    if (err.hint) host.notify({ code: 'GW_HINT', level: 'info', text: err.hint });
    return EXIT.usage;
  }
  if (err instanceof InterruptedError) {
    host.notify({ code: err.name, level: 'warn', text: err.message });
    return err.signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
  }
  if (err instanceof DeclinedError) {
    host.notify({ code: err.name, level: 'error', text: err.message });
    return EXIT.error;
  }
  if (err instanceof AwsAccessError) {
    host.notify({ code: err.name, level: 'error', text: err.message });
    if (err.hint) host.notify({ code: 'GW_HINT', level: 'info', text: err.hint });
    return EXIT.error;
  }
  const text = err instanceof Error ? err.message : String(err);
  host.notify({ code: err instanceof Error ? err.name : 'Error', level: 'error', text });
  return EXIT.error;
}

/** The process entry point: the only place that sets the exit code. */
export async function main(): Promise<void> {
  // The SDK's multi-line NodeVersionSupportWarning would break into the wizard's output; the run says
  // the same in one line of its own (see prepareRun).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // First Ctrl-C: finish the AWS call in flight, start nothing new, exit 130. Second: leave now (the
  // call in flight may or may not have happened; a re-run plans from what AWS says either way).
  // SIGTERM (a CI job cancelled, a container stopped) is handled the same way, exit 143.
  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
    interrupt.abort('SIGINT');
    process.stderr.write('\nStopping after the current AWS call (Ctrl-C again to quit at once)...\n');
  };
  const onSigterm = () => {
    if (interrupt.signal.aborted) process.exit(EXIT.terminated);
    interrupt.abort('SIGTERM');
    process.stderr.write('\nStopping after the current AWS call (SIGTERM)...\n');
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    process.exitCode = await runCli(
      process.argv.slice(2),
      { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
      { signal: interrupt.signal },
    );
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}
