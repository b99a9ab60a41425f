/**
 * IAM Identity Center of the packed package against the emulator, whose one instance per account and
 * region stands in for the organization instance a founder enables in the console (its README): one
 * apply of a fresh organization with two users makes the permission sets, groups, memberships and every
 * account's assignments by environment, read back with the SDK; the next plan is empty and verify
 * passes; an assignment removed, a permission set's managed policy swapped and a user taken out of a
 * group behind the tool's back fail verify naming each, and apply restores them. `sso-config` prints
 * the block for `aws sso login` (its validity for the CLI is tested in test/steps).
 */
import { expect, it } from 'vitest';
import {
  AttachManagedPolicyToPermissionSetCommand,
  DeleteAccountAssignmentCommand,
  DescribePermissionSetCommand,
  DetachManagedPolicyFromPermissionSetCommand,
  ListAccountAssignmentsForPrincipalCommand,
  ListInstancesCommand,
  ListManagedPoliciesInPermissionSetCommand,
  ListPermissionSetsCommand,
} from '@aws-sdk/client-sso-admin';
import {
  DeleteGroupMembershipCommand,
  GetGroupIdCommand,
  GetUserIdCommand,
  ListGroupMembershipsCommand,
} from '@aws-sdk/client-identitystore';
import { REGION } from './answers.js';
import { baseEnv, MANAGEMENT, runBin, tempDir, writeAnswers } from './harness/cli.js';
import { destroyAll, sdkClients, type SdkClients } from './harness/sdk-clients.js';
import { e2eSuite, type World } from './harness/suite.js';

const ANSWERS = `version: 1
region: ${REGION}
steps:
  account-alias: { alias: acme }
  organization: {}
  member-accounts:
    accounts:
      - { name: acme-dev,  email: aws+dev@acme.example,  ou: Workloads }
      - { name: acme-prod, email: aws+prod@acme.example, ou: Workloads }
  identity-center:
    users:
      - { userName: ada,   givenName: Ada,   familyName: Lovelace, email: ada@acme.example,   groups: [Admins] }
      - { userName: linus, givenName: Linus, familyName: Torvalds, email: linus@acme.example, groups: [Developers, ReadOnly] }
`;

const ARN = (name: string) => `arn:aws:iam::aws:policy/${name}`;

interface VerifyDoc {
  accounts: { id: string; name: string }[];
  findings: { status: string; check: string; account: { name: string }; resource: string; reason: string }[];
}

function session(w: World) {
  const home = tempDir();
  const file = writeAnswers(home, ANSWERS);
  return (...args: string[]) => runBin(w.bin, [...args, '--answers', file, '--endpoint-url', w.proxy.url], baseEnv(home));
}

/** Identity Center as the SDK reads it: permission sets with their policies, members and assignments of each group, by name. */
async function readIdentityCenter(m: SdkClients, accountName: (id: string) => string) {
  const [instance] = (await m.ssoAdmin.send(new ListInstancesCommand({}))).Instances ?? [];
  const InstanceArn = instance!.InstanceArn!;
  const IdentityStoreId = instance!.IdentityStoreId!;
  const sets = new Map<string, string>();
  const setLines: string[] = [];
  for (const PermissionSetArn of (await m.ssoAdmin.send(new ListPermissionSetsCommand({ InstanceArn }))).PermissionSets ?? []) {
    const { PermissionSet: p } = await m.ssoAdmin.send(new DescribePermissionSetCommand({ InstanceArn, PermissionSetArn }));
    const policies = await m.ssoAdmin.send(new ListManagedPoliciesInPermissionSetCommand({ InstanceArn, PermissionSetArn }));
    sets.set(PermissionSetArn, p!.Name!);
    setLines.push(`${p!.Name} ${p!.SessionDuration} ${(policies.AttachedManagedPolicies ?? []).map((x) => x.Name).join(',')}`);
  }
  const groupId = async (name: string) =>
    (
      await m.identitystore.send(
        new GetGroupIdCommand({
          IdentityStoreId,
          AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: name } },
        }),
      )
    ).GroupId!;
  const userId = async (name: string) =>
    (
      await m.identitystore.send(
        new GetUserIdCommand({
          IdentityStoreId,
          AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: name } },
        }),
      )
    ).UserId!;
  const users = new Map([
    [await userId('ada'), 'ada'],
    [await userId('linus'), 'linus'],
  ]);
  const lines: string[] = [];
  for (const group of ['Admins', 'Developers', 'ReadOnly']) {
    const GroupId = await groupId(group);
    const members = (await m.identitystore.send(new ListGroupMembershipsCommand({ IdentityStoreId, GroupId }))).GroupMemberships ?? [];
    lines.push(`${group} members: ${members.map((x) => users.get((x.MemberId as { UserId: string }).UserId)).join(',')}`);
    const assigned = await m.ssoAdmin.send(
      new ListAccountAssignmentsForPrincipalCommand({ InstanceArn, PrincipalId: GroupId, PrincipalType: 'GROUP' }),
    );
    const pairs = new Set((assigned.AccountAssignments ?? []).map((a) => `${accountName(a.AccountId!)}:${sets.get(a.PermissionSetArn!)}`));
    lines.push(`${group} in ${[...pairs].sort().join(' ')}`);
  }
  return { InstanceArn, IdentityStoreId, sets, setLines: setLines.sort(), lines, groupId, userId };
}

