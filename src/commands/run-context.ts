import { existsSync } from 'node:fs';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { closest, commandLine, type Args } from '../args.js';
import { parseSetFlag, resolveAnswers, type Answers } from '../answers/answers.js';
import { saveAnswers } from '../answers/template.js';
import { AwsSession } from '../aws/session.js';
import type { RetryPolicy } from '../aws/retry.js';
import type { ConcurrencyLimits } from '../aws/concurrency.js';
import { UsageError } from '../errors.js';
import { ACCOUNT_SOURCE, REGISTRY } from '../registry.js';
import { contextFor, managementAccount, type RunOptions } from '../engine/runner.js';
import { withApplyCommand } from '../kit/builders.js';
import type { Step } from '../kit/step.js';
import type { Finding } from '../model.js';
import type { IoHost } from '../io/host.js';
import type { RenderContext, SkippedStep } from '../io/render.js';
import { packageVersion } from '../package-info.js';
import { withSpinner } from '../io/spinner.js';
import { costEstimate } from '../costs/monthly-costs.js';
import { askPeoplePath, IAM_USERS_CHOSEN } from './wizard-screens.js';

/** What embedders and tests may inject; the CLI itself passes only env. */
export interface RunDeps {
  env: NodeJS.ProcessEnv;
  credentials?: AwsCredentialIdentityProvider;
  onSend?: RunOptions['onSend'];
  settle?: RunOptions['settle'];
  sleep?: RunOptions['sleep'];
  signal?: AbortSignal;
  retry?: RetryPolicy;
  /** The run's limits on requests in flight (tests watch them back off). */
  limits?: ConcurrencyLimits;
  roleRetry?: { attempts: number; delayMs: number };
  /** The clock reports are stamped with (tests fix it). */
  now?: () => Date;
  /** The Node.js version the notice is about (tests fix it); `process.versions.node` otherwise. */
  nodeVersion?: string;
}

/**
 * `--only` and `--skip`, checked against the registry. A step named in both is refused rather than
 * resolved: either reading (run it, leave it out) may be the one meant, and guessing would hide the
 * mistake, so the person says which (exit 2, before anything is read).
 */
