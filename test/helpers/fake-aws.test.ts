/**
 * Tests of the fake AWS itself, through real SDK clients: the steps trust it to behave as AWS does.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetBucketLocationCommand, HeadBucketCommand, PutBucketLoggingCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { CloudTrailClient, CreateTrailCommand, GetTrailCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { CreateOrganizationCommand, EnableAWSServiceAccessCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { EnableOrganizationsRootCredentialsManagementCommand, IAMClient, ListOrganizationsFeaturesCommand } from '@aws-sdk/client-iam';
import { FakeAws, MANAGEMENT_ID } from './fake-aws.js';

const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
const s3 = (region: string) => new S3Client({ region, credentials });

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

describe('fake S3 CreateBucket', () => {
  it('in us-east-1 refuses a LocationConstraint, creates without one, and answers a repeat silently', async () => {
    const client = s3('us-east-1');
    await expect(
      client.send(new CreateBucketCommand({ Bucket: 'trail-logs', CreateBucketConfiguration: { LocationConstraint: 'us-east-1' as never } })),
    ).rejects.toMatchObject({ name: 'InvalidLocationConstraint', $metadata: { httpStatusCode: 400 } });
    expect(fake.buckets.has('trail-logs')).toBe(false);

    await client.send(new CreateBucketCommand({ Bucket: 'trail-logs' }));
    await client.send(new CreateBucketCommand({ Bucket: 'trail-logs' }));
    expect(fake.buckets.get('trail-logs')).toMatchObject({ region: 'us-east-1', ownership: 'BucketOwnerEnforced' });
    expect((await client.send(new HeadBucketCommand({ Bucket: 'trail-logs' }))).BucketRegion).toBe('us-east-1');
    expect((await client.send(new GetBucketLocationCommand({ Bucket: 'trail-logs' }))).LocationConstraint).toBeUndefined();
    expect(fake.createBucketCalls.map((c) => [c.region, c.input.CreateBucketConfiguration])).toEqual([
      ['us-east-1', { LocationConstraint: 'us-east-1' }],
      ['us-east-1', undefined],
      ['us-east-1', undefined],
    ]);
  });

  it('in eu-west-1 needs LocationConstraint eu-west-1 and refuses a repeat as BucketAlreadyOwnedByYou', async () => {
    const client = s3('eu-west-1');
    await expect(client.send(new CreateBucketCommand({ Bucket: 'trail-logs' }))).rejects.toMatchObject({ name: 'IllegalLocationConstraintException' });
    await expect(
      client.send(new CreateBucketCommand({ Bucket: 'trail-logs', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } })),
    ).rejects.toMatchObject({ name: 'IllegalLocationConstraintException' });
    expect(fake.buckets.size).toBe(0);

    await client.send(new CreateBucketCommand({ Bucket: 'trail-logs', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    expect(fake.buckets.get('trail-logs')?.region).toBe('eu-west-1');
    await expect(
      client.send(new CreateBucketCommand({ Bucket: 'trail-logs', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })),
    ).rejects.toMatchObject({ name: 'BucketAlreadyOwnedByYou' });
    expect(fake.createBucketCalls.every((c) => c.region === 'eu-west-1')).toBe(true);
  });

  it("refuses a name a stranger owns, and bucket calls from another region than the bucket's", async () => {
    fake.foreignBuckets.add('taken');
    await expect(s3('us-east-1').send(new CreateBucketCommand({ Bucket: 'taken' }))).rejects.toMatchObject({ name: 'BucketAlreadyExists' });
    await expect(s3('us-east-1').send(new HeadBucketCommand({ Bucket: 'taken' }))).rejects.toMatchObject({ name: 'Forbidden', $metadata: { httpStatusCode: 403 } });
    await expect(s3('us-east-1').send(new HeadBucketCommand({ Bucket: 'absent' }))).rejects.toMatchObject({ name: 'NotFound' });

    await s3('eu-west-1').send(new CreateBucketCommand({ Bucket: 'logs', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await expect(s3('us-east-1').send(new PutBucketPolicyCommand({ Bucket: 'logs', Policy: '{}' }))).rejects.toMatchObject({ name: 'PermanentRedirect' });
    await expect(
      s3('eu-west-1').send(new PutBucketLoggingCommand({ Bucket: 'logs', BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'logs', TargetPrefix: 'x/' } } })),
    ).rejects.toMatchObject({ name: 'InvalidTargetBucketForLogging' });
    await expect(s3('eu-west-1').send(new PutBucketPolicyCommand({ Bucket: 'absent', Policy: '{}' }))).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });
});

describe('fake CloudTrail', () => {
  const region = 'eu-west-1';
  const trailArn = `arn:aws:cloudtrail:${region}:${MANAGEMENT_ID}:trail/org-trail`;
  const bucketPolicy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: 'arn:aws:s3:::trail-bucket',
        Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
      },
    ],
  });

  it('refuses an organization trail until trusted access for cloudtrail is enabled, and changes nothing meanwhile', async () => {
    const bucketClient = s3(region);
    await bucketClient.send(new CreateBucketCommand({ Bucket: 'trail-bucket', CreateBucketConfiguration: { LocationConstraint: region } }));
    await bucketClient.send(new PutBucketPolicyCommand({ Bucket: 'trail-bucket', Policy: bucketPolicy }));
    const orgs = new OrganizationsClient({ region: 'us-east-1', credentials });
    await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));

    const trails = new CloudTrailClient({ region, credentials });
    const create = new CreateTrailCommand({ Name: 'org-trail', S3BucketName: 'trail-bucket', IsOrganizationTrail: true, IsMultiRegionTrail: true });
    const before = fake.snapshot();
    await expect(trails.send(create)).rejects.toMatchObject({ name: 'CloudTrailAccessNotEnabledException' });
    expect(fake.snapshot()).toEqual(before);

    await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'cloudtrail.amazonaws.com' }));
    await trails.send(create);
    const { Trail } = await trails.send(new GetTrailCommand({ Name: trailArn }));
    expect(Trail).toMatchObject({ Name: 'org-trail', HomeRegion: region, IsOrganizationTrail: true, LogFileValidationEnabled: false, HasCustomEventSelectors: false });
    expect(fake.trails.get('org-trail')?.logging).toBe(false);
  });

  it('starts logging only from the home region', async () => {
    fake.trails.set('org-trail', {
      Name: 'org-trail',
      HomeRegion: region,
      TrailARN: trailArn,
      S3BucketName: 'trail-bucket',
      IsMultiRegionTrail: true,
      IsOrganizationTrail: false,
      LogFileValidationEnabled: true,
      KmsKeyId: null,
      IncludeGlobalServiceEvents: true,
      logging: false,
      latestDeliveryError: '',
    });
    const elsewhere = new CloudTrailClient({ region: 'us-east-1', credentials });
    await expect(elsewhere.send(new StartLoggingCommand({ Name: 'org-trail' }))).rejects.toMatchObject({ name: 'InvalidHomeRegionException' });
    await new CloudTrailClient({ region, credentials }).send(new StartLoggingCommand({ Name: trailArn }));
    expect(fake.trails.get('org-trail')?.logging).toBe(true);
  });
});

describe('fake KMS', () => {
  it('DescribeKey finds a key by alias name and alias ARN, only in the region the key lives in', async () => {
    const kms = new KMSClient({ region: 'eu-west-1', credentials });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'trail key' }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/groundwork-trail', TargetKeyId: KeyMetadata?.KeyId }));

    const byName = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/groundwork-trail' }));
    expect(byName.KeyMetadata).toMatchObject({ KeyId: KeyMetadata?.KeyId, Arn: KeyMetadata?.Arn, KeyState: 'Enabled', KeyManager: 'CUSTOMER' });
    expect(KeyMetadata?.Arn).toMatch(new RegExp(`^arn:aws:kms:eu-west-1:${MANAGEMENT_ID}:key/`));
    const byArn = await kms.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:eu-west-1:${MANAGEMENT_ID}:alias/groundwork-trail` }));
    expect(byArn.KeyMetadata?.KeyId).toBe(KeyMetadata?.KeyId);

    const elsewhere = new KMSClient({ region: 'us-east-1', credentials });
    await expect(elsewhere.send(new DescribeKeyCommand({ KeyId: 'alias/groundwork-trail' }))).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(elsewhere.send(new DescribeKeyCommand({ KeyId: KeyMetadata?.KeyId }))).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(kms.send(new CreateAliasCommand({ AliasName: 'alias/groundwork-trail', TargetKeyId: KeyMetadata?.KeyId }))).rejects.toMatchObject({
      name: 'AlreadyExistsException',
    });
  });
});

describe('fake IAM centralized root access', () => {
  it('needs an organization and trusted access for iam before root credentials management can be enabled', async () => {
    const iam = new IAMClient({ region: 'us-east-1', credentials });
    const orgs = new OrganizationsClient({ region: 'us-east-1', credentials });
    await expect(iam.send(new ListOrganizationsFeaturesCommand({}))).rejects.toMatchObject({ name: 'OrganizationNotFoundException' });
    await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    await expect(iam.send(new EnableOrganizationsRootCredentialsManagementCommand({}))).rejects.toMatchObject({ name: 'ServiceAccessNotEnabledException' });
    await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'iam.amazonaws.com' }));
    await iam.send(new EnableOrganizationsRootCredentialsManagementCommand({}));
    expect(await iam.send(new ListOrganizationsFeaturesCommand({}))).toMatchObject({
      OrganizationId: 'o-abc123def4',
      EnabledFeatures: ['RootCredentialsManagement'],
    });
  });
});
