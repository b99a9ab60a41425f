import { awsManagedPolicyArn } from '../../src/aws/iam-reads.js';
import type { AccountRef } from '../../src/model.js';
import type { IdentityCenterAnswers } from './answers.js';

/**
 * Who gets what where: the permission sets, the groups and, for each account of the run, which group
 * is given which permission set there. Everything follows from the answers and the accounts that
 * member-accounts configures, so a new account gets its assignments in the apply that makes it.
 */

export type SetKey = 'admin' | 'power-user' | 'read-only';
export type GroupKey = 'admins' | 'developers' | 'read-only';

export interface WantedSet {
  key: SetKey;
  name: string;
  description: string;
  /** ISO 8601, as Identity Center stores it: `PT4H`. */
  session: string;
  /** The one AWS-managed policy it carries, and nothing else. */
  policyArn: string;
}

export interface WantedGroup {
  key: GroupKey;
  name: string;
  description: string;
}

export interface WantedAssignment {
  group: WantedGroup;
  set: WantedSet;
}

export function wantedSets(a: IdentityCenterAnswers, partition: string): WantedSet[] {
  const make = (key: SetKey, name: string, policy: string, hours: number): WantedSet => ({
    key,
    name,
    description: `${policy} (AWS-managed), set by aws-groundwork`,
    session: `PT${hours}H`,
    policyArn: awsManagedPolicyArn(partition, policy),
  });
  return [
    make('admin', a.adminPermissionSet, 'AdministratorAccess', a.adminSessionHours),
    make('power-user', a.powerUserPermissionSet, 'PowerUserAccess', a.sessionHours),
    make('read-only', a.readOnlyPermissionSet, 'ReadOnlyAccess', a.sessionHours),
  ];
}

export function wantedGroups(a: IdentityCenterAnswers): WantedGroup[] {
  return [
    { key: 'admins', name: a.adminsGroup, description: 'Administrators of every account (aws-groundwork)' },
    {
      key: 'developers',
      name: a.developersGroup,
      description: 'Developers: power users in development, read-only elsewhere (aws-groundwork)',
    },
    { key: 'read-only', name: a.readOnlyGroup, description: 'Read-only access to every account (aws-groundwork)' },
  ];
}

/**
 * The assignments one account should have. Admins and read-only are everywhere. Developers are power
 * users in the environments the answers name and read-only in the other workload accounts; they get
 * nothing in the management, log-archive and security-tooling accounts, which hold the organization's
 * controls and evidence rather than workloads.
 */
export function assignmentsIn(account: AccountRef, a: IdentityCenterAnswers, partition: string): WantedAssignment[] {
  const sets = new Map(wantedSets(a, partition).map((s) => [s.key, s]));
  const groups = new Map(wantedGroups(a).map((g) => [g.key, g]));
  const pick = (group: GroupKey, set: SetKey): WantedAssignment => ({ group: groups.get(group)!, set: sets.get(set)! });
  const out = [pick('admins', 'admin'), pick('read-only', 'read-only')];
  const workload = account.role === 'member' && !account.purpose;
  if (workload) out.splice(1, 0, pick('developers', account.env && a.developersIn.includes(account.env) ? 'power-user' : 'read-only'));
  return out;
}
