/** Design ids of steps that later versions add; named so answers files say "not yet" rather than "unknown". */
export const PLANNED_STEP_IDS = [
  'admin-group',
  'mfa-enforcement',
  'organization',
  'org-trail',
  'member-accounts',
  'root-credentials',
  's3-block-public-access',
  'security-contacts',
] as const;
