import { CreateTrailCommand, GetTrailCommand, UpdateTrailCommand, type Trail } from '@aws-sdk/client-cloudtrail';
import type { AwsClients } from '../../src/aws/clients.js';
import { absentOn, doneOn } from '../../src/model.js';
import type { TrailNames } from './policies.js';

/** The trail as plans show and compare it. */
export type TrailConfig = ReturnType<typeof desiredTrail>;

export function desiredTrail(n: TrailNames, keyArn: string) {
  return {
    Name: n.trailName,
    S3BucketName: n.trailBucket,
    IsOrganizationTrail: true,
    IsMultiRegionTrail: true,
    LogFileValidationEnabled: true,
    IncludeGlobalServiceEvents: true,
    KmsKeyId: keyArn,
  };
}

export function trailConfig(t: Trail): TrailConfig {
  return {
    Name: t.Name ?? '',
    S3BucketName: t.S3BucketName ?? '',
    IsOrganizationTrail: Boolean(t.IsOrganizationTrail),
    IsMultiRegionTrail: Boolean(t.IsMultiRegionTrail),
    LogFileValidationEnabled: Boolean(t.LogFileValidationEnabled),
    IncludeGlobalServiceEvents: Boolean(t.IncludeGlobalServiceEvents),
    KmsKeyId: t.KmsKeyId ?? '',
  };
}

export async function currentTrail(aws: AwsClients, name: string): Promise<Trail | null> {
  return (await absentOn('TrailNotFound')(() => aws.cloudtrail.send(new GetTrailCommand({ Name: name }))))?.Trail ?? null;
}

/** Creates the trail, or brings the existing one to `t`. */
export async function writeTrail(aws: AwsClients, mode: 'create' | 'update', t: TrailConfig): Promise<void> {
  const fields = {
    Name: t.Name,
    S3BucketName: t.S3BucketName,
    IsOrganizationTrail: t.IsOrganizationTrail,
    IsMultiRegionTrail: t.IsMultiRegionTrail,
    EnableLogFileValidation: t.LogFileValidationEnabled,
    IncludeGlobalServiceEvents: t.IncludeGlobalServiceEvents,
    KmsKeyId: t.KmsKeyId,
  };
  // Made by an interrupted run: bring it to the planned configuration instead.
  if (mode === 'create' && (await doneOn('TrailAlreadyExists')(() => aws.cloudtrail.send(new CreateTrailCommand(fields))))) return;
  await aws.cloudtrail.send(new UpdateTrailCommand(fields));
}
