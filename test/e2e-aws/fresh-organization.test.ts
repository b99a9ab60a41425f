/**
 * The packed package, installed as `npx` would install it, run as a process over real HTTP against
 * the emulator (through the recording proxy): scenarios a, b and c of the end-to-end suite.
 */
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { DeletePublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { DisableKeyRotationCommand, ListAliasesCommand } from '@aws-sdk/client-kms';
import { DeleteAccountPasswordPolicyCommand, UpdateAccountPasswordPolicyCommand } from '@aws-sdk/client-iam';
import { DeleteAlternateContactCommand } from '@aws-sdk/client-account';
import { PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { ALL_BLOCKED, FAULT_ANSWERS, LOG_BUCKET, MEMBERS, ORGANIZATION_ANSWERS, REGION, STRONG_POLICY, TRAIL_BUCKET } from './answers.js';
import { baseEnv, MANAGEMENT, runBin, tempDir, writeAnswers } from './harness/cli.js';
import { e2eSuite, type World } from './harness/suite.js';
import { readState } from './harness/aws-state.js';
import { destroyAll, sdkClients } from './harness/sdk-clients.js';
import type { Exchange } from './harness/proxy.js';

e2eSuite(
  'the packed package against the emulator: a fresh organization',
  (use) => {
    const session = (w: World) => {
      const home = tempDir();
      const answers = writeAnswers(home, ORGANIZATION_ANSWERS);
      const env = baseEnv(home);
      const gw = (...args: string[]) => runBin(w.bin, [...args, '--answers', answers, '--endpoint-url', w.proxy.url], env);
      return { w, gw };
    };

    it.concurrent(
      'a. one apply makes the whole organization: exit 0, then an empty plan, a passing verify, and every control in place in every account, read back with the SDK',
      () =>
        use(async (w) => {
          const { gw } = session(w);
          const apply = await gw('apply', '--yes');
          expect(apply.code, apply.stderr).toBe(0);
          const plan = await gw('plan', '--detailed-exitcode');
          expect(plan.code, plan.stdout + plan.stderr).toBe(0);
          expect(plan.stdout).toContain('No changes.');
          const verify = await gw('verify', '--output', 'json');
          expect(verify.code, verify.stdout).toBe(0);
          const doc = JSON.parse(verify.stdout) as { findings: { status: string; account: { name: string } }[] };
          expect(new Set(doc.findings.map((f) => f.account.name))).toEqual(new Set(['management', ...MEMBERS]));

          // Not what the tool says, but what the emulator holds.
          const s = await readState(w.emulator.url, REGION);
          expect(s.organization).toEqual({ FeatureSet: 'ALL', managedHere: true });
          expect(s.trustedAccess).toEqual(['account.amazonaws.com', 'cloudtrail.amazonaws.com', 'iam.amazonaws.com']);
          expect(s.iamOrganizationsFeatures).toEqual(['RootCredentialsManagement', 'RootSessions']);
          expect(s.ous).toEqual(['Production', 'Workloads']);
          const members = Object.entries(s.accounts)
            .filter(([id]) => id !== MANAGEMENT)
            .map(([, a]) => a);
          expect(members.map((a) => `${a.name} ${a.email} ${a.status} ${a.parent} ${a.tags.environment}`).sort()).toEqual([
            'acme-dev aws+dev@acme.example ACTIVE ou:Workloads dev',
            'acme-prod aws+prod@acme.example ACTIVE ou:Production prod',
            'acme-staging aws+staging@acme.example ACTIVE ou:Workloads staging',
          ]);
          // One request per member, none failed (a second request for an email would end FAILED). moto also
          // lists the management account's own, as `master`.
          expect(s.createAccountRequests).toEqual([
            'acme-dev SUCCEEDED',
            'acme-prod SUCCEEDED',
            'acme-staging SUCCEEDED',
            'master SUCCEEDED',
          ]);
          const strongPolicy = STRONG_POLICY;
          const allBlocked = ALL_BLOCKED;
          const contact = { Name: 'Jane Founder', Title: 'CTO', EmailAddress: 'security@acme.example', PhoneNumber: '+1 555 0100' };
          for (const name of ['management', ...MEMBERS]) {
            const b = s.baseline[name];
            expect(b?.iam.aliases, name).toEqual([name === 'management' ? 'acme' : name]);
            expect(b?.iam.passwordPolicy, name).toMatchObject(strongPolicy);
            expect(b?.accountPublicAccessBlock, name).toEqual(allBlocked);
            expect(s.contacts[name], name).toEqual({ SECURITY: contact, BILLING: contact, OPERATIONS: contact });
          }
          const m = s.baseline.management!.iam;
          expect(m.groups).toEqual({
            Admins: [
              'arn:aws:iam::123456789012:policy/aws-groundwork/AwsGroundworkRequireMFA',
              'arn:aws:iam::aws:policy/AdministratorAccess',
            ],
          });
          expect(m.customerPolicies).toEqual({
            'arn:aws:iam::123456789012:policy/aws-groundwork/AwsGroundworkRequireMFA': ['v1 (default)'],
          });

          expect(Object.values(s.kmsKeys)).toEqual([
            {
              description: 'aws-groundwork: encrypts the organization CloudTrail trail acme-org-trail',
              state: 'Enabled',
              aliases: ['alias/aws-groundwork/acme-org-trail'],
              rotation: true,
            },
          ]);
          const key = `arn:aws:kms:${REGION}:${MANAGEMENT}:key/<key alias/aws-groundwork/acme-org-trail>`;
          expect(Object.keys(s.buckets).sort()).toEqual([LOG_BUCKET, TRAIL_BUCKET]);
          const trailBucket = s.buckets[TRAIL_BUCKET]!;
          expect(trailBucket.publicAccessBlock).toEqual(allBlocked);
          expect(trailBucket.ownership).toEqual(['BucketOwnerEnforced']);
          expect(trailBucket.versioning).toBe('Enabled');
          expect(trailBucket.encryption).toEqual([{ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key, BucketKeyEnabled: true }]);
          expect(trailBucket.logging).toEqual({ TargetBucket: LOG_BUCKET, TargetPrefix: `${TRAIL_BUCKET}/` });
          expect(trailBucket.lifecycle).toEqual(['aws-groundwork-retention']);
          const statements = (trailBucket.policy as { Statement: { Effect: string; Condition?: unknown }[] }).Statement;
          expect(
            statements.some((st) => st.Effect === 'Deny' && JSON.stringify(st.Condition).includes('"aws:SecureTransport":"false"')),
          ).toBe(true);
          expect(JSON.stringify(trailBucket.policy)).toContain('AWSLogs/<organization>/');
          const logBucket = s.buckets[LOG_BUCKET]!;
          expect(logBucket.encryption).toEqual([{ SSEAlgorithm: 'AES256', BucketKeyEnabled: false }]);
          expect(logBucket.versioning).toBe('Enabled');
          expect(logBucket.publicAccessBlock).toEqual(allBlocked);
          expect(s.trails).toEqual({
            'acme-org-trail': {
              home: REGION,
              bucket: TRAIL_BUCKET,
              organization: true,
              multiRegion: true,
              validation: true,
              globalEvents: true,
              kmsKey: key,
              logging: true,
            },
          });
        }),
      180_000,
    );

    it.concurrent(
      "b. drift made behind the tool's back in the management account and in a member fails verify naming each control and account; apply restores it",
      () =>
        use(async (w) => {
          const { gw } = session(w);
          expect((await gw('apply', '--yes')).code).toBe(0);
          // The management account: four steps.
          const m = sdkClients(w.emulator.url, REGION);
          await m.iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 8, PasswordReusePrevention: 1 }));
          await m.s3control.send(new DeletePublicAccessBlockCommand({ AccountId: MANAGEMENT }));
          await m.cloudtrail.send(new StopLoggingCommand({ Name: 'acme-org-trail' }));
          const alias = (await m.kms.send(new ListAliasesCommand({}))).Aliases?.find(
            (a) => a.AliasName === 'alias/aws-groundwork/acme-org-trail',
          );
          await m.kms.send(new DisableKeyRotationCommand({ KeyId: alias?.TargetKeyId }));
          await m.s3.send(new PutBucketVersioningCommand({ Bucket: TRAIL_BUCKET, VersioningConfiguration: { Status: 'Suspended' } }));
          await m.account.send(new DeleteAlternateContactCommand({ AlternateContactType: 'SECURITY' }));
          // One member, acme-staging: its own password policy and Block Public Access, and a contact.
          const verifyJson = await gw('verify', '--output', 'json');
          const stagingRealId = (JSON.parse(verifyJson.stdout) as { accounts: { id: string; name: string }[] }).accounts.find(
            (a) => a.name === 'acme-staging',
          )?.id as string;
          const role = await m.sts.send(
            new AssumeRoleCommand({
              RoleArn: `arn:aws:iam::${stagingRealId}:role/OrganizationAccountAccessRole`,
              RoleSessionName: 'drift',
            }),
          );
          const member = sdkClients(w.emulator.url, REGION, {
            accessKeyId: role.Credentials?.AccessKeyId as string,
            secretAccessKey: role.Credentials?.SecretAccessKey as string,
            sessionToken: role.Credentials?.SessionToken as string,
          });
          await member.iam.send(new DeleteAccountPasswordPolicyCommand({}));
          await member.s3control.send(new DeletePublicAccessBlockCommand({ AccountId: stagingRealId }));
          await m.account.send(new DeleteAlternateContactCommand({ AlternateContactType: 'OPERATIONS', AccountId: stagingRealId }));
          destroyAll(m);
          destroyAll(member);

          const drifted = await gw('verify', '--output', 'json');
          expect(drifted.code).toBe(3);
          const failing = (
            JSON.parse(drifted.stdout) as {
              findings: { status: string; check: string; account: { name: string }; controls: { id: string }[] }[];
            }
          ).findings
            .filter((f) => f.status === 'fail')
            .map((f) => `${f.account.name} ${f.check} ${f.controls.map((c) => c.id).join(',')}`)
            .sort();
          expect(failing).toEqual([
            'acme-staging password-policy.matches-answers ACCT.06',
            'acme-staging password-policy.minimum-length 1.7,ACCT.06',
            'acme-staging password-policy.reuse-prevention 1.8,ACCT.06',
            'acme-staging s3-block-public-access.account-level 2.1.4,ACCT.08',
            'acme-staging security-contacts.all-contacts ACCT.01',
            'management org-trail.key-rotation 3.6',
            'management org-trail.multi-region-logging 3.1,ACCT.07',
            'management org-trail.trail-bucket-settings ACCT.07,GW.TRAIL-BUCKET',
            'management password-policy.matches-answers ACCT.06',
            'management password-policy.minimum-length 1.7,ACCT.06',
            'management password-policy.reuse-prevention 1.8,ACCT.06',
            'management s3-block-public-access.account-level 2.1.4,ACCT.08',
            'management security-contacts.all-contacts ACCT.01',
            'management security-contacts.security-contact 1.2,ACCT.01',
          ]);
          // The human view names them too.
          const human = await gw('verify');
          expect(human.code).toBe(3);
          expect(human.stdout).toMatch(/Account \d{12} \(acme-staging\)[\s\S]*FAIL +CIS 2\.1\.4/);

          const repair = await gw('apply', '--yes');
          expect(repair.code, repair.stderr).toBe(0);
          expect((await gw('verify')).code).toBe(0);
          expect((await gw('plan', '--detailed-exitcode')).code).toBe(0);
        }),
      180_000,
    );

    it.concurrent(
      'c. plan and verify send no write, and every operation each command sends is allowed by `permissions` for its phase',
      () =>
        use(async (w) => {
          const { gw } = session(w);
          const phaseOf: Record<string, Exchange[]> = {};
          const record = async (name: string, ...args: string[]) => {
            w.proxy.clear();
            const run = await gw(...args);
            expect(run.code, `${name}: ${run.stderr}`).toBe(0);
            phaseOf[name] = [...w.proxy.log];
          };
          await record('plan on a fresh account', 'plan');
          await record('apply', 'apply', '--yes');
          await record('plan after apply', 'plan');
          await record('verify', 'verify');
          for (const [name, log] of Object.entries(phaseOf)) {
            // Every request was named: a request the proxy cannot name would escape these checks.
            expect(
              log.filter((e) => e.operation.startsWith('?')),
              name,
            ).toEqual([]);
            if (name !== 'apply')
              expect(
                log.filter((e) => e.write).map((e) => `${e.service}:${e.operation}`),
                name,
              ).toEqual([]);
          }
          expect(phaseOf.apply!.filter((e) => e.write).length).toBeGreaterThan(40);
          const allowed = (phase: string) =>
            new Set(
              (
                JSON.parse(execFileSync(w.bin, ['permissions', '--phase', phase], { encoding: 'utf8' })) as {
                  Statement: { Action: string[] }[];
                }
              ).Statement.flatMap((st) => st.Action),
            );
          const read = allowed('read');
          const apply = allowed('apply');
          const denied = (log: Exchange[], policy: Set<string>) => [
            ...new Set(log.map(iamAction).filter((a): a is string => a !== null && !policy.has(a))),
          ];
          expect(denied(phaseOf.apply!, apply)).toEqual([]);
          for (const name of ['plan on a fresh account', 'plan after apply', 'verify'])
            expect(denied(phaseOf[name]!, read), name).toEqual([]);
        }),
      180_000,
    );

    it.concurrent.each([
      ['CreateAccount', 'exactly one new account'],
      ['CreateOrganizationalUnit', 'exactly one OU'],
    ])(
      'a lost %s answer ends the same run with exit 0 and %s, read back instead of sent again',
      (operation) =>
        use(async (w) => {
          const home = tempDir();
          const answers = writeAnswers(home, FAULT_ANSWERS);
          w.proxy.fault = { at: { operation }, kind: 'lose-answer' };
          const run = await runBin(w.bin, ['apply', '--yes', '--answers', answers, '--endpoint-url', w.proxy.url], baseEnv(home));
          expect(run.code, run.stderr).toBe(0);
          expect(run.stderr).toContain(`the answer to organizations:${operation} was lost`);
          // The request had reached AWS: the read-back finds the OU made, or the account being made.
          expect(run.stderr).toMatch(
            /read back before sending anything again: (it had been done|it was not complete, so the step went on from what AWS holds)/,
          );
          expect(w.proxy.log.filter((e) => e.operation === operation)).toHaveLength(1);
          const s = await readState(w.emulator.url, REGION);
          expect(s.ous).toEqual(['Workloads']);
          expect(
            Object.entries(s.accounts)
              .filter(([id]) => id !== MANAGEMENT)
              .map(([, a]) => `${a.name} ${a.status} ${a.parent}`),
          ).toEqual(['acme-dev ACTIVE ou:Workloads']);
          expect(s.createAccountRequests).toEqual(['acme-dev SUCCEEDED', 'master SUCCEEDED']);
        }),
      120_000,
    );
  },
  { count: 2, emulatorEnv: { EMULATOR_ACCOUNT_CREATION_SECONDS: '1' } },
);

/**
 * The IAM action AWS authorizes a request by (Service Authorization Reference): `service:Operation`,
 * but for these S3 operations, and none for sts:GetCallerIdentity.
 */
const S3_ACTIONS: Record<string, string> = {
  's3:HeadBucket': 's3:ListBucket',
  's3:ListBuckets': 's3:ListAllMyBuckets',
  's3:GetBucketEncryption': 's3:GetEncryptionConfiguration',
  's3:PutBucketEncryption': 's3:PutEncryptionConfiguration',
  's3:GetBucketLifecycleConfiguration': 's3:GetLifecycleConfiguration',
  's3:PutBucketLifecycleConfiguration': 's3:PutLifecycleConfiguration',
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
  's3:PutPublicAccessBlock': 's3:PutBucketPublicAccessBlock',
  's3control:GetPublicAccessBlock': 's3:GetAccountPublicAccessBlock',
  's3control:PutPublicAccessBlock': 's3:PutAccountPublicAccessBlock',
};
function iamAction(e: Exchange): string | null {
  const key = `${e.service}:${e.operation}`;
  if (key === 'sts:GetCallerIdentity') return null;
  return S3_ACTIONS[key] ?? key;
}
