import { existsSync } from 'node:fs';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { Args } from '../args.js';
import { parseSetFlag, resolveAnswers, type Answers } from '../answers/answers.js';
import { saveAnswers } from '../answers/template.js';
import { AwsSession } from '../aws/session.js';
import type { RetryPolicy } from '../aws/retry.js';
import { UsageError } from '../errors.js';
import { ACCOUNT_SOURCE, REGISTRY } from '../registry.js';
import { contextFor, managementAccount, type RunOptions } from '../engine/runner.js';
import type { Step } from '../kit/step.js';
import type { IoHost } from '../io/host.js';
import type { RenderContext, SkippedStep } from '../io/render.js';
import { packageVersion } from '../package-info.js';
import { withSpinner } from '../io/spinner.js';

/** What embedders and tests may inject; the CLI itself passes only env. */
export interface RunDeps {
  env: NodeJS.ProcessEnv;
  credentials?: AwsCredentialIdentityProvider;
  onSend?: RunOptions['onSend'];
  settle?: RunOptions['settle'];
  sleep?: RunOptions['sleep'];
  signal?: AbortSignal;
  retry?: RetryPolicy;
  roleRetry?: { attempts: number; delayMs: number };
  /** The clock reports are stamped with (tests fix it). */
  now?: () => Date;
}

/** `--only` and `--skip`, checked against the registry. */
export function chooseSteps(args: Pick<Args, 'only' | 'skip'>, registry: readonly Step[] = REGISTRY): Step[] {
  const known = new Set(registry.map((s) => s.id));
  for (const [flag, ids] of [
    ['--only', args.only],
    ['--skip', args.skip],
  ] as const) {
    for (const id of ids ?? []) {
      if (!known.has(id)) throw new UsageError(`${flag}: "${id}" is not a step`, `Steps: ${[...known].join(', ')}.`);
    }
  }
  return registry.filter((s) => (!args.only || args.only.includes(s.id)) && !args.skip?.includes(s.id));
}

export interface Prepared {
  answers: Answers;
  steps: Step[];
  skipped: SkippedStep[];
  run: RunOptions;
  /** The caller was already introduced (the wizard does it before its questions). */
  announced?: boolean;
}

/**
 * Everything a plan/apply/verify needs, in the order that keeps bad input harmless: flags, answers
 * (validated in full), and only then an AWS session. Nothing before the session can reach AWS. The
 * one exception is the wizard at a terminal without an answers file: it reads the account first, to
 * say where it stands and to offer the live values as defaults; those reads never write.
 */
