import { renderTemplate } from '../../src/templates.js';

export const MFA_POLICY_NAME = 'AwsGroundworkRequireMFA';
/** Our own path keeps the policy apart from the founder's, and makes its ARN predictable. */
export const MFA_POLICY_PATH = '/aws-groundwork/';

export function mfaPolicyArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:policy${MFA_POLICY_PATH}${MFA_POLICY_NAME}`;
}

/**
 * The MFA-required policy from `templates/mfa-required-policy.json`. Without MFA a user may sign in,
 * change its own (forced) password and register its own MFA device, and nothing else, whatever else
 * its groups allow; with MFA the deny statements fall away.
 */
export function mfaPolicyDocument(partition: string): Record<string, unknown> {
  return JSON.parse(renderTemplate('mfa-required-policy.json', { partition })) as Record<string, unknown>;
}
