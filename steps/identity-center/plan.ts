import { change, waitFor } from '../../src/kit/builders.js';
import type { PlannedChange } from '../../src/kit/step.js';
import type { AccountRef } from '../../src/model.js';
import type { UserAnswer } from './answers.js';
import type { Ctx, Live } from './live.js';
import { assignmentsIn, wantedGroups, wantedSets, type WantedSet } from './matrix.js';
import type { LiveSet, LiveUser } from './reads.js';

export interface UserFields {
  userName: string;
  givenName: string;
  familyName: string;
  email: string;
}

export type Operations = {
  'create-permission-set': { name: string; description: string; session: string; policyArn: string };
  /** Brings an existing permission set back to what it should grant, then provisions it where it is in use. */
  'update-permission-set': {
    name: string;
    description?: string;
    session?: string;
    attach: string[];
    detach: string[];
    deleteInline: boolean;
  };
  'create-group': { name: string; description: string };
  'create-user': UserFields;
  'update-user': UserFields;
  'add-to-group': { userName: string; group: string };
  'remove-from-group': { userName: string; group: string; membershipId: string };
  /** The account's missing assignments, by group and permission set name (found again at apply: they may be made earlier in it). */
  assign: { accountId: string; accountName: string; assignments: { group: string; set: string }[] };
};

type Planned = PlannedChange<Operations>;

export const setAddress = (name: string) => `sso:permission-set/${name}`;
export const groupAddress = (name: string) => `identitystore:group/${name}`;
export const userAddress = (name: string) => `identitystore:user/${name}`;
export const memberAddress = (group: string, user: string) => `identitystore:group/${group}/member/${user}`;
export const assignmentsAddress = (account: string) => `sso:assignments/${account}`;

const hours = (iso: string) => iso.replace(/^PT/, '').toLowerCase();

/** What differs between a permission set and what it should be, in words, and the fix. */
export function setDrift(want: WantedSet, live: LiveSet): { problems: string[]; fix: Operations['update-permission-set'] } {
  const attach = live.policies.includes(want.policyArn) ? [] : [want.policyArn];
  const detach = live.policies.filter((p) => p !== want.policyArn);
  const problems = [
    ...(live.session !== want.session ? [`sessions last ${hours(live.session)}, not ${hours(want.session)}`] : []),
    ...attach.map((p) => `${p} is not attached`),
    ...detach.map((p) => `${p} is attached too`),
    ...(live.inline ? ['it has an inline policy'] : []),
  ];
  const fix = {
    name: want.name,
    ...(live.session !== want.session ? { session: want.session } : {}),
    ...(live.description !== want.description ? { description: want.description } : {}),
    attach,
    detach,
    deleteInline: live.inline,
  };
  return { problems, fix };
}

export function planSets(ctx: Ctx, live: Live): Planned[] {
  return wantedSets(ctx.answers, ctx.caller.partition).flatMap((want): Planned[] => {
    const found = live.sets.get(want.name);
    const address = setAddress(want.name);
    const after = { Name: want.name, SessionDuration: want.session, ManagedPolicies: [want.policyArn] };
    if (!found) {
      const { key: _key, ...input } = want;
      const summary = `create the permission set ${want.name} (${want.policyArn.split('/').pop()}, ${hours(want.session)} sessions)`;
      return [change('create-permission-set', input, { address, action: 'create', before: null, after, risk: 'security', summary })];
    }
    const { problems, fix } = setDrift(want, found);
    // The description is the tool's own note, not a control: it is put back only with a real fix, so
    // plan and verify agree on what is drift.
    if (problems.length === 0) return [];
    const before = {
      Name: found.name,
      SessionDuration: found.session,
      ManagedPolicies: found.policies,
      ...(found.inline ? { InlinePolicy: 'present' } : {}),
    };
    const summary = `restore the permission set ${want.name}: ${problems.join('; ')}`;
    return [change('update-permission-set', fix, { address, action: 'update', before, after, risk: 'security', summary })];
  });
}

export function planGroups(ctx: Ctx, live: Live): Planned[] {
  return wantedGroups(ctx.answers)
    .filter((g) => !live.groups.has(g.name))
    .map((g) =>
      change(
        'create-group',
        { name: g.name, description: g.description },
        {
          address: groupAddress(g.name),
          action: 'create',
          before: null,
          after: { DisplayName: g.name },
          risk: 'none',
          summary: `create the group ${g.name}`,
        },
      ),
    );
}

const fieldsOf = (u: UserAnswer): UserFields => ({
  userName: u.userName,
  givenName: u.givenName,
  familyName: u.familyName,
  email: u.email,
});

