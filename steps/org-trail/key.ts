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
import { isAwsError } from '../../src/engine/errors.js';

/** Our tag on the trail key: how a key left without its alias by an interrupted run is found again. */
export const KEY_TAG = 'aws-groundwork:trail';

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
  try {
    const r = await aws.kms.send(new DescribeKeyCommand({ KeyId: alias }));
    if (r.KeyMetadata?.KeyId && r.KeyMetadata.Arn) return { keyId: r.KeyMetadata.KeyId, arn: r.KeyMetadata.Arn, orphan: false };
  } catch (err) {
    if (!isAwsError(err, 'NotFound')) throw err;
  }
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

export async function keyPolicy(aws: AwsClients, keyId: string): Promise<Record<string, unknown>> {
  const r = await aws.kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }));
  return JSON.parse(r.Policy ?? '{}') as Record<string, unknown>;
}

export async function rotationEnabled(aws: AwsClients, keyId: string): Promise<boolean> {
  return Boolean((await aws.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled);
}

/**
 * Makes the key and names it. An interrupted earlier run may have left a tagged key without alias:
 * that key is named instead of making a second one, so re-runs never multiply keys.
 */
export async function createTrailKey(aws: AwsClients, alias: string, trailName: string, policy: string): Promise<string> {
  const existing = await findTrailKey(aws, alias, trailName);
  let keyId = existing?.keyId;
  if (!keyId) {
    const created = await aws.kms.send(
      new CreateKeyCommand({
        Description: `aws-groundwork: encrypts the organization CloudTrail trail ${trailName}`,
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeySpec: 'SYMMETRIC_DEFAULT',
        Policy: policy,
        Tags: [{ TagKey: KEY_TAG, TagValue: trailName }],
      }),
    );
    keyId = created.KeyMetadata?.KeyId as string;
  }
  if (existing?.orphan !== false) {
    try {
      await aws.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
    } catch (err) {
      if (!isAwsError(err, 'AlreadyExists')) throw err;
    }
  }
  return keyId;
}
