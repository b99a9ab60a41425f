import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
} from '@aws-sdk/client-kms';
import type { AwsClients } from '../../src/aws/clients.js';
import { absentOn, doneOn } from '../../src/model.js';
import type { TrailNames } from './policies.js';

/** Our tag on the trail key: how a key left without its alias by an interrupted run is found again. */
export const KEY_TAG = 'aws-groundwork:trail';

export const keyAlias = (n: TrailNames) => `alias/aws-groundwork/${n.trailName}`;

export interface TrailKey {
  keyId: string;
  arn: string;
  /** Found by tag, not by alias: the alias still has to be made. */
  orphan: boolean;
}

/** Whether the key carries our tag for this trail, reading its tags page by page (KMS's Marker). */
async function hasTag(aws: AwsClients, keyId: string, trailName: string): Promise<boolean> {
  let Marker: string | undefined;
  do {
    const page = await aws.kms.send(new ListResourceTagsCommand({ KeyId: keyId, Marker }));
    if (page.Tags?.some((t) => t.TagKey === KEY_TAG && t.TagValue === trailName)) return true;
    Marker = page.Truncated ? page.NextMarker : undefined;
  } while (Marker);
  return false;
}

/** The key behind our alias, else an enabled key carrying our tag, else null. Never creates. */
export async function findTrailKey(aws: AwsClients, alias: string, trailName: string): Promise<TrailKey | null> {
  const named = (await absentOn('NotFound')(() => aws.kms.send(new DescribeKeyCommand({ KeyId: alias }))))?.KeyMetadata;
  if (named?.KeyId && named.Arn) return { keyId: named.KeyId, arn: named.Arn, orphan: false };
  let Marker: string | undefined;
  do {
    const page = await aws.kms.send(new ListKeysCommand({ Marker }));
    for (const k of page.Keys ?? []) {
      if (await hasTag(aws, k.KeyId as string, trailName)) {
        const meta = (await aws.kms.send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata;
        if (meta?.KeyState === 'Enabled' && meta.KeyId && meta.Arn) return { keyId: meta.KeyId, arn: meta.Arn, orphan: true };
      }
    }
    Marker = page.Truncated ? page.NextMarker : undefined;
  } while (Marker);
  return null;
}

/** The id of the key behind the alias: key policy and rotation calls take an id, not an alias. */
export async function keyIdOf(aws: AwsClients, alias: string): Promise<string | undefined> {
  return (await aws.kms.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata?.KeyId;
}

export async function keyPolicy(aws: AwsClients, keyId: string): Promise<Record<string, unknown>> {
  const r = await aws.kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }));
  return JSON.parse(r.Policy ?? '{}') as Record<string, unknown>;
}

export async function rotationEnabled(aws: AwsClients, keyId: string): Promise<boolean> {
  return Boolean((await aws.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled);
}

async function makeKey(aws: AwsClients, trailName: string, policy: string): Promise<Omit<TrailKey, 'orphan'>> {
  const created = await aws.kms.send(
    new CreateKeyCommand({
      Description: `aws-groundwork: encrypts the organization CloudTrail trail ${trailName}`,
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      Policy: policy,
      Tags: [{ TagKey: KEY_TAG, TagValue: trailName }],
    }),
  );
  return { keyId: created.KeyMetadata?.KeyId as string, arn: created.KeyMetadata?.Arn as string };
}

/**
 * Makes the key and names it, and answers it (its ARN is what later changes were planned without).
 * An interrupted earlier run may have left a tagged key without alias: that key is named instead of
 * making a second one, so re-runs never multiply keys.
 */
export async function createTrailKey(aws: AwsClients, alias: string, trailName: string, policy: string): Promise<Omit<TrailKey, 'orphan'>> {
  const existing = await findTrailKey(aws, alias, trailName);
  const key = existing ?? (await makeKey(aws, trailName, policy));
  if (existing?.orphan !== false) {
    await doneOn('AlreadyExists')(() => aws.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.keyId })));
  }
  return { keyId: key.keyId, arn: key.arn };
}