/** How a user differs from the answers, in words; the email compares ignoring case, as addresses do. */
export function userDrift(u: UserAnswer, live: LiveUser): string[] {
  const out: string[] = [];
  if (live.givenName !== u.givenName || live.familyName !== u.familyName) out.push(`named ${live.givenName} ${live.familyName}`);
  if (live.displayName !== `${u.givenName} ${u.familyName}`) out.push(`shown as ${live.displayName}`);
  if (live.email.toLowerCase() !== u.email.toLowerCase()) out.push(`email ${live.email}`);
  return out;
}

export function planUsers(ctx: Ctx, live: Live): Planned[] {
  const out: Planned[] = [];
  for (const u of ctx.answers.users) {
    const found = live.users.get(u.userName);
    const after = { UserName: u.userName, Name: `${u.givenName} ${u.familyName}`, Email: u.email };
    const address = userAddress(u.userName);
    if (!found) {
      const summary = `create the user ${u.userName} (${u.email}); no invitation is sent: they use "Forgot password" on the access portal`;
      out.push(change('create-user', fieldsOf(u), { address, action: 'create', before: null, after, risk: 'security', summary }));
    } else {
      const drift = userDrift(u, found);
      const before = { UserName: found.userName, Name: `${found.givenName} ${found.familyName}`, Email: found.email };
      const summary = `update the user ${u.userName}: ${drift.join(', ')}`;
      if (drift.length)
        out.push(change('update-user', fieldsOf(u), { address, action: 'update', before, after, risk: 'security', summary }));
    }
    for (const group of u.groups) {
      const g = live.groups.get(group);
      if (found && g?.members.has(found.id)) continue;
      const summary = `add ${u.userName} to ${group}`;
      out.push(
        change(
          'add-to-group',
          { userName: u.userName, group },
          {
            address: memberAddress(group, u.userName),
            action: 'create',
            before: null,
            after: { Group: group, User: u.userName },
            risk: 'security',
            summary,
          },
        ),
      );
    }
  }
  return out;
}

/**
 * Members of the step's groups whom the answers do not list keep their access unless the answers opt
 * in to removing them from the group (never deleting the user): without it, a note says who they are.
 */
export function planUnlisted(ctx: Ctx, live: Live): Planned[] {
  const out: Planned[] = [];
  for (const [group, members] of live.unlisted) {
    for (const m of members) {
      if (!ctx.answers.removeUnlistedMembers) {
        ctx.note(
          `${m.userName} is in ${group} but not in the answers: left as is (set removeUnlistedMembers to remove them from the group).`,
        );
        continue;
      }
      out.push(
        change(
          'remove-from-group',
          { userName: m.userName, group, membershipId: m.membershipId },
          {
            address: memberAddress(group, m.userName),
            action: 'delete',
            before: { Group: group, User: m.userName },
            after: null,
            risk: 'destructive',
            summary: `remove ${m.userName} from ${group}, which the answers do not list: they lose the group's access (the user is kept)`,
          },
        ),
      );
    }
  }
  return out;
}

/** Each existing account's missing assignments, as one change; accounts still to be made wait for member-accounts. */
export function planAssignments(ctx: Ctx, live: Live, accounts: AccountRef[]): Planned[] {
  const out: Planned[] = [];
  for (const account of accounts) {
    const wanted = assignmentsIn(account, ctx.answers, ctx.caller.partition);
    const words = wanted.map((w) => `${w.group.name} as ${w.set.name}`).join(', ');
    if (account.pending) {
      if (ctx.inRun('member-accounts')) {
        out.push(
          waitFor<Operations>(account, {
            address: assignmentsAddress(account.name),
            summary: `give ${words} in the new account ${account.name}; planned in detail once it exists`,
            risk: 'security',
            after: { Account: account.name },
          }),
        );
      } else ctx.note(`${account.name} gets ${words} once member-accounts has made it.`);
      continue;
    }
    const missing = wanted.filter((w) => {
      const arn = live.sets.get(w.set.name)?.arn;
      return !arn || !live.groups.get(w.group.name)?.assignments.has(`${account.id} ${arn}`);
    });
    if (missing.length === 0) continue;
    const list = missing.map((w) => `${w.group.name} as ${w.set.name}`).join(', ');
    out.push(
      change(
        'assign',
        { accountId: account.id, accountName: account.name, assignments: missing.map((w) => ({ group: w.group.name, set: w.set.name })) },
        {
          address: assignmentsAddress(account.name),
          action: 'create',
          before: null,
          after: { Account: account.name, Assignments: missing.map((w) => `${w.group.name}: ${w.set.name}`) },
          risk: 'security',
          summary: `in ${account.name} (${account.id}), give ${list}`,
        },
      ),
    );
  }
  return out;
}
