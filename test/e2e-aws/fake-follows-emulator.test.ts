/**
 * The fake of the fast suite (test/helpers/fake-aws.ts) answers like the emulator: the same request
 * sequences, sent with real SDK clients to both, end with the same error names, HTTP status codes
 * and answers. Where the emulator is known to differ from AWS (its README), the fake follows AWS and
 * the difference is listed here with its reason, so it can never grow silently.
 */
import { beforeAll, expect, it } from 'vitest';
import { GetAlternateContactCommand } from '@aws-sdk/client-account';
import { GetTrailCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateGroupCommand,
  CreatePolicyCommand,
  GetAccountPasswordPolicyCommand,
  GetGroupCommand,
  GetLoginProfileCommand,
  GetPolicyCommand,
  GetUserCommand,
  ListAccountAliasesCommand,
} from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  DescribeOrganizationCommand,
  ListRootsCommand,
} from '@aws-sdk/client-organizations';
import {
  CreateBucketCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand as GetBucketPublicAccessBlockCommand,
  HeadBucketCommand,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { FakeAws } from '../helpers/fake-aws.js';
import { REGION } from './answers.js';
import { sdkClients } from './harness/sdk-clients.js';
import { Emulator } from './harness/emulator.js';
import { emulatorMissing } from './harness/suite.js';

type Clients = ReturnType<typeof clients>;
type Probe = (c: Clients, account: string) => Promise<unknown>;

/** The fake answers whatever endpoint a client has; each error is seen once, not retried. */
const clients = (endpoint: string) => sdkClients(endpoint, REGION, undefined, 1);

const PROBE_BUCKET = 'gw-probe-bucket';
const createProbeBucket = (c: Clients) =>
  c.s3.send(new CreateBucketCommand({ Bucket: PROBE_BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION as never } }));
/** A probe of a bucket just made in the home region, as the trail's buckets are. */
const onNewBucket =
  (probe: (c: Clients) => Promise<unknown>): Probe =>
  async (c) => {
    await createProbeBucket(c);
    return probe(c);
  };

