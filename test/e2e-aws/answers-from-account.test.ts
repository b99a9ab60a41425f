/**
 * `answers --from-account` with the packed package against the emulator: an organization made by
 * hand with the SDK (not by this tool), and one this tool converged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import {
  CreateAccountAliasCommand,
  AttachGroupPolicyCommand,
  CreateGroupCommand,
  UpdateAccountPasswordPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  DescribeCreateAccountStatusCommand,
  EnableAWSServiceAccessCommand,
  ListRootsCommand,
  MoveAccountCommand,
} from '@aws-sdk/client-organizations';
import { EnableOrganizationsRootCredentialsManagementCommand, EnableOrganizationsRootSessionsCommand } from '@aws-sdk/client-iam';
import { PutPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { ALL_BLOCKED, ORGANIZATION_ANSWERS, REGION, STRONG_POLICY } from './answers.js';
import { baseEnv, MANAGEMENT, runBin, tempDir, writeAnswers } from './harness/cli.js';
import { e2eSuite, type World } from './harness/suite.js';
import { destroyAll, sdkClients, type SdkClients } from './harness/sdk-clients.js';

/** The steps a hand-made organization can meet without this tool's own documents (the trail key, the MFA policy). */
const HAND_MADE_STEPS = 'organization,admin-group,member-accounts,account-alias,password-policy,s3-block-public-access';

async function memberClients(m: SdkClients, url: string, accountId: string): Promise<SdkClients> {
  const role = await m.sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`, RoleSessionName: 'by-hand' }),
  );
  return sdkClients(url, REGION, {
    accessKeyId: role.Credentials?.AccessKeyId as string,
    secretAccessKey: role.Credentials?.SecretAccessKey as string,
    sessionToken: role.Credentials?.SessionToken as string,
  });
}

/** The new account's id, once its creation request has finished. */
async function createdAccountId(m: SdkClients, requestId: string): Promise<string> {
  for (let i = 0; i < 60; i++) {
    const s = (await m.organizations.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: requestId })))
      .CreateAccountStatus;
    if (s?.State === 'SUCCEEDED' && s.AccountId) return s.AccountId;
    if (s?.State === 'FAILED') throw new Error(`CreateAccount failed: ${s.FailureReason}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('CreateAccount did not finish');
}

/**
 * An organization set up by a person: all features, trusted access and centralized root access, an
 * OU, two members with their aliases, password policies and Block Public Access, an admin group of
 * another name. Drift in three places: the management password policy asks 8 characters, the prod
 * member has no environment tag, and its Block Public Access is off. Answers the prod member's id.
 */
async function handMade(w: World): Promise<string> {
  const m = sdkClients(w.emulator.url, REGION);
  try {
    await m.organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    for (const service of ['cloudtrail.amazonaws.com', 'iam.amazonaws.com', 'account.amazonaws.com'])
      await m.organizations.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: service }));
    await m.iam.send(new EnableOrganizationsRootCredentialsManagementCommand({}));
    await m.iam.send(new EnableOrganizationsRootSessionsCommand({}));
    await m.iam.send(new CreateAccountAliasCommand({ AccountAlias: 'handmade' }));
    await m.iam.send(new UpdateAccountPasswordPolicyCommand({ ...STRONG_POLICY, MinimumPasswordLength: 8 }));
    await m.iam.send(new CreateGroupCommand({ GroupName: 'Platform' }));
    await m.iam.send(new AttachGroupPolicyCommand({ GroupName: 'Platform', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    await m.s3control.send(new PutPublicAccessBlockCommand({ AccountId: MANAGEMENT, PublicAccessBlockConfiguration: ALL_BLOCKED }));
    const root = (await m.organizations.send(new ListRootsCommand({}))).Roots?.[0]?.Id as string;
    const ou = (await m.organizations.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'Apps' }))).OrganizationalUnit?.Id;
    const ids: Record<string, string> = {};
    for (const env of ['dev', 'prod']) {
      const tags = env === 'dev' ? [{ Key: 'environment', Value: 'dev' }] : [];
      const made = await m.organizations.send(
        new CreateAccountCommand({ AccountName: `handmade-${env}`, Email: `aws+${env}@handmade.example`, Tags: tags }),
      );
      const id = await createdAccountId(m, made.CreateAccountStatus?.Id as string);
      ids[env] = id;
      await m.organizations.send(new MoveAccountCommand({ AccountId: id, SourceParentId: root, DestinationParentId: ou }));
      const member = await memberClients(m, w.emulator.url, id);
      await member.iam.send(new CreateAccountAliasCommand({ AccountAlias: `handmade-${env}` }));
      await member.iam.send(new UpdateAccountPasswordPolicyCommand(STRONG_POLICY));
      if (env === 'dev')
        await member.s3control.send(new PutPublicAccessBlockCommand({ AccountId: id, PublicAccessBlockConfiguration: ALL_BLOCKED }));
      destroyAll(member);
    }
    return ids.prod as string;
  } finally {
    destroyAll(m);
  }
}