e2eSuite(
  'the packed package against the emulator: IAM Identity Center',
  (use) => {
    it(
      "one apply of a fresh organization with two users makes permission sets, groups, memberships and every account's assignments by environment; plan is empty, verify passes, sso-config prints the profiles; an assignment removed, a managed policy swapped and a user out of a group fail verify, and apply restores them",
      () =>
        use(async (w) => {
          const gw = session(w);
          const apply = await gw('apply', '--yes');
          expect(apply.code, apply.stderr).toBe(0);
          // The end of apply hands over the access portal and the ~/.aws/config block.
          expect(apply.stdout).toMatch(/IAM Identity Center: sign in at https:\/\/d-[a-z0-9]+\.awsapps\.com\/start/);
          expect(apply.stdout).toContain('[profile acme-dev-poweruser]');
          expect((await gw('plan', '--detailed-exitcode')).code).toBe(0);
          const verify = await gw('verify', '--output', 'json');
          expect(verify.code, verify.stdout).toBe(0);
          const doc = JSON.parse(verify.stdout) as VerifyDoc;
          const ids = new Map(doc.accounts.map((a) => [a.id, a.name]));
          const idOf = (name: string) => doc.accounts.find((a) => a.name === name)!.id;
          const ic = doc.findings
            .filter((f) => f.check.startsWith('identity-center.'))
            .map((f) => `${f.check} ${f.status} ${f.account.name}`);
          expect(ic).toContain('identity-center.assignments pass acme-dev');
          expect(ic).toContain('identity-center.mfa manual management');

          const m = sdkClients(w.emulator.url, REGION);
          const name = (id: string) => (id === MANAGEMENT ? 'management' : (ids.get(id) ?? id));
          const made = await readIdentityCenter(m, name);
          expect(made.setLines).toEqual([
            'AdministratorAccess PT4H AdministratorAccess',
            'PowerUserAccess PT8H PowerUserAccess',
            'ReadOnlyAccess PT8H ReadOnlyAccess',
          ]);
          expect(made.lines).toEqual([
            'Admins members: ada',
            'Admins in acme-dev:AdministratorAccess acme-prod:AdministratorAccess management:AdministratorAccess',
            'Developers members: linus',
            // Power users in dev, read-only in prod, nothing in the management account.
            'Developers in acme-dev:PowerUserAccess acme-prod:ReadOnlyAccess',
            'ReadOnly members: linus',
            'ReadOnly in acme-dev:ReadOnlyAccess acme-prod:ReadOnlyAccess management:ReadOnlyAccess',
          ]);

          const config = await gw('sso-config');
          expect(config.code, config.stderr).toBe(0);
          expect(config.stdout).toMatch(/^# aws-groundwork sso-config \(acme\)/);
          expect(config.stdout.match(/^\[profile /gm)).toHaveLength(7);
          expect(config.stdout).toContain(`sso_account_id = ${idOf('acme-prod')}\nsso_role_name = ReadOnlyAccess`);

          await driftBehindTheToolsBack(m, made, idOf('acme-dev'));
          const drifted = await gw('verify', '--output', 'json');
          expect(drifted.code, drifted.stderr).toBe(3);
          const failed = (JSON.parse(drifted.stdout) as VerifyDoc).findings
            .filter((f) => f.status === 'fail')
            .map((f) => `${f.check} ${f.account.name}: ${f.reason}`);
          expect(failed).toEqual([
            `identity-center.permission-sets management: AdministratorAccess: ${ARN('AdministratorAccess')} is not attached; ${ARN('ReadOnlyAccess')} is attached too`,
            'identity-center.users management: linus is not in Developers',
            'identity-center.assignments acme-dev: not assigned: Developers as PowerUserAccess',
          ]);

          const repair = await gw('apply', '--yes');
          expect(repair.code, repair.stderr).toBe(0);
          expect((await gw('verify')).code).toBe(0);
          expect((await gw('plan', '--detailed-exitcode')).code).toBe(0);
          expect((await readIdentityCenter(m, name)).lines).toEqual(made.lines);
          destroyAll(m);
        }),
      180_000,
    );
  },
  { count: 1, emulatorEnv: { EMULATOR_ACCOUNT_CREATION_SECONDS: '0' } },
);

/** A removed assignment, AdministratorAccess swapped for ReadOnlyAccess in its permission set, and linus out of Developers. */
async function driftBehindTheToolsBack(m: SdkClients, ic: Awaited<ReturnType<typeof readIdentityCenter>>, devId: string) {
  const { InstanceArn, IdentityStoreId } = ic;
  const arnOf = (name: string) => [...ic.sets].find(([, n]) => n === name)![0];
  const developers = await ic.groupId('Developers');
  await m.ssoAdmin.send(
    new DeleteAccountAssignmentCommand({
      InstanceArn,
      TargetId: devId,
      TargetType: 'AWS_ACCOUNT',
      PermissionSetArn: arnOf('PowerUserAccess'),
      PrincipalType: 'GROUP',
      PrincipalId: developers,
    }),
  );
  const admin = arnOf('AdministratorAccess');
  await m.ssoAdmin.send(
    new DetachManagedPolicyFromPermissionSetCommand({ InstanceArn, PermissionSetArn: admin, ManagedPolicyArn: ARN('AdministratorAccess') }),
  );
  await m.ssoAdmin.send(
    new AttachManagedPolicyToPermissionSetCommand({ InstanceArn, PermissionSetArn: admin, ManagedPolicyArn: ARN('ReadOnlyAccess') }),
  );
  const linus = await ic.userId('linus');
  const members =
    (await m.identitystore.send(new ListGroupMembershipsCommand({ IdentityStoreId, GroupId: developers }))).GroupMemberships ?? [];
  const { MembershipId } = members.find((x) => (x.MemberId as { UserId: string }).UserId === linus)!;
  await m.identitystore.send(new DeleteGroupMembershipCommand({ IdentityStoreId, MembershipId }));
}
