import { existsSync } from 'node:fs';
import { saveAnswers } from '../answers/template.js';
import type { Answers } from '../answers/answers.js';
import type { Step } from '../kit/step.js';
import type { Change } from '../model.js';
import type { IoHost } from '../io/host.js';

export type StepState = 'done' | 'to do' | 'drifted';

/**
 * Each chosen step's state, read from the plan: nothing to change is done, only things to create is
 * to do, anything to update, replace or delete has drifted from the answers.
 */
export function stepStates(steps: readonly Step[], changes: Change[]): { step: Step; state: StepState }[] {
  return steps.map((step) => {
    const mine = changes.filter((c) => c.step === step.id);
    const state: StepState = mine.length === 0 ? 'done' : mine.every((c) => c.action === 'create') ? 'to do' : 'drifted';
    return { step, state };
  });
}

/** One screen: where each step stands before anything is changed. */
export function showOverview(host: IoHost, steps: readonly Step[], changes: Change[]): void {
  const width = Math.max(0, ...steps.map((s) => s.id.length)) + 2;
  const lines = stepStates(steps, changes).map(({ step, state }) => `  ${state.padEnd(8)} ${step.id.padEnd(width)} ${step.title}`);
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