e2eSuite(
  'the packed package against the emulator: answers read from the account',
  (use) => {
    const session = (w: World) => {
      const home = tempDir();
      const env = baseEnv(home);
      const gw = (...args: string[]) => runBin(w.bin, [...args, '--endpoint-url', w.proxy.url, '--region', REGION], env);
      /** `answers --from-account`, which the recording proxy sees send no write. */
      const fromAccount = async (...args: string[]) => {
        const file = join(home, 'a.yaml');
        w.proxy.clear();
        const run = await gw('answers', '--from-account', file, ...args);
        expect(run.code, run.stderr).toBe(0);
        expect(w.proxy.log.length).toBeGreaterThan(0);
        expect(w.proxy.writesSeen.map((e) => e.operation)).toEqual([]);
        return { file, text: readFileSync(file, 'utf8') };
      };
      return { home, gw, fromAccount };
    };

    it.concurrent(
      'an organization made by hand with drift in three places: the answers it writes plan exactly those three fixes',
      () =>
        use(async (w) => {
          const prod = await handMade(w);
          const { gw, fromAccount } = session(w);
          const { file, text } = await fromAccount('--only', HAND_MADE_STEPS);
          expect(text).toContain('alias: handmade');
          expect(text).toContain('name: Platform');
          expect(text).toContain('The account requires 8 characters; 14 is the least allowed: the plan raises it.');
          expect(text).toContain('handmade-prod is not tagged environment: the plan tags it prod.');
          const plan = await gw('plan', '--output', 'json', '--answers', file);
          expect(plan.code, plan.stderr).toBe(0);
          const changes = (JSON.parse(plan.stdout) as { changes: { step: string; account: { name: string }; address: string }[] }).changes;
          expect(changes.map((c) => `${c.account.name} ${c.step} ${c.address}`).sort()).toEqual(
            [
              'management password-policy iam:account-password-policy',
              'management member-accounts organizations:account/handmade-prod/tags',
              `handmade-prod s3-block-public-access s3control:account/${prod}/public-access-block`,
            ].sort(),
          );
        }),
      180_000,
    );

    it.concurrent(
      'an organization this tool converged: the answers it writes plan "No changes."',
      () =>
        use(async (w) => {
          const { home, gw, fromAccount } = session(w);
          const apply = await gw('apply', '--yes', '--answers', writeAnswers(home, ORGANIZATION_ANSWERS));
          expect(apply.code, apply.stderr).toBe(0);
          const { file } = await fromAccount();
          const plan = await gw('plan', '--detailed-exitcode', '--answers', file);
          expect(plan.code, plan.stdout + plan.stderr).toBe(0);
          expect(plan.stdout).toContain('No changes.');
        }),
      300_000,
    );
  },
  { count: 1 },
);