/** Each probe's last request is the one compared; the ones before it set the state up. */
const PROBES: Record<string, Probe> = {
  'iam:GetAccountPasswordPolicy with none set': (c) => c.iam.send(new GetAccountPasswordPolicyCommand({})),
  'iam:GetGroup of a missing group': (c) => c.iam.send(new GetGroupCommand({ GroupName: 'Admins' })),
  'iam:GetUser of a missing user': (c) => c.iam.send(new GetUserCommand({ UserName: 'nobody' })),
  'iam:GetLoginProfile of a missing user': (c) => c.iam.send(new GetLoginProfileCommand({ UserName: 'nobody' })),
  'iam:GetPolicy of a missing policy': (c, a) =>
    c.iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${a}:policy/aws-groundwork/Nothing` })),
  'iam:CreateGroup twice': async (c) => {
    await c.iam.send(new CreateGroupCommand({ GroupName: 'Admins' }));
    return c.iam.send(new CreateGroupCommand({ GroupName: 'Admins' }));
  },
  'iam:CreatePolicy twice': async (c) => {
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }] });
    await c.iam.send(new CreatePolicyCommand({ PolicyName: 'P', Path: '/aws-groundwork/', PolicyDocument: doc }));
    return c.iam.send(new CreatePolicyCommand({ PolicyName: 'P', Path: '/aws-groundwork/', PolicyDocument: doc }));
  },
  'iam:ListAccountAliases with none': (c) => c.iam.send(new ListAccountAliasesCommand({})),
  'organizations:DescribeOrganization without one': (c) => c.organizations.send(new DescribeOrganizationCommand({})),
  'organizations:ListRoots without an organization': (c) => c.organizations.send(new ListRootsCommand({})),
  'organizations:CreateOrganization twice': async (c) => {
    await c.organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    return c.organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  },
  'organizations:CreateOrganizationalUnit twice under the root': async (c) => {
    await c.organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const root = (await c.organizations.send(new ListRootsCommand({}))).Roots?.[0]?.Id;
    await c.organizations.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'Workloads' }));
    return c.organizations.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'Workloads' }));
  },
  'kms:DescribeKey of a missing alias': (c) => c.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws-groundwork/nothing' })),
  'kms:CreateAlias twice': async (c) => {
    const key = (await c.kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId;
    await c.kms.send(new CreateAliasCommand({ AliasName: 'alias/aws-groundwork/t', TargetKeyId: key }));
    return c.kms.send(new CreateAliasCommand({ AliasName: 'alias/aws-groundwork/t', TargetKeyId: key }));
  },
  'cloudtrail:GetTrail of a missing trail': (c) => c.cloudtrail.send(new GetTrailCommand({ Name: 'org-trail' })),
  's3:HeadBucket of a missing bucket (404 without a body)': (c) => c.s3.send(new HeadBucketCommand({ Bucket: 'gw-missing-bucket' })),
  's3:CreateBucket outside us-east-1 without a LocationConstraint': (c) => c.s3.send(new CreateBucketCommand({ Bucket: PROBE_BUCKET })),
  's3:CreateBucket twice outside us-east-1': onNewBucket(createProbeBucket),
  's3:GetBucketPolicy of a new bucket': onNewBucket((c) => c.s3.send(new GetBucketPolicyCommand({ Bucket: PROBE_BUCKET }))),
  's3:GetBucketLifecycleConfiguration of a new bucket': onNewBucket((c) =>
    c.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: PROBE_BUCKET })),
  ),
  's3:GetBucketVersioning of a new bucket': onNewBucket((c) => c.s3.send(new GetBucketVersioningCommand({ Bucket: PROBE_BUCKET }))),
  's3:GetBucketLogging of a new bucket': onNewBucket((c) => c.s3.send(new GetBucketLoggingCommand({ Bucket: PROBE_BUCKET }))),
  's3:GetBucketOwnershipControls of a new bucket': onNewBucket((c) =>
    c.s3.send(new GetBucketOwnershipControlsCommand({ Bucket: PROBE_BUCKET })),
  ),
  's3:GetPublicAccessBlock of a new bucket': onNewBucket((c) => c.s3.send(new GetBucketPublicAccessBlockCommand({ Bucket: PROBE_BUCKET }))),
  's3:GetBucketEncryption of a new bucket': onNewBucket((c) => c.s3.send(new GetBucketEncryptionCommand({ Bucket: PROBE_BUCKET }))),
  's3:GetBucketPolicy of a missing bucket': (c) => c.s3.send(new GetBucketPolicyCommand({ Bucket: 'gw-missing-bucket' })),
  's3control:GetPublicAccessBlock with none set': (c, a) => c.s3control.send(new GetPublicAccessBlockCommand({ AccountId: a })),
  'account:GetAlternateContact with none set': (c) => c.account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY' })),
};

/**
 * Where the emulator differs from AWS the fake follows AWS: for these probes the fake must answer
 * as AWS does (`aws`), and the emulator must still answer as it did when this was written
 * (`emulator`), so a change on either side shows up here.
 */
const EMULATOR_DIFFERS_FROM_AWS: Record<string, { aws: Record<string, unknown>; emulator: Record<string, unknown>; why: string }> = {
  'iam:ListAccountAliases with none': {
    aws: { ok: ['AccountAliases', 'IsTruncated'] },
    emulator: { ok: ['AccountAliases'] },
    why: 'IAM always answers IsTruncated (IAM API reference, ListAccountAliases); moto leaves it out',
  },
  's3:CreateBucket outside us-east-1 without a LocationConstraint': {
    aws: { error: 'IllegalLocationConstraintException', status: 400 },
    emulator: { ok: ['Location'] },
    why: 'outside us-east-1 S3 refuses a CreateBucket without the region as LocationConstraint; moto accepts it',
  },
  's3:GetBucketOwnershipControls of a new bucket': {
    aws: { ok: ['OwnershipControls'] },
    emulator: { error: 'OwnershipControlsNotFoundError', status: 404 },
    why: 'since April 2023 every new bucket has BucketOwnerEnforced (S3 user guide, default settings of new buckets); moto predates it',
  },
  's3:GetPublicAccessBlock of a new bucket': {
    aws: { ok: ['PublicAccessBlockConfiguration'] },
    emulator: { error: 'NoSuchPublicAccessBlockConfiguration', status: 404 },
    why: 'since April 2023 every new bucket has all four Block Public Access settings on; moto predates it',
  },
  's3:GetBucketEncryption of a new bucket': {
    aws: { ok: ['ServerSideEncryptionConfiguration'] },
    emulator: { error: 'ServerSideEncryptionConfigurationNotFoundError', status: 404 },
    why: 'since January 2023 every bucket is encrypted with SSE-S3 by default; moto predates it',
  },
  'account:GetAlternateContact with none set': {
    aws: { error: 'ResourceNotFoundException', status: 404 },
    emulator: { error: 'ResourceNotFoundException', status: 400 },
    why: 'the Account API answers ResourceNotFoundException with HTTP 404 (Account API reference); moto with 400',
  },
};

/** What the tool can observe of an answer: the error's name and HTTP status, or the answer's fields. */
async function outcome(probe: Probe, c: Clients, account: string): Promise<Record<string, unknown>> {
  try {
    const r = (await probe(c, account)) as Record<string, unknown>;
    const { $metadata: _m, ...fields } = r;
    return { ok: Object.keys(fields).sort() };
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } };
    return { error: e.name, status: e.$metadata?.httpStatusCode };
  }
}

const emulatorResults = new Map<string, Record<string, unknown>>();
const fakeResults = new Map<string, Record<string, unknown>>();

beforeAll(async () => {
  if (emulatorMissing) return;
  const emulator = await Emulator.start();
  try {
    const c = clients(emulator.url);
    const account = (await c.sts.send(new GetCallerIdentityCommand({}))).Account as string;
    for (const [name, probe] of Object.entries(PROBES)) {
      await emulator.reset();
      emulatorResults.set(name, await outcome(probe, c, account));
    }
  } finally {
    emulator.stop();
  }
  for (const [name, probe] of Object.entries(PROBES)) {
    const fake = new FakeAws().install();
    try {
      fakeResults.set(name, await outcome(probe, clients('http://fake.invalid'), fake.caller.Account as string));
    } finally {
      fake.restore();
    }
  }
}, 120_000);

const same = Object.keys(PROBES).filter((name) => !Object.hasOwn(EMULATOR_DIFFERS_FROM_AWS, name));

it.skipIf(emulatorMissing !== null).each(same)('the fake answers %s as the emulator does', (name) => {
  expect(fakeResults.get(name), `the emulator answered ${JSON.stringify(emulatorResults.get(name))}`).toEqual(emulatorResults.get(name));
});

it.skipIf(emulatorMissing !== null).each(Object.keys(EMULATOR_DIFFERS_FROM_AWS))(
  'the fake answers %s as AWS does, where the emulator is known to differ',
  (name) => {
    const known = EMULATOR_DIFFERS_FROM_AWS[name]!;
    expect(Object.keys(PROBES)).toContain(name);
    expect(fakeResults.get(name), known.why).toEqual(known.aws);
    expect(emulatorResults.get(name), `the emulator changed: ${known.why}`).toEqual(known.emulator);
  },
);
