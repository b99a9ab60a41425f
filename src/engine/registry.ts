import accountAlias from '../../steps/account-alias/index.js';
import passwordPolicy from '../../steps/password-policy/index.js';
import adminGroup from '../../steps/admin-group/index.js';
import mfaEnforcement from '../../steps/mfa-enforcement/index.js';
import organization from '../../steps/organization/index.js';
import orgTrail from '../../steps/org-trail/index.js';
import rootCredentials from '../../steps/root-credentials/index.js';
import type { Step } from './types.js';

/**
 * Every step, in the order it runs. Explicit on purpose: a bundle has no folders to discover, and the
 * order carries meaning (later issues add steps that depend on earlier ones).
 */
export const REGISTRY: readonly Step[] = [
  accountAlias,
  passwordPolicy,
  adminGroup,
  mfaEnforcement,
  organization,
  orgTrail,
  rootCredentials,
];

