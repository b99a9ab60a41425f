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
import {
  ALL_BLOCKED,
  TWO_MEMBER_ANSWERS,
  LOG_ARCHIVE,
  MEMBERS,
  ORGANIZATION_ANSWERS,
  REGION,
  STRONG_POLICY,
  logBucket,
  trailBucket,
} from './answers.js';
import { baseEnv, MANAGEMENT, runBin, tempDir, writeAnswers } from './harness/cli.js';
import { e2eSuite, type World } from './harness/suite.js';
import { inventory, memberClients, organizationPoliciesOf, readState } from './harness/aws-state.js';
import { destroyAll, sdkClients } from './harness/sdk-clients.js';
import type { Exchange } from './harness/proxy.js';

/** The buckets as readState names them: with log-archive's name where AWS has its id. */
const TRAIL_BUCKET = trailBucket(LOG_ARCHIVE);
const LOG_BUCKET = logBucket(LOG_ARCHIVE);

/** A policy's statements by Sid. */
function statementsOf(policy: unknown): Record<string, Record<string, unknown> | undefined> {
  const statements = (policy as { Statement?: { Sid?: string }[] } | null)?.Statement ?? [];
  return Object.fromEntries(statements.map((st) => [st.Sid ?? '', st as Record<string, unknown>]));
}

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
      'a. one apply makes the whole organization, its logs kept in log-archive and its guardrails attached: exit 0, then an empty plan, a passing verify, and every control in place in the account that holds it, read back with the SDK',
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
          const doc = JSON.parse(verify.stdout) as {
            accounts: { id: string; name: string }[];
            findings: { status: string; check: string; account: { name: string }; reason: string }[];
          };
          expect(new Set(doc.findings.map((f) => f.account.name))).toEqual(new Set(['management', ...MEMBERS]));
          // Nothing fails. Two findings are left for a person: the emulator's (it always reports the
          // management root user without MFA, which only that root user can add), and Identity Center's
          // MFA setting, which no API reads. The logs are no longer a manual finding: they are outside
          // the management account.
          expect(doc.findings.filter((f) => f.status !== 'pass').map((f) => `${f.status} ${f.account.name} ${f.check}`)).toEqual([
            'manual management root-credentials.root-mfa',
            'manual management identity-center.mfa',
          ]);
          // Each trail check is reported where what it looks at is: the trail in the management account,
          // the key and the buckets in log-archive.
          const trailChecks = doc.findings.filter((f) => f.check.startsWith('org-trail.'));
          expect(trailChecks.map((f) => `${f.account.name} ${f.check}`).sort()).toEqual([
            `${LOG_ARCHIVE} org-trail.access-log-bucket`,
            `${LOG_ARCHIVE} org-trail.bucket-access-logging`,
            `${LOG_ARCHIVE} org-trail.buckets-deny-http`,
            `${LOG_ARCHIVE} org-trail.key-policy`,
            `${LOG_ARCHIVE} org-trail.key-rotation`,
            `${LOG_ARCHIVE} org-trail.trail-bucket-protected`,
            `${LOG_ARCHIVE} org-trail.trail-bucket-settings`,
            'management org-trail.delivery',
            'management org-trail.kms-encryption',
            'management org-trail.log-file-validation',
            'management org-trail.logs-outside-management',
            'management org-trail.multi-region-logging',
          ]);
          const archiveId = doc.accounts.find((a) => a.name === LOG_ARCHIVE)?.id as string;
          expect(trailChecks.find((f) => f.check === 'org-trail.logs-outside-management')?.reason).toBe(
            `the trail delivers to ${trailBucket(archiveId)} in ${LOG_ARCHIVE} (${archiveId})`,
          );
          // The guardrails hold where they belong: the no-access-keys SCP on both staging and prod, the
          // environments it is for by default, and not on dev (guardrails.test.ts reads them back in detail).
          const idOf = (name: string) => doc.accounts.find((a) => a.name === name)?.id as string;
          const noKeys = doc.findings.find((f) => f.check === 'guardrails.no-access-keys')?.reason;
          for (const env of ['staging', 'prod']) expect(noKeys).toContain(`acme-${env} (${idOf(`acme-${env}`)})`);
          expect(noKeys).not.toContain('acme-dev');
          const { policyTypes, policies } = await organizationPoliciesOf(w.emulator.url, REGION);
          expect(policyTypes).toEqual(['RESOURCE_CONTROL_POLICY ENABLED', 'SERVICE_CONTROL_POLICY ENABLED']);
          expect(
            policies
              .filter((p) => !p.awsManaged)
              .map((p) => `${p.name} -> ${p.targets.join(',')}`)
              .sort(),
          ).toEqual([
            'aws-groundwork-baseline -> root',
            `aws-groundwork-log-archive -> ${LOG_ARCHIVE}`,
            'aws-groundwork-no-access-keys -> acme-prod,acme-staging',
            'aws-groundwork-tls-only -> root',
          ]);

          // Not what the tool says, but what the emulator holds, read in each account with its own credentials.
          const s = await readState(w.emulator.url, REGION);
          expect(s.organization).toEqual({ FeatureSet: 'ALL', managedHere: true });
          expect(s.trustedAccess).toEqual([
            'access-analyzer.amazonaws.com',
            'account.amazonaws.com',
            'cloudtrail.amazonaws.com',
            'guardduty.amazonaws.com',
            'iam.amazonaws.com',
          ]);
          expect(s.iamOrganizationsFeatures).toEqual(['RootCredentialsManagement', 'RootSessions']);
          expect(s.ous).toEqual(['Production', 'Security', 'Workloads']);
          const members = Object.entries(s.accounts)
            .filter(([id]) => id !== MANAGEMENT)
            .map(([, a]) => a);
          // log-archive and security-tooling in the Security OU, their purpose as their environment tag.
          expect(members.map((a) => `${a.name} ${a.email} ${a.status} ${a.parent} ${a.tags.environment}`).sort()).toEqual([
            'acme-dev aws+dev@acme.example ACTIVE ou:Workloads dev',
            'acme-log-archive aws+log-archive@acme.example ACTIVE ou:Security log-archive',
            'acme-prod aws+prod@acme.example ACTIVE ou:Production prod',
            'acme-security-tooling aws+security-tooling@acme.example ACTIVE ou:Security security-tooling',
            'acme-staging aws+staging@acme.example ACTIVE ou:Workloads staging',
          ]);
          // One request per member, none failed (a second request for an email would end FAILED). moto also
          // lists the management account's own, as `master`.
          expect(s.createAccountRequests).toEqual([
            'acme-dev SUCCEEDED',
            'acme-log-archive SUCCEEDED',
            'acme-prod SUCCEEDED',
            'acme-security-tooling SUCCEEDED',
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

          // The trail's storage: one key and two buckets, all in log-archive; no key, bucket or trail anywhere else.
          expect(inventory(s)).toMatchObject({
            keys: [`${LOG_ARCHIVE} alias/aws-groundwork/acme-org-trail aws-groundwork:trail=acme-org-trail`],
            buckets: [`${LOG_ARCHIVE} ${LOG_BUCKET}`, `${LOG_ARCHIVE} ${TRAIL_BUCKET}`],
            trails: [`management acme-org-trail -> ${TRAIL_BUCKET}`],
          });
          const keyName = '<key alias/aws-groundwork/acme-org-trail>';
          const key = s.kmsKeys[LOG_ARCHIVE]![keyName]!;
          expect(key).toMatchObject({
            description: 'aws-groundwork: encrypts the organization CloudTrail trail acme-org-trail',
            state: 'Enabled',
            rotation: true,
          });
          // In the names readState gives ids: the key is log-archive's, the trail the management account's.
          const keyArn = `arn:aws:kms:${REGION}:${LOG_ARCHIVE}:key/${keyName}`;
          const trailArn = `arn:aws:cloudtrail:${REGION}:${MANAGEMENT}:trail/acme-org-trail`;
          const keyStatements = statementsOf(key.policy);
          // log-archive administers its key; CloudTrail may use it for this trail only; readers in
          // log-archive, and only there, decrypt; the management account (which creates the trail)
          // may only decrypt, to validate the S3 Bucket Key.
          expect(keyStatements.EnableAccountAdministration).toMatchObject({
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${LOG_ARCHIVE}:root` },
            Action: 'kms:*',
          });
          expect(keyStatements.AllowCloudTrailEncrypt).toMatchObject({
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 'kms:GenerateDataKey*',
            Condition: {
              StringEquals: { 'aws:SourceArn': trailArn },
              StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${MANAGEMENT}:trail/*` },
            },
          });
          expect(keyStatements.AllowLogDecryptionInAccount?.Condition).toMatchObject({
            StringEquals: { 'kms:CallerAccount': LOG_ARCHIVE },
          });
          expect(keyStatements.AllowTrailOwnerToValidateTheBucketKey).toMatchObject({
            Principal: { AWS: `arn:aws:iam::${MANAGEMENT}:root` },
            Action: 'kms:Decrypt',
          });
          expect(Object.keys(keyStatements).sort()).toEqual([
            'AllowCloudTrailDescribeKey',
            'AllowCloudTrailEncrypt',
            'AllowLogDecryptionInAccount',
            'AllowTrailOwnerToValidateTheBucketKey',
            'EnableAccountAdministration',
          ]);

          const trailBucketState = s.buckets[LOG_ARCHIVE]![TRAIL_BUCKET]!;
          expect(trailBucketState.publicAccessBlock).toEqual(allBlocked);
          expect(trailBucketState.ownership).toEqual(['BucketOwnerEnforced']);
          expect(trailBucketState.versioning).toBe('Enabled');
          expect(trailBucketState.encryption).toEqual([{ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn, BucketKeyEnabled: true }]);
          expect(trailBucketState.logging).toEqual({ TargetBucket: LOG_BUCKET, TargetPrefix: `${TRAIL_BUCKET}/` });
          expect(trailBucketState.lifecycle).toEqual(['aws-groundwork-retention']);
          // CloudTrail, for this trail only, reads the ACL and writes under the management account's and
          // the organization's prefixes; nothing goes without TLS, nobody else writes a log, nobody deletes one.
          const bucketStatements = statementsOf(trailBucketState.policy);
          const trailBucketArn = `arn:aws:s3:::${TRAIL_BUCKET}`;
          expect(bucketStatements.AWSCloudTrailAclCheck).toMatchObject({
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 's3:GetBucketAcl',
            Resource: trailBucketArn,
            Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
          });
          for (const [sid, prefix] of [
            ['AWSCloudTrailWriteAccount', MANAGEMENT],
            ['AWSCloudTrailWriteOrganization', '<organization>'],
          ] as const)
            expect(bucketStatements[sid], sid).toMatchObject({
              Effect: 'Allow',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Action: 's3:PutObject',
              Resource: `${trailBucketArn}/AWSLogs/${prefix}/*`,
              Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn } },
            });
          expect(bucketStatements.DenyInsecureTransport).toMatchObject({
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          });
          expect(bucketStatements.DenyLogWritesByAnyoneButCloudTrail).toMatchObject({
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:PutObject',
            Condition: { Bool: { 'aws:PrincipalIsAWSService': 'false' } },
          });
          expect(bucketStatements.DenyLogDeletion).toMatchObject({
            Effect: 'Deny',
            Principal: '*',
            Action: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:BypassGovernanceRetention'],
            Resource: `${trailBucketArn}/*`,
          });
          expect(bucketStatements.DenyLogDeletion).not.toHaveProperty('Condition');
          expect(Object.keys(bucketStatements)).toHaveLength(6);

          const logBucketState = s.buckets[LOG_ARCHIVE]![LOG_BUCKET]!;
          expect(logBucketState.encryption).toEqual([{ SSEAlgorithm: 'AES256', BucketKeyEnabled: false }]);
          expect(logBucketState.versioning).toBe('Enabled');
          expect(logBucketState.publicAccessBlock).toEqual(allBlocked);
          expect(logBucketState.lifecycle).toEqual(['aws-groundwork-retention']);
          // S3's logging service writes here for the trail bucket, on behalf of log-archive, which owns both.
          expect(statementsOf(logBucketState.policy).S3ServerAccessLogs).toMatchObject({
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: `arn:aws:s3:::${LOG_BUCKET}/${TRAIL_BUCKET}/*`,
            Condition: { ArnLike: { 'aws:SourceArn': trailBucketArn }, StringEquals: { 'aws:SourceAccount': LOG_ARCHIVE } },
          });
          expect(statementsOf(logBucketState.policy).DenyInsecureTransport).toMatchObject({ Effect: 'Deny' });

          // The emulator's CloudTrail checks only that the bucket exists (in any account) and neither reads
          // the bucket policy nor uses the key: that the trail could deliver is the policies' job, checked
          // above against what AWS documents, not shown by a delivery here.
          expect(s.trails.management).toEqual({
            'acme-org-trail': {
              home: REGION,
              bucket: TRAIL_BUCKET,
              organization: true,
              multiRegion: true,
              validation: true,
              globalEvents: true,
              kmsKey: keyArn,
              logging: true,
            },
          });
        }),
      180_000,
    );

    it.concurrent(
      "b. drift made behind the tool's back in the management account, in log-archive and in a member fails verify naming each control and the account that holds it; apply restores it",
      () =>
        use(async (w) => {
          const { gw } = session(w);
          expect((await gw('apply', '--yes')).code).toBe(0);
          const verifyJson = await gw('verify', '--output', 'json');
          const idOf = (name: string) =>
            (JSON.parse(verifyJson.stdout) as { accounts: { id: string; name: string }[] }).accounts.find((a) => a.name === name)
              ?.id as string;
          // The management account: four steps, the trail among them.
          const m = sdkClients(w.emulator.url, REGION);
          await m.iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 8, PasswordReusePrevention: 1 }));
          await m.s3control.send(new DeletePublicAccessBlockCommand({ AccountId: MANAGEMENT }));
          await m.cloudtrail.send(new StopLoggingCommand({ Name: 'acme-org-trail' }));
          await m.account.send(new DeleteAlternateContactCommand({ AlternateContactType: 'SECURITY' }));
          // log-archive, through its admin role as one of its administrators would: the trail key's rotation
          // off, the trail bucket's versioning suspended.
          const archiveId = idOf(LOG_ARCHIVE);
          const archive = await memberClients(m, w.emulator.url, REGION, archiveId);
          const alias = (await archive.kms.send(new ListAliasesCommand({}))).Aliases?.find(
            (a) => a.AliasName === 'alias/aws-groundwork/acme-org-trail',
          );
          await archive.kms.send(new DisableKeyRotationCommand({ KeyId: alias?.TargetKeyId }));
          await archive.s3.send(
            new PutBucketVersioningCommand({ Bucket: trailBucket(archiveId), VersioningConfiguration: { Status: 'Suspended' } }),
          );
          // One environment member, acme-staging: its own password policy and Block Public Access, and a contact.
          const stagingId = idOf('acme-staging');
          const member = await memberClients(m, w.emulator.url, REGION, stagingId);
          await member.iam.send(new DeleteAccountPasswordPolicyCommand({}));
          await member.s3control.send(new DeletePublicAccessBlockCommand({ AccountId: stagingId }));
          await m.account.send(new DeleteAlternateContactCommand({ AlternateContactType: 'OPERATIONS', AccountId: stagingId }));
          destroyAll(m);
          destroyAll(archive);
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
            `${LOG_ARCHIVE} org-trail.key-rotation 3.6`,
            `${LOG_ARCHIVE} org-trail.trail-bucket-settings ACCT.07,GW.TRAIL-BUCKET`,
            'acme-staging password-policy.matches-answers ACCT.06',
            'acme-staging password-policy.minimum-length 1.7,ACCT.06',
            'acme-staging password-policy.reuse-prevention 1.8,ACCT.06',
            'acme-staging s3-block-public-access.account-level 2.1.4,ACCT.08',
            'acme-staging security-contacts.all-contacts ACCT.01',
            'management org-trail.multi-region-logging 3.1,ACCT.07',
            'management password-policy.matches-answers ACCT.06',
            'management password-policy.minimum-length 1.7,ACCT.06',
            'management password-policy.reuse-prevention 1.8,ACCT.06',
            'management s3-block-public-access.account-level 2.1.4,ACCT.08',
            'management security-contacts.all-contacts ACCT.01',
            'management security-contacts.security-contact 1.2,ACCT.01',
          ]);
          // The human view names them under their accounts too.
          const human = await gw('verify');
          expect(human.code).toBe(3);
          expect(human.stdout).toMatch(/Account \d{12} \(acme-staging\)[\s\S]*FAIL +CIS 2\.1\.4/);
          // Within log-archive's section: the lines up to the next account's heading.
          expect(human.stdout).toMatch(
            new RegExp(`^Account ${archiveId} \\(${LOG_ARCHIVE}\\)$\\n(?:(?!Account \\d{12} ).*\\n)*?.*FAIL +CIS 3\\.6`, 'm'),
          );

          const repair = await gw('apply', '--yes');
          expect(repair.code, repair.stderr).toBe(0);
          expect((await gw('verify')).code).toBe(0);
          expect((await gw('plan', '--detailed-exitcode')).code).toBe(0);
          // Restored where it is, read back in log-archive.
          const s = await readState(w.emulator.url, REGION);
          expect(s.buckets[LOG_ARCHIVE]?.[TRAIL_BUCKET]?.versioning).toBe('Enabled');
          expect(s.kmsKeys[LOG_ARCHIVE]?.['<key alias/aws-groundwork/acme-org-trail>']?.rotation).toBe(true);
          expect(s.trails.management?.['acme-org-trail']?.logging).toBe(true);
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
      ['CreateAccount', 'exactly one account per member, log-archive among them', 2],
      ['CreateOrganizationalUnit', 'exactly one OU of each name, Security among them', 2],
    ])(
      'a lost %s answer ends the same run with exit 0 and %s, read back instead of sent again',
      (operation, _, sent) =>
        use(async (w) => {
          const home = tempDir();
          const answers = writeAnswers(home, TWO_MEMBER_ANSWERS);
          w.proxy.fault = { at: { operation }, kind: 'lose-answer' };
          const run = await runBin(w.bin, ['apply', '--yes', '--answers', answers, '--endpoint-url', w.proxy.url], baseEnv(home));
          expect(run.code, run.stderr).toBe(0);
          expect(run.stderr).toContain(`the answer to organizations:${operation} was lost`);
          // The request had reached AWS: the read-back finds the OU made, or the account being made.
          expect(run.stderr).toMatch(
            /read back before sending anything again: (it had been done|it was not complete, so the step went on from what AWS holds)/,
          );
          // One request for each of the two members (acme-dev, acme-log-archive) or OUs (Workloads,
          // Security), the lost one among them: none was sent again.
          expect(w.proxy.log.filter((e) => e.operation === operation)).toHaveLength(sent);
          const s = await readState(w.emulator.url, REGION);
          expect(s.ous).toEqual(['Security', 'Workloads']);
          expect(inventory(s).members).toEqual([
            'acme-dev aws+dev@acme.example ou:Workloads',
            `${LOG_ARCHIVE} aws+log-archive@acme.example ou:Security`,
          ]);
          expect(
            Object.entries(s.accounts)
              .filter(([id]) => id !== MANAGEMENT)
              .map(([, a]) => a.status),
          ).toEqual(['ACTIVE', 'ACTIVE']);
          expect(s.createAccountRequests).toEqual(['acme-dev SUCCEEDED', `${LOG_ARCHIVE} SUCCEEDED`, 'master SUCCEEDED']);
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
  // AWS Budgets authorizes every Describe* with budgets:ViewBudget and every write with budgets:ModifyBudget.
  if (e.service === 'budgets') return e.operation.startsWith('Describe') ? 'budgets:ViewBudget' : 'budgets:ModifyBudget';
  return S3_ACTIONS[key] ?? key;
}
