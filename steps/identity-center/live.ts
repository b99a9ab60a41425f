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
  // Sets, users and groups are independent reads: all at once, so verify waits for the slowest.
  const names = wantedSets(ctx.answers, ctx.caller.partition).map((s) => s.name);
  const [sets, users, groups] = await Promise.all([
    readSets(ic, instance, names),
    readUsers(ctx, ic, instance),
    readGroups(ctx, ic, instance),
  ]);
  const listed = new Set([...users.values()].map((u) => u.id));
  const unlisted = new Map<string, { userName: string; membershipId: string }[]>();
  for (const [name, g] of groups) {
    const others = await Promise.all(
      [...g.members]
        .filter(([user]) => !listed.has(user))
        .map(async ([user, membershipId]) => ({ userName: (await describeUser(ic, instance, user))?.userName ?? user, membershipId })),
    );
    if (others.length) unlisted.set(name, others);
  }
  return { region: regionOf(ctx), instance, sets, groups, users, unlisted };
}

/** The answers' users that exist, keyed by the user name the answers give (the directory may spell it in another case). */
async function readUsers(ctx: Ctx, ic: AwsClients, instance: Instance): Promise<Map<string, LiveUser>> {
  const found = await Promise.all(
    ctx.answers.users.map(async (u): Promise<[string, LiveUser] | null> => {
      const id = await userId(ic, instance, u.userName);
      const live = id ? await describeUser(ic, instance, id) : null;
      return live ? [u.userName, live] : null;
    }),
  );
  return new Map(found.filter((x): x is [string, LiveUser] => x !== null));
}

/** The step's groups that exist, with their members and assignments, by name. */
async function readGroups(ctx: Ctx, ic: AwsClients, instance: Instance): Promise<Map<string, LiveGroup>> {
  const found = await Promise.all(
    wantedGroups(ctx.answers).map(async (g): Promise<[string, LiveGroup] | null> => {
      const id = await groupId(ic, instance, g.name);
      if (!id) return null;
      const [members, assignments] = await Promise.all([groupMembers(ic, instance, id), groupAssignments(ic, instance, id)]);
      return [g.name, { id, members, assignments }];
    }),
  );
  return new Map(found.filter((x): x is [string, LiveGroup] => x !== null));
}
