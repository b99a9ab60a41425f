import type { Json } from '../../src/engine/types.js';

/**
 * Values that do not exist yet when a fresh account is planned: the trail key's ARN (made by
 * kms:CreateKey) and the organization id (made by the organization step in the same apply). The plan
 * shows them like this, Terraform-style, and apply fills them in just before each write.
 */
export const KEY_ARN_LATER = '(trail key ARN, known after apply)';
export const ORG_ID_LATER = '(organization id, known after apply)';

export interface KnownAfterApply {
  keyArn: () => Promise<string>;
  orgId: () => Promise<string>;
}

export async function resolveLater(value: Json, known: KnownAfterApply): Promise<Json> {
  const text = JSON.stringify(value);
  if (!text.includes(KEY_ARN_LATER) && !text.includes(ORG_ID_LATER)) return value;
  const keyArn = text.includes(KEY_ARN_LATER) ? await known.keyArn() : '';
  const orgId = text.includes(ORG_ID_LATER) ? await known.orgId() : '';
  return JSON.parse(text.split(KEY_ARN_LATER).join(keyArn).split(ORG_ID_LATER).join(orgId)) as Json;
}
