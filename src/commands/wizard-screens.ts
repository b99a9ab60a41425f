import { existsSync } from 'node:fs';
import { saveAnswers } from '../answers/template.js';
import type { Answers } from '../answers/answers.js';
import type { Step } from '../kit/step.js';
import type { Change } from '../model.js';
import type { IoHost } from '../io/host.js';
import type { SkippedStep } from '../io/render.js';
import { REGISTRY } from '../registry.js';

export type StepState = 'done' | 'to do' | 'drifted' | 'not configured';

/** Why identity-center is not in a run whose person chose IAM users at the wizard's people question. */
export const IAM_USERS_CHOSEN = 'people sign in as IAM users (chosen in the wizard)';

/** Why a step is not in the run that means the answers leave it out (not --only or --skip). */
const LEFT_OUT_BY_ANSWERS = ['set to false in the answers file', 'not in the answers file', IAM_USERS_CHOSEN];

/** How people sign in to AWS: the wizard's one choice across steps, asked before the steps' questions. */
export type PeoplePath = 'identity-center' | 'iam-users';

/**
 * The people question, for a run that would ask both identity-center's and admin-group's answers:
 * Identity Center first, as recommended, each way with what it costs. Identity Center keeps the admin
 * group for break-glass, with no new users; IAM users leave Identity Center out of the run.
 */
export async function askPeoplePath(host: IoHost): Promise<PeoplePath> {
  const choice = await host.request({
    kind: 'select',
    code: 'GW_ASK_people',
    message: 'How will people sign in to AWS?',
    choices: [
      {
        value: 'identity-center',
        name:
          'IAM Identity Center (recommended): each person signs in at the access portal with short-lived credentials, in admin, ' +
          'developer or read-only groups in every account; the admin group stays for break-glass emergencies',
      },
      {
        value: 'iam-users',
        name: 'IAM users in the admin group: one-time console passwords shown once, MFA enforced; no access portal, no short-lived credentials',
      },
    ],
    howToAnswer:
      'Without a terminal the answers file decides: give steps.identity-center (with its users) for Identity Center, ' +
      'or leave it out and name the IAM users in steps.admin-group.users.',
  });
  return choice === 'iam-users' ? 'iam-users' : 'identity-center';
}

/**
 * A step whose answers are only lists, all empty (member-accounts without accounts), has nothing to
 * do by its answers' own choice: its empty plan means "not configured", not "done".
 */
function configuresNothing(step: Step, answers: Answers): boolean {
  const fields = Object.entries(step.answers.fields);
  const section = answers.steps[step.id];
  if (!section || fields.length === 0) return false;
  return fields.every(([key, f]) => f.kind === 'list' && Array.isArray(section[key]) && section[key].length === 0);
}

/**
 * Each step's state, read from the plan: nothing to change is done, only things to create is to do,
 * anything to update, replace or delete has drifted from the answers; a step the answers leave out,
 * or give nothing to do, is not configured.
 */
export function stepStates(
  steps: readonly Step[],
  changes: Change[],
  answers: Answers,
  skipped: readonly SkippedStep[] = [],
): { step: Step; state: StepState; changes: Change[] }[] {
  const leftOut = new Set(skipped.filter((s) => LEFT_OUT_BY_ANSWERS.includes(s.reason)).map((s) => s.step));
  const shown = REGISTRY.filter((s) => steps.includes(s) || leftOut.has(s.id));
  return shown.map((step) => {
    const mine = changes.filter((c) => c.step === step.id);
    const state: StepState =
      leftOut.has(step.id) || (mine.length === 0 && configuresNothing(step, answers))
        ? 'not configured'
        : mine.length === 0
          ? 'done'
          : mine.every((c) => c.action === 'create')
            ? 'to do'
            : 'drifted';
    return { step, state, changes: mine };
  });
}

/** What a step would do: its changes counted, or, when not configured, what it is for. */
function wouldDo(step: Step, state: StepState, changes: Change[]): string {
  if (state === 'done') return 'in place';
  if (state === 'not configured') return `not in these answers; it ${step.description.charAt(0).toLowerCase()}${step.description.slice(1)}`;
  const count = (action: Change['action'], word: string) => {
    const n = changes.filter((c) => c.action === action).length;
    return n ? [`${n} to ${word}`] : [];
  };
  return [...count('create', 'create'), ...count('update', 'update'), ...count('replace', 'replace'), ...count('delete', 'delete')].join(
    ', ',
  );
}

/** One screen: where each step stands before anything is changed, and what the run would do about it. */
export function showOverview(
  host: IoHost,
  steps: readonly Step[],
  changes: Change[],
  answers: Answers,
  skipped: readonly SkippedStep[] = [],
): void {
  const states = stepStates(steps, changes, answers, skipped);
  const width = Math.max(0, ...states.map((s) => s.step.id.length)) + 2;
  const lines = states.map(
    ({ step, state, changes: mine }) => `  ${state.padEnd(14)}  ${step.id.padEnd(width)}${step.title}: ${wouldDo(step, state, mine)}`,
  );
  host.notify({ code: 'GW_OVERVIEW', level: 'info', text: `Where each step stands:\n${lines.join('\n')}` });
}

/**
 * The end of a wizard run: offer to keep the answers for re-runs, and say the one command that checks
 * the account again. Answers hold no secrets, so the file is safe to keep next to the code.
 */
export async function offerToSaveAnswers(host: IoHost, answers: Answers, given: string | undefined): Promise<void> {
  let path = given;
  if (!path) {
    const keep = await host.request({
      kind: 'confirm',
      code: 'GW_SAVE_ANSWERS',
      message: 'Save these answers to a file, to re-run or re-check without questions?',
      default: true,
      howToAnswer: 'Pass --save-answers FILE.',
    });
    if (!keep) return;
    path = await host.request({
      kind: 'input',
      code: 'GW_SAVE_ANSWERS_PATH',
      message: 'File name:',
      default: 'aws-groundwork.yaml',
      howToAnswer: 'Pass --save-answers FILE.',
      validate: (t) =>
        t.trim() === '' ? 'a file name is needed' : existsSync(t.trim()) ? `${t.trim()} exists; choose another name` : undefined,
    });
    path = path.trim();
    await saveAnswers(path, answers);
    host.notify({ code: 'GW_ANSWERS_SAVED', level: 'success', text: `Saved the answers to ${path}.` });
  }
  host.notify({
    code: 'GW_REVERIFY',
    level: 'info',
    text: `Check the account again any time: npx aws-groundwork verify --answers ${path}`,
  });
}
