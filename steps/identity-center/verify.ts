import { ListUsersCommand } from '@aws-sdk/client-iam';
import { allPages, hasConsolePassword } from '../../src/aws/iam-reads.js';
import { check, checks, manual } from '../../src/kit/builders.js';
import type { PlannedFinding } from '../../src/kit/step.js';
import type { AccountRef } from '../../src/model.js';
import { consolePath, consoleUrl, type Ctx, type Live } from './live.js';
import { assignmentsIn, wantedGroups, wantedSets } from './matrix.js';
import { setAddress, groupAddress, setDrift, userAddress, userDrift, assignmentsAddress } from './plan.js';

export const CHECKS = checks({
  instance: {
    id: 'identity-center.instance',
    title: 'IAM Identity Center is enabled for the organization, so people sign in with short-lived credentials',
    remediation: 'Enable it once in the IAM Identity Center console ("Enable with AWS Organizations"), then run `aws-groundwork apply`.',
  },
  permissionSets: {
    id: 'identity-center.permission-sets',
    title: "Each permission set grants exactly its AWS-managed policy, with the answers' session duration",
    remediation: 'Run `aws-groundwork apply` to restore it.',
  },
  groups: {
    id: 'identity-center.groups',
    title: "The step's groups exist in the Identity Center directory",
    remediation: 'Run `aws-groundwork apply`.',
  },
  users: {
    id: 'identity-center.users',
    title: 'Each user of the answers exists as given and is in exactly their groups; nobody else is in them',
    remediation: 'Run `aws-groundwork apply`; a member the answers do not list is removed only with removeUnlistedMembers.',
  },
  assignments: {
    id: 'identity-center.assignments',
    title: 'Every account has its groups assigned with their permission sets',
    remediation: 'Run `aws-groundwork apply`.',
  },
  breakGlass: {
    id: 'identity-center.break-glass',
    title: 'IAM users with console access are kept to the break-glass limit while people sign in through Identity Center',
    remediation: 'Move people to Identity Center users and delete the IAM console users beyond the limit (or raise breakGlassLimit).',
  },
  mfa: {
    id: 'identity-center.mfa',
    title: 'Identity Center asks for MFA at every sign-in and makes users register a device',
  },
});

export function verifyInstanceMissing(region: string): PlannedFinding[] {
  return [
    manual(
      CHECKS.instance,
      `sso:instance/${region}`,
      `IAM Identity Center has no organization instance in ${region}, and the API cannot enable one from the management account`,
      `Enable it in ${consolePath(region)}; enabled in another region? Set steps.identity-center.region. Then run \`aws-groundwork apply\`.`,
    ),
  ];
}

export function verifyIdentityCenter(ctx: Ctx, live: Live, accounts: AccountRef[]): PlannedFinding[] {
  return [
    check(CHECKS.instance, `sso:instance/${live.region}`, null, `enabled in ${live.region}`),
    ...verifySets(ctx, live),
    ...wantedGroups(ctx.answers).map((g) =>
      check(
        CHECKS.groups,
        groupAddress(g.name),
        !live.groups.has(g.name) && `the group ${g.name} does not exist`,
        `the group ${g.name} exists`,
      ),
    ),
    ...verifyUsers(ctx, live),
    ...accounts.filter((a) => !a.pending).map((a) => verifyAssignments(ctx, live, a)),
    manual(
      CHECKS.mfa,
      `sso:instance/${live.region}/mfa`,
      "Identity Center's MFA settings cannot be read through its API",
      `In the IAM Identity Center console (${consoleUrl(live.region)}), open Settings, Authentication, Multi-factor authentication, Configure: prompt users "Every time they sign in", and "Require them to register an MFA device at sign in".`,
    ),
  ];
}

function verifySets(ctx: Ctx, live: Live): PlannedFinding[] {
  return wantedSets(ctx.answers, ctx.caller.partition).map((want) => {
    const found = live.sets.get(want.name);
    const problems = found ? setDrift(want, found).problems : ['it does not exist'];
    const ok = `${want.name} grants ${want.policyArn.split('/').pop()} only, in sessions of ${want.session.slice(2).toLowerCase()}`;
    return check(CHECKS.permissionSets, setAddress(want.name), problems.length > 0 && `${want.name}: ${problems.join('; ')}`, ok);
  });
}

function verifyAssignments(ctx: Ctx, live: Live, account: AccountRef): PlannedFinding {
  const wanted = assignmentsIn(account, ctx.answers, ctx.caller.partition);
  const missing = wanted.filter((w) => {
    const arn = live.sets.get(w.set.name)?.arn;
    return !arn || !live.groups.get(w.group.name)?.assignments.has(`${account.id} ${arn}`);
  });
  const words = (list: typeof wanted) => list.map((w) => `${w.group.name} as ${w.set.name}`).join(', ');
  const problem = missing.length > 0 && `not assigned: ${words(missing)}`;
  return { ...check(CHECKS.assignments, assignmentsAddress(account.name), problem, `assigned: ${words(wanted)}`), in: account };
}

function verifyUsers(ctx: Ctx, live: Live): PlannedFinding[] {
  const out: PlannedFinding[] = [];
  for (const u of ctx.answers.users) {
    const found = live.users.get(u.userName);
    const problems = found ? userDrift(u, found).map((d) => `${u.userName} is ${d}`) : [`${u.userName} does not exist`];
    for (const group of u.groups)
      if (!found || !live.groups.get(group)?.members.has(found.id)) problems.push(`${u.userName} is not in ${group}`);
    out.push(check(CHECKS.users, userAddress(u.userName), problems, `${u.userName} is in ${u.groups.join(', ') || 'no group'}`));
  }
  for (const [group, members] of live.unlisted) {
    const names = members.map((m) => m.userName).join(', ');
    out.push(check(CHECKS.users, groupAddress(group), `in ${group} but not in the answers: ${names}`, ''));
  }
  return out;
}

/** IAM users with a console password in each account, against the limit: the break-glass path, not the daily one. */
export async function verifyBreakGlass(ctx: Ctx, accounts: AccountRef[]): Promise<PlannedFinding[]> {
  return Promise.all(accounts.filter((a) => !a.pending).map((a) => breakGlassIn(ctx, a)));
}

async function breakGlassIn(ctx: Ctx, account: AccountRef): Promise<PlannedFinding> {
  const limit = ctx.answers.breakGlassLimit;
  const { iam } = await ctx.clientsIn(account);
  const users = await allPages(async (Marker) => {
    const r = await iam.send(new ListUsersCommand({ Marker }));
    return { items: r.Users?.map((u) => u.UserName as string), IsTruncated: r.IsTruncated, Marker: r.Marker };
  });
  const withPassword = await Promise.all(users.map(async (user) => ((await hasConsolePassword(iam, user)) ? user : null)));
  const console = withPassword.filter((u): u is string => u !== null).sort();
  const named = console.length ? `${console.length} (${console.join(', ')})` : 'none';
  const problem = console.length > limit && `${named} IAM users with console access, over the break-glass limit of ${limit}`;
  return {
    ...check(CHECKS.breakGlass, 'iam:console-users', problem, `IAM console users: ${named}, within the limit of ${limit}`),
    in: account,
  };
}