export async function prepareRun(args: Args, host: IoHost, deps: RunDeps): Promise<Prepared> {
  const candidates = chooseSteps(args);
  const sets = args.set.map((s) => parseSetFlag(s, REGISTRY));
  const readFirst = !args.answers && host.interactive;
  let session = readFirst ? await openSession(args, host, deps, undefined) : undefined;
  const suggested = session ? await startScreen(session, host, candidates, deps) : undefined;
  const { answers } = await resolveAnswers({
    ...(args.answers ? { answersFile: args.answers } : {}),
    sets,
    steps: REGISTRY,
    ask: candidates,
    host,
    ...(suggested ? { suggested } : {}),
  });
  const { steps, skipped } = stepsToRun(args, candidates, answers, host);
  if (args.saveAnswers) await saveRunAnswers(args.saveAnswers, answers, host);
  session ??= await openSession(args, host, deps, answers.region);
  if (nodeMajor() < 22) {
    host.notify({
      code: 'GW_NODE_VERSION',
      level: 'info',
      text: `Node ${process.versions.node} works; Node 22 or newer is recommended (AWS SDK releases from 2027 need it).`,
    });
  }
  const run: RunOptions = {
    host,
    session,
    steps,
    answers,
    ...(ACCOUNT_SOURCE ? { accountSource: ACCOUNT_SOURCE } : {}),
    ...(deps.onSend ? { onSend: deps.onSend } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
    settle: deps.settle ?? { attempts: 4, delayMs: 1500 },
  };
  return { answers, steps, skipped, announced: readFirst, run };
}

/** The chosen steps the answers configure, and why each other step is left out (said at once). */
function stepsToRun(args: Args, candidates: Step[], answers: Answers, host: IoHost): { steps: Step[]; skipped: SkippedStep[] } {
  const skipped: SkippedStep[] = REGISTRY.filter((s) => !candidates.includes(s)).map((s) => ({
    step: s.id,
    reason: args.only ? 'not in --only' : 'left out by --skip',
  }));
  const steps: Step[] = [];
  for (const s of candidates) {
    const section = answers.steps[s.id];
    if (section === false) skipped.push({ step: s.id, reason: 'set to false in the answers file' });
    else if (section === undefined) skipped.push({ step: s.id, reason: 'not in the answers file' });
    else steps.push(s);
  }
  for (const s of skipped) host.notify({ code: 'GW_STEP_SKIPPED', level: 'info', text: `Skipping ${s.step}: ${s.reason}.` });
  if (steps.length === 0) throw new UsageError('no steps to run', 'Check --only/--skip and the steps in the answers file.');
  return { steps, skipped };
}

/**
 * `--save-answers`: never replaces a file without a yes. At a terminal it asks; elsewhere it refuses
 * (exit 2, and nothing sent yet when the answers came from a file).
 */
async function saveRunAnswers(file: string, answers: Answers, host: IoHost): Promise<void> {
  const overwrite =
    existsSync(file) &&
    host.interactive &&
    (await host.request({
      kind: 'confirm',
      code: 'GW_OVERWRITE_ANSWERS',
      message: `${file} exists. Replace it with the answers of this run?`,
      default: false,
      howToAnswer: 'Give --save-answers a new file name.',
    }));
  await saveAnswers(file, answers, overwrite);
  host.notify({ code: 'GW_ANSWERS_SAVED', level: 'info', text: `Saved the answers to ${file}.` });
}

const nodeMajor = () => Number.parseInt(process.versions.node.split('.')[0] ?? '0', 10);

function openSession(args: Args, host: IoHost, deps: RunDeps, answersRegion: string | undefined): Promise<AwsSession> {
  return AwsSession.create({
    env: deps.env,
    ...(args.profile ? { profile: args.profile } : {}),
    ...(args.region || answersRegion ? { region: (args.region || answersRegion) as string } : {}),
    ...(args.endpointUrl ? { endpointUrl: args.endpointUrl } : {}),
    ...(deps.credentials ? { credentials: deps.credentials } : {}),
    ...(deps.roleRetry ? { roleRetry: deps.roleRetry } : {}),
    ...(deps.retry ? { retry: deps.retry } : {}),
    mfaCode: (serial) =>
      host.request({
        kind: 'secret',
        code: 'GW_MFA_CODE',
        message: `MFA code for ${serial}:`,
        howToAnswer:
          'This profile has mfa_serial; run at a terminal, or use credentials that need no MFA code (for example an SSO profile or AWS CloudShell).',
      }),
  });
}

/**
 * The wizard's first screen: who and where, what the account already has (from the steps' `suggest`),
 * and the live values that become the questions' defaults.
 */
async function startScreen(
  session: AwsSession,
  host: IoHost,
  steps: Step[],
  deps: RunDeps,
): Promise<Record<string, Record<string, unknown>>> {
  await introduce(session, host);
  const management = await managementAccount(session);
  const run: RunOptions = { host, session, steps, answers: { version: 1, steps: {} }, ...(deps.onSend ? { onSend: deps.onSend } : {}) };
  const suggested: Record<string, Record<string, unknown>> = {};
  const facts: string[] = [];
  for (const step of steps) {
    if (!step.suggest) continue;
    const found = await withSpinner(host, `Reading ${step.title.toLowerCase()}`, async () =>
      step.suggest?.(await contextFor(run, { step, account: management }, 'plan')),
    );
    if (found?.defaults) suggested[step.id] = found.defaults;
    facts.push(...(found?.facts ?? []));
  }
  if (facts.length) host.notify({ code: 'GW_START_FACTS', level: 'info', text: facts.map((f) => `  ${f}`).join('\n') });
  return suggested;
}

/** Says who and where, once, before the first AWS result is shown. */
export async function announceCaller(prepared: Prepared, host: IoHost): Promise<void> {
  if (prepared.announced) return;
  await introduce(prepared.run.session, host);
}

async function introduce(session: AwsSession, host: IoHost): Promise<void> {
  const caller = await withSpinner(host, 'Checking who you are in AWS', () => session.caller());
  host.notify({
    code: 'GW_CALLER',
    level: 'info',
    text: `Account ${caller.accountId} as ${caller.arn}, home region ${session.region}${session.endpoint ? `, endpoint ${session.endpoint}` : ''}.`,
  });
  if (caller.isRoot) {
    host.notify({
      code: 'GW_CALLER_IS_ROOT',
      level: 'warn',
      text: 'You are running as the root user. Let this run create the admin group and your admin user, then finish the set-up as that admin (signed in with MFA) and keep root for the few tasks only it can do.',
    });
  }
}

/** Which step declares which check, and its title: what reports print beside a control id. */
export function checkTitles(): Map<string, string> {
  return new Map(REGISTRY.flatMap((s) => s.checks.map((c) => [c.id, c.title] as const)));
}

/** The metadata a JSON or markdown result carries: tool, caller, region and the run's times. */
export async function renderContext(
  prepared: Prepared,
  command: 'plan' | 'verify',
  startedAt: Date,
  deps: RunDeps,
): Promise<RenderContext> {
  const caller = await prepared.run.session.caller();
  return {
    info: {
      tool: { name: 'aws-groundwork', version: packageVersion() },
      command,
      startedAt: startedAt.toISOString(),
      finishedAt: (deps.now?.() ?? new Date()).toISOString(),
      caller: { arn: caller.arn, accountId: caller.accountId },
      region: prepared.run.session.region,
    },
    titles: checkTitles(),
    skipped: prepared.skipped,
  };
}
