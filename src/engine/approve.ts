import type { Answers } from '../answers/answers.js';
import type { IoHost } from '../io/host.js';
import { baselines, knownChanges } from '../io/summary.js';
import { DeclinedError, MissingAnswerError } from '../errors.js';
import { optInFor, type Step } from '../kit/step.js';
import type { Change } from '../model.js';

/**
 * Approval follows risk. Ordinary changes need `--yes` or a yes at the prompt. Destructive changes
 * need more: the step's opt-in in the answers file, or a typed confirmation at a terminal; `--yes`
 * alone never approves them. Without a terminal, everything missing is reported at once (exit 2)
 * before anything is written.
 */
export async function approvePlan(
  host: IoHost,
  changes: Change[],
  steps: readonly Step[],
  answers: Answers,
  yes: boolean,
): Promise<Change[]> {
  if (changes.length === 0) return [];
  const rules = new OptIns(steps, answers);
  if (!host.interactive) return approveWithoutTerminal(changes, rules, yes);
  const approved = yes ? changes : await askForApproval(host, changes);
  for (const c of rules.unapprovedDestructive(approved)) {
    const word = c.action === 'delete' ? 'delete' : 'replace';
    const ok = await host.request({
      kind: 'typed-confirm',
      code: 'GW_APPROVE_DESTRUCTIVE',
      message: `Destructive: ${c.summary} (account ${c.account.id}).`,
      expected: word,
      howToAnswer: `Set ${rules.optInWords(c) || `steps.${c.step}.<opt-in>: true`} in the answers file.`,
    });
    if (!ok) throw new DeclinedError(`Destructive change not confirmed: ${c.summary}. Nothing was changed.`);
  }
  return approved;
}

/** Which answers key opts in to each destructive change, and whether the answers set it. */
class OptIns {
  private readonly byId: Map<string, Step>;
  constructor(
    steps: readonly Step[],
    private readonly answers: Answers,
  ) {
    this.byId = new Map(steps.map((s) => [s.id, s]));
  }

  optIn(c: Change): string[] {
    return optInFor(this.byId.get(c.step), c);
  }

  /** `steps.<step>.<key>: true`, for each key the change needs. */
  optInWords(c: Change): string {
    return this.optIn(c)
      .map((key) => `steps.${c.step}.${key}: true`)
      .join(' and ');
  }

  unapprovedDestructive(changes: Change[]): Change[] {
    return changes.filter((c) => {
      if (c.risk !== 'destructive') return false;
      const optIn = this.optIn(c);
      const section = this.answers.steps[c.step];
      return !(optIn.length && section && optIn.every((key) => section[key] === true));
    });
  }
}

/** Without a terminal everything must be given up front; what is missing is reported at once, before any write. */
function approveWithoutTerminal(changes: Change[], rules: OptIns, yes: boolean): Change[] {
  const missing: string[] = [];
  if (!yes) missing.push('approval of the plan: pass --yes');
  for (const c of changes.filter((c) => c.revealsSecret)) {
    missing.push(
      `a terminal to show the one-time password on, for "${c.summary}": run apply at a terminal, or leave the user out of the answers`,
    );
  }
  for (const c of rules.unapprovedDestructive(changes)) {
    const optIn = rules.optInWords(c);
    missing.push(
      optIn
        ? `opt-in for the destructive change "${c.summary}": set ${optIn} in the answers file`
        : `the destructive change "${c.summary}" can only be approved at a terminal`,
    );
  }
  if (missing.length) {
    throw new MissingAnswerError(
      `nothing was changed: this run needs ${missing.length === 1 ? 'an answer' : 'answers'} and there is no terminal to ask on:\n  - ${missing.join('\n  - ')}`,
      'Destructive changes are never approved by --yes alone.',
    );
  }
  return changes;
}

const withBaselines = (changes: Change[]) => {
  const words = baselines(changes);
  return words ? `, and ${words}` : '';
};

/** All, some steps, or nothing: the person's answer at the terminal. */
async function askForApproval(host: IoHost, changes: Change[]): Promise<Change[]> {
  const choice = await host.request({
    kind: 'select',
    code: 'GW_APPROVE_PLAN',
    message: `Apply ${changes.length === 1 ? 'this change' : `these ${knownChanges(changes)} changes`}${withBaselines(changes)}?`,
    choices: [
      { value: 'all', name: `Apply all ${knownChanges(changes)}` },
      { value: 'choose', name: 'Choose steps' },
      { value: 'stop', name: 'Stop, change nothing' },
    ],
    howToAnswer: 'Pass --yes to approve the plan without asking.',
  });
  if (choice === 'stop') throw new DeclinedError('Plan not approved; nothing was changed.');
  return choice === 'choose' ? chooseSteps(host, changes) : changes;
}

/**
 * Keeps the changes of the steps the person picks. A new account's baseline depends on the account
 * being created, so it goes when member-accounts is left out.
 */
async function chooseSteps(host: IoHost, changes: Change[]): Promise<Change[]> {
  const ids = [...new Set(changes.map((c) => c.step))];
  const picked = await host.request({
    kind: 'checkbox',
    code: 'GW_CHOOSE_STEPS',
    message: 'Which steps should be applied now? (space to toggle, enter to confirm)',
    choices: ids.map((id) => ({ value: id, name: `${id} (${changes.filter((c) => c.step === id).length} changes)`, checked: true })),
    howToAnswer: 'Use --only or --skip to choose steps without asking.',
  });
  const kept = changes.filter((c) => picked.includes(c.step) && !(c.account.pending && !picked.includes('member-accounts')));
  if (kept.length === 0) throw new DeclinedError('No step chosen; nothing was changed.');
  return kept;
}