export function chooseSteps(args: Pick<Args, 'only' | 'skip'>, registry: readonly Step[] = REGISTRY): Step[] {
  const known = registry.map((s) => s.id);
  for (const [flag, ids] of [
    ['--only', args.only],
    ['--skip', args.skip],
  ] as const) {
    for (const id of ids ?? []) {
      if (known.includes(id)) continue;
      const guess = closest(id, known);
      throw new UsageError(`${flag}: "${id}" is not a step${guess ? `; did you mean ${guess}?` : ''}`, `Steps: ${known.join(', ')}.`);
    }
  }
  const both = (args.only ?? []).filter((id) => args.skip?.includes(id));
  if (both.length) {
    throw new UsageError(
      `${both.join(', ')} ${both.length === 1 ? 'is' : 'are'} in both --only and --skip`,
      'Name each step in one of them: --only runs just the steps it names, --skip leaves steps out.',
    );
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
  /** Said once, right after the caller: the Node.js notice (see `nodeNotice`). */
  notice?: string;
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
  const notice = nodeNotice(args, host, deps);
  let session = readFirst ? await openSession(args, host, deps, undefined) : undefined;
  const suggested = session ? await startScreen(session, host, candidates, deps, notice) : undefined;
  const people = session ? await peoplePath(host, candidates) : { ask: candidates, leftOut: {} };
  const { answers } = await resolveAnswers({
    ...(args.answers ? { answersFile: args.answers } : {}),
    sets,
    steps: REGISTRY,
    ask: people.ask,
    host,
    ...(suggested ? { suggested } : {}),
    ...(people.preset ? { preset: people.preset } : {}),
  });
  // A step the wizard left out is not in the answers either, `--set` for it included: saved answers replay the choice.
  for (const id of Object.keys(people.leftOut)) delete answers.steps[id];
  const { steps, skipped } = stepsToRun(args, candidates, answers, host, people.leftOut);
  if (args.saveAnswers) await saveRunAnswers(args.saveAnswers, answers, host);
  session ??= await openSession(args, host, deps, answers.region);
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
  return { answers, steps, skipped, announced: readFirst, run, ...(notice ? { notice } : {}) };
}

interface PeoplePlan {
  /** The steps whose answers are asked. */
  ask: Step[];
  /** Answers the choice settles, per step (see `ResolveOptions.preset`). */
  preset?: Record<string, Record<string, unknown>>;
  /** Steps the choice leaves out of the run, with why. */
  leftOut: Record<string, string>;
}

/**
 * The wizard's people question, when both ways people may sign in are among the steps it asks about:
 * Identity Center keeps admin-group's users empty (the group stays for break-glass, and whoever runs
 * this keeps signing in as now) and asks for Identity Center's people; IAM users leave identity-center
 * out and ask admin-group's users as before. With --only or --skip leaving either out, nothing is asked.
 */
async function peoplePath(host: IoHost, candidates: Step[]): Promise<PeoplePlan> {
  const has = (id: string) => candidates.some((s) => s.id === id);
  if (!has('identity-center') || !has('admin-group')) return { ask: candidates, leftOut: {} };
  if ((await askPeoplePath(host)) === 'identity-center') return { ask: candidates, preset: { 'admin-group': { users: [] } }, leftOut: {} };
  return { ask: candidates.filter((s) => s.id !== 'identity-center'), leftOut: { 'identity-center': IAM_USERS_CHOSEN } };
}

/** The chosen steps the answers configure, and why each other step is left out (said at once). */
function stepsToRun(
  args: Args,
  candidates: Step[],
  answers: Answers,
  host: IoHost,
  leftOut: Record<string, string>,
): { steps: Step[]; skipped: SkippedStep[] } {
  const skipped: SkippedStep[] = REGISTRY.filter((s) => !candidates.includes(s)).map((s) => ({
    step: s.id,
    reason: args.skip?.includes(s.id) ? 'left out by --skip' : 'not in --only',
  }));
  const steps: Step[] = [];
  for (const s of candidates) {
    const section = answers.steps[s.id];
    const why = leftOut[s.id];
    if (why) skipped.push({ step: s.id, reason: why });
    else if (section === false) skipped.push({ step: s.id, reason: 'set to false in the answers file' });
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

/**
 * The Node.js notice, for the one reader who can act on it: a person in the wizard. Scripted runs
 * (plan, apply, verify with answers, CI every day) would print the same line on every run, where it is
 * noise; this release runs on Node 20.19 and bundles the AWS SDK it was tested with.
 */
function nodeNotice(args: Args, host: IoHost, deps: RunDeps): string | undefined {
  const version = deps.nodeVersion ?? process.versions.node;
  if (args.command !== 'wizard' || !host.interactive || Number.parseInt(version.split('.')[0] ?? '0', 10) >= 22) return undefined;
  return `Node ${version} works; Node 22 or newer is recommended (AWS SDK releases from 2027 need it).`;
}

export function openSession(args: Args, host: IoHost, deps: RunDeps, answersRegion: string | undefined): Promise<AwsSession> {
  return AwsSession.create({
    env: deps.env,
    ...(args.profile ? { profile: args.profile } : {}),
    ...(args.region || answersRegion ? { region: (args.region || answersRegion) as string } : {}),
    ...(args.endpointUrl ? { endpointUrl: args.endpointUrl } : {}),
    ...(deps.credentials ? { credentials: deps.credentials } : {}),
    ...(deps.roleRetry ? { roleRetry: deps.roleRetry } : {}),
    ...(deps.retry ? { retry: deps.retry } : {}),
    ...(deps.limits ? { limits: deps.limits } : {}),
    notify: (message) => host.notify(message),
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
  notice: string | undefined,
): Promise<Record<string, Record<string, unknown>>> {
  await introduce(session, host, notice);
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
  await introduce(prepared.run.session, host, prepared.notice);
}

export async function introduce(session: AwsSession, host: IoHost, notice: string | undefined): Promise<void> {
  const caller = await withSpinner(host, 'Checking who you are in AWS', () => session.caller());
  host.notify({
    code: 'GW_CALLER',
    level: 'info',
    text: `Account ${caller.accountId} as ${caller.arn}, home region ${session.region}${session.endpoint ? `, endpoint ${session.endpoint}` : ''}.`,
  });
  if (notice) host.notify({ code: 'GW_NODE_VERSION', level: 'info', text: notice });
  if (caller.isRoot) {
    host.notify({
      code: 'GW_CALLER_IS_ROOT',
      level: 'warn',
      text: 'You are running as the root user. Let this run create the admin group and your admin user, then finish the set-up as that admin (signed in with MFA) and keep root for the few tasks only it can do.',
    });
  }
}

/**
 * Findings as this run reports them, in every format: a remediation that says to run the apply names
 * the apply that works for this run (its answers file, --set, steps, profile, region, endpoint).
 */
export function forThisRun(findings: Finding[], args: Args): Finding[] {
  const command = commandLine(args, 'apply');
  return findings.map((f) => ({ ...f, remediation: withApplyCommand(f.remediation, command) }));
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
    // A plan prices the run's steps once applied; verify prices what is in place (it replaces this).
    ...(command === 'plan' ? { cost: costEstimate(prepared.steps.map((s) => s.id)) } : {}),
  };
}
