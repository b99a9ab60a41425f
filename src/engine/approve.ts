import type { Answers } from '../answers/answers.js';
import type { IoHost } from '../io/host.js';
import { DeclinedError, MissingAnswerError } from './errors.js';
import { optInFor, type Change, type Step } from './types.js';

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
): Promise<void> {
  if (changes.length === 0) return;
  const byId = new Map(steps.map((s) => [s.id, s]));
  const unapprovedDestructive = changes.filter((c) => {
    if (c.risk !== 'destructive') return false;
    const optIn = optInFor(byId.get(c.step), c);
    const section = answers.steps[c.step];
    return !(optIn && section && section[optIn] === true);
  });

  if (!host.interactive) {
    const missing: string[] = [];
    if (!yes) missing.push('approval of the plan: pass --yes');
    for (const c of changes.filter((c) => c.revealsSecret)) {
      missing.push(`a terminal to show the one-time password on, for "${c.summary}": run apply at a terminal, or leave the user out of the answers`);
    }
    for (const c of unapprovedDestructive) {
      const optIn = optInFor(byId.get(c.step), c);
      missing.push(
        optIn
          ? `opt-in for the destructive change "${c.summary}": set steps.${c.step}.${optIn}: true in the answers file`
          : `the destructive change "${c.summary}" can only be approved at a terminal`,
      );
    }
    if (missing.length) {
      throw new MissingAnswerError(
        `nothing was changed: this run needs ${missing.length === 1 ? 'an answer' : 'answers'} and there is no terminal to ask on:\n  - ${missing.join('\n  - ')}`,
        'Destructive changes are never approved by --yes alone.',
      );
    }
    return;
  }

  if (!yes) {
    const ok = await host.request({
      kind: 'confirm',
      code: 'GW_APPROVE_PLAN',
      message: `Apply ${changes.length === 1 ? 'this change' : `these ${changes.length} changes`}?`,
      default: false,
      howToAnswer: 'Pass --yes to approve the plan without asking.',
    });
    if (!ok) throw new DeclinedError('Plan not approved; nothing was changed.');
  }
  for (const c of unapprovedDestructive) {
    const word = c.action === 'delete' ? 'delete' : 'replace';
    const ok = await host.request({
      kind: 'typed-confirm',
      code: 'GW_APPROVE_DESTRUCTIVE',
      message: `Destructive: ${c.summary} (account ${c.account.id}).`,
      expected: word,
      howToAnswer: `Set steps.${c.step}.${optInFor(byId.get(c.step), c) ?? '...'}: true in the answers file.`,
    });
    if (!ok) throw new DeclinedError(`Destructive change not confirmed: ${c.summary}. Nothing was changed.`);
  }
}
