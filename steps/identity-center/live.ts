import type { AwsClients } from '../../src/aws/clients.js';
import type { StepContext } from '../../src/kit/step.js';
import type { IdentityCenterAnswers } from './answers.js';
import { wantedGroups, wantedSets } from './matrix.js';
import {
  describeUser,
  groupAssignments,
  groupId,
  groupMembers,
  readInstance,
  readSets,
  userId,
  type Instance,
  type LiveSet,
  type LiveUser,
} from './reads.js';

export type Ctx = StepContext<IdentityCenterAnswers>;

export interface LiveGroup {
  id: string;
  /** Membership id by user id. */
  members: Map<string, string>;
  /** `<account id> <permission set ARN>`. */
  assignments: Set<string>;
}

/** Identity Center as it stands, for what the answers name: the step's permission sets, groups and users. */
export interface Live {
  region: string;
  instance: Instance;
  sets: Map<string, LiveSet>;
  groups: Map<string, LiveGroup>;
  /** The answers' users that exist, by user name. */
  users: Map<string, LiveUser>;
  /** Members of the step's groups whom the answers do not list, by group name. */
  unlisted: Map<string, { userName: string; membershipId: string }[]>;
}

/** Where Identity Center is: the answer, else the home region. */
export const regionOf = (ctx: Ctx): string => ctx.answers.region ?? ctx.region;

/** The step's clients in the Identity Center region. */
export const clientsOf = (ctx: Ctx): Promise<AwsClients> => ctx.inRegion(regionOf(ctx));

/** The IAM Identity Center console of a region. */
export const consoleUrl = (region: string): string => `https://${region}.console.aws.amazon.com/singlesignon/home?region=${region}`;

/** Where the organization instance is enabled: the API cannot do it from the management account. */
export const consolePath = (region: string): string =>
  `the IAM Identity Center console (${consoleUrl(region)}): choose Enable, then "Enable with AWS Organizations"`;

/** Null when there is no organization instance in the region: it is enabled once, in the console. */
export async function readLive(ctx: Ctx): Promise<Live | null> {
  const ic = await clientsOf(ctx);
  const instance = await readInstance(ic, ctx.account.id);
  if (!instance) return null;
  const sets = await readSets(
    ic,
    instance,
    wantedSets(ctx.answers, ctx.caller.partition).map((s) => s.name),
  );
  const users = new Map<string, LiveUser>();
  for (const u of ctx.answers.users) {
    const id = await userId(ic, instance, u.userName);
    const found = id ? await describeUser(ic, instance, id) : null;
    if (found) users.set(u.userName, found);
  }
  const listed = new Set([...users.values()].map((u) => u.id));
  const groups = new Map<string, LiveGroup>();
  const unlisted = new Map<string, { userName: string; membershipId: string }[]>();
  for (const g of wantedGroups(ctx.answers)) {
    const id = await groupId(ic, instance, g.name);
    if (!id) continue;
    const members = await groupMembers(ic, instance, id);
    groups.set(g.name, { id, members, assignments: await groupAssignments(ic, instance, id) });
    const others: { userName: string; membershipId: string }[] = [];
    for (const [user, membershipId] of members) {
      if (listed.has(user)) continue;
      others.push({ userName: (await describeUser(ic, instance, user))?.userName ?? user, membershipId });
    }
    if (others.length) unlisted.set(g.name, others);
  }
  return { region: regionOf(ctx), instance, sets, groups, users, unlisted };
}
