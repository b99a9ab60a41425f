import { isDeepStrictEqual } from 'node:util';
import { check } from '../../src/kit/builders.js';
import type { PlannedFinding } from '../../src/kit/step.js';
import type { Check } from '../../src/model.js';
import { EVERY_GUARDRAIL, placeName, type Layout } from './layout.js';
import type { Live } from './live.js';
import { policyText, type Guardrail } from './policies.js';
import { SHORT } from './reads.js';

const REMEDIATION = 'Run `aws-groundwork apply` to restore the guardrail: it recreates, restores and re-attaches what is missing.';

/** The check of the policy types behind every guardrail. */
export const POLICY_TYPES_CHECK: Check = {
  id: 'guardrails.policy-types',
  title: 'Service and resource control policies are enabled on the root, so the guardrails apply',
  remediation: 'Run `aws-groundwork apply` to enable them again (the guardrails are attached again with them).',
};

/** One check per check id of the guardrails (several guardrails may share one), with what they prevent as the title. */
export const GUARDRAIL_CHECKS: Check[] = [...new Set(EVERY_GUARDRAIL.map((g) => g.check))].map((id) => {
  const gs = EVERY_GUARDRAIL.filter((g) => g.check === id);
  const title = `${gs.map((g) => `${SHORT[g.type]} ${g.name}`).join(', ')} in place, as written, where it belongs: ${gs.map((g) => g.prevents).join('; ')}`;
  return { id, title, remediation: REMEDIATION };
});

/** What is wrong with one guardrail: missing, edited, its type disabled, detached from a place, or waiting for an account. */
function problemsOf(g: Guardrail, layout: Layout, live: Live): string[] {
  const problems: string[] = [];
  if (live.root && !live.root.enabled.has(g.type)) problems.push(`${g.name} does not apply: ${SHORT[g.type]}s are disabled on the root`);
  const found = live.found.get(g.name);
  if (!found) problems.push(`the ${SHORT[g.type]} ${g.name} does not exist`);
  else if (!isDeepStrictEqual(found.content, JSON.parse(policyText(g))))
    problems.push(`${g.name} differs from this version's document (edited outside this tool, or written by an earlier version)`);
  for (const place of layout.places.get(g) ?? []) {
    const id = place.kind === 'root' ? live.root?.id : place.account.id;
    if (found && !(id !== undefined && found.targets.has(id))) problems.push(`${g.name} is not attached to ${placeName(place)}`);
  }
  for (const { account } of layout.pending.filter((p) => p.guardrails.some((x) => x.name === g.name))) {
    problems.push(`${account.name} does not exist yet, so ${g.name} is not attached to it`);
  }
  return problems;
}

/** Where a guardrail holds, for a passing finding (what it prevents is the check's title). */
function holds(g: Guardrail, layout: Layout): string {
  const places = (layout.places.get(g) ?? []).map(placeName);
  return places.length
    ? `${g.name} is attached to ${places.join(', ')}, as written`
    : `${g.name}: no account of this organization needs it`;
}

/** One finding per guardrail check, and one for the policy types; every one fails while there is no organization. */
export function verifyGuardrails(layout: Layout, live: Live): PlannedFinding[] {
  const waiting = layout.pending.flatMap((p) => p.guardrails);
  const all = [...layout.wanted, ...waiting.filter((g) => !layout.wanted.some((w) => w.name === g.name))];
  if (!live.root) {
    const reason = live.unusable ?? 'the account is in no organization: `aws-groundwork apply` with the organization step makes it';
    return [POLICY_TYPES_CHECK, ...GUARDRAIL_CHECKS.filter((c) => all.some((g) => g.check === c.id))].map((c) =>
      check(c, 'organizations:root', reason, ''),
    );
  }
  const types = [...new Set(all.map((g) => g.type))];
  const off = types.filter((t) => !live.root?.enabled.has(t));
  const findings = [
    check(
      POLICY_TYPES_CHECK,
      `organizations:root/${live.root.id}`,
      off.map(
        (t) =>
          `${SHORT[t]}s are disabled on the root, so ${all
            .filter((g) => g.type === t)
            .map((g) => g.name)
            .join(', ')} do not apply`,
      ),
      `${types.map((t) => `${SHORT[t]}s`).join(' and ')} are enabled on the root`,
    ),
  ];
  for (const c of GUARDRAIL_CHECKS) {
    const gs = all.filter((g) => g.check === c.id);
    if (gs.length === 0) continue;
    const resource = gs.map((g) => `organizations:policy/${g.name}`).join(', ');
    findings.push(
      check(
        c,
        resource,
        gs.flatMap((g) => problemsOf(g, layout, live)),
        gs.map((g) => holds(g, layout)).join('; '),
      ),
    );
  }
  return findings;
}
