import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import type { AwsClients } from '../../src/aws/clients.js';
import { placeholder, type Unknown } from '../../src/model.js';
import { ORGANIZATION_ID_VALUE, describeOrganization } from '../organization/index.js';

/**
 * Values that do not exist yet when a fresh account is planned: the trail key's ARN (made by
 * kms:CreateKey) and the organization id (made by the organization step in the same apply). The plan
 * shows them like this, Terraform-style, `(trail key ARN, known after apply)`, marks where they stand
 * (`Change.unknown`), and apply fills them in from what the change that made them learned.
 */
export const KEY_ARN = 'trail key ARN';
/** The organization step learns the organization id under this name. */
export const ORG_ID = ORGANIZATION_ID_VALUE;

/** The value when it is known, else its placeholder. */
export const orPlaceholder = (known: string | null, value: string): string => known ?? placeholder(value);

/** Nothing when the value is known, else where its placeholder stands (`path` into the change's `after`). */
export const unknownAt = (known: string | null, value: string, path: Unknown['path']): Unknown[] =>
  known === null ? [{ path, value }] : [];

/**
 * Reads a value no change of this run learned (a lost answer, a resumed run): by then the key is
 * behind its alias and the organization exists, or the organization step has not run.
 */
export async function readKnownAfterApply(management: AwsClients, storage: AwsClients, alias: string, value: string): Promise<string> {
  if (value === KEY_ARN) return (await storage.kms.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata?.Arn as string;
  if (value !== ORG_ID) throw new Error(`org-trail plans nothing without ${value}`);
  const org = await describeOrganization(management);
  if (!org?.Id) throw new Error('the organization trail needs an organization; run the organization step first');
  return org.Id;
}
