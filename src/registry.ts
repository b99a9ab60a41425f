import accountAlias from '../steps/account-alias/index.js';
import passwordPolicy from '../steps/password-policy/index.js';
import adminGroup from '../steps/admin-group/index.js';
import mfaEnforcement from '../steps/mfa-enforcement/index.js';
import organization from '../steps/organization/index.js';
import orgTrail from '../steps/org-trail/index.js';
import memberAccounts from '../steps/member-accounts/index.js';
import rootCredentials from '../steps/root-credentials/index.js';
import s3BlockPublicAccess from '../steps/s3-block-public-access/index.js';
import securityContacts from '../steps/security-contacts/index.js';
import identityCenter from '../steps/identity-center/index.js';
import costAlerts from '../steps/cost-alerts/index.js';
import threatDetection from '../steps/threat-detection/index.js';
import guardrails from '../steps/guardrails/index.js';
import type { Step } from './kit/step.js';

/**
 * Every step, in the order it runs. Explicit on purpose: a bundle has no folders to discover, and the
 * order carries meaning: the organization before its trail and its accounts, centralized root access
 * before member accounts are created, member accounts (log-archive among them) before the trail whose
 * logs log-archive keeps, and before the every-account baseline reaches them; Identity Center once every account exists, so
 * each gets its assignments in the apply that makes it; the guardrails last,
 * as they keep that baseline in place once it is written (and only the admin role may change it).
 */
export const REGISTRY: readonly Step[] = [
  accountAlias,
  passwordPolicy,
  adminGroup,
  mfaEnforcement,
  organization,
  memberAccounts,
  orgTrail,
  rootCredentials,
  s3BlockPublicAccess,
  securityContacts,
  identityCenter,
  costAlerts,
  threatDetection,
  guardrails,
];

/** The step that knows the member accounts, so every-account steps reach them. */
export const ACCOUNT_SOURCE: Step | undefined = REGISTRY.find((s) => s.discoverAccounts);
